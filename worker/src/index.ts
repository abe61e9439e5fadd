/**
 * @fq/worker: the queue engine. Browser code imports `@fq/worker/schema` (document shapes)
 * and `@fq/worker/core` (pure planners); this entry point is for Node (workers, servers,
 * tests, the bench).
 */
export * from './schema/index.js';
export * from './core/index.js';

// Ports
export type { Clock, TimerHandle } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type { Logger } from './ports/logger.js';
export { silentLogger } from './ports/logger.js';
export type {
  DocStore,
  Transaction,
  Query,
  Filter,
  OrderBy,
  Snapshot,
  QueryResult,
  DocResult,
  ListenSnapshot,
  OpsMeter,
  Unsubscribe,
  DocVersion,
  Selected,
  SelectResult,
  UndecodableDoc,
  LenientRead,
  DecodeIssue,
} from './ports/store.js';
export { at, queryOf, AlreadyExistsError, ContentionError, DocumentDecodeError, MissingDocumentError, StoreClosedError } from './ports/store.js';
export type { Transcriber, TranscriptionRequest, TranscriptionOutput } from './ports/transcriber.js';
export { UpstreamError } from './ports/transcriber.js';
export type { FlowControl, FlowJob, ClaimBudget, PermitDecision, UpstreamPermit, UpstreamOutcome, LeaderDuty } from './ports/flow-control.js';
export type { AlertSink, AlertDelivery } from './ports/alerts.js';

// Adapters
export { MemoryStore, MemoryDatabase, createMemoryStore, type MemoryStoreOptions } from './adapters/memory/index.js';
export { FirestoreStore, createFirestoreStore, type FirestoreStoreOptions, servePrefix, retirePrefix, servedPrefixes } from './adapters/firestore/index.js';
export { WebhookAlertSink, type WebhookSinkOptions } from './adapters/alerts/webhook-sink.js';

// Engine and runtime
export type { EngineContext } from './engine/context.js';
export { Admission, type EnqueueResult, type EnqueueOptions } from './engine/admission.js';
export { JobLeases, type ClaimedJob } from './engine/job-leases.js';
export { Maintenance } from './engine/maintenance.js';
export { LeaderElector, type LeadershipState } from './engine/leader-elector.js';
export { DistributedLocks, type LockLease, type LockOptions } from './engine/locks.js';
export { ServerRegistry } from './engine/server-registry.js';
export { StaticFlowControl } from './engine/static-flow-control.js';
export { AlertMonitor, type AlertMonitorDeps } from './engine/alerts/alert-monitor.js';
export { applyControl } from './engine/controls.js';
export { AnalyticsRecorder, type AnalyticsEvent } from './engine/analytics/recorder.js';
export { RollupMerger } from './engine/analytics/merger.js';
export { StatsRefresher, getEnterpriseStats, type EnterpriseStats, type EnterpriseServer } from './engine/analytics/stats.js';
export { PositionRefresher, type PositionRun } from './engine/queue-positions.js';
export { QueueWorker, startWorker, WORKER_VERSION, type WorkerOptions, type WorkerStatus } from './runtime/worker.js';
export { createQueue, type Queue, type QueueOptions } from './runtime/queue.js';
export type { WorkerObserver } from './runtime/observer.js';
export { StopReason } from './runtime/observer.js';

// Fleet flow control and the Gemini adapter (the fake Gemini is its own package, @fq/fake-gemini)
export {
  FleetFlowControl,
  FlowLeader,
  createFleetFlowControl,
  LeadershipLostError,
  type CreateFleetFlowOptions,
  type FleetFlowOptions,
  type ModelFlowStatus,
  type EffectiveSlice,
} from './fleet-flow/index.js';
export {
  GeminiTranscriber,
  GeminiConfigError,
  createGeminiTranscriber,
  DEFAULT_TRANSCRIPTION_PROMPT,
  type GeminiTranscriberOptions,
} from './adapters/gemini/index.js';

// The design document's entry points (worker/README.md maps each of its names to ours)
export {
  EnterpriseTranscriptionQueue,
  TranscriptionFailedError,
  type EnterpriseQueueConfig,
  type EnterpriseQueueOptions,
  type EnterpriseQueueResult,
  type EnterpriseTranscriptionInput,
} from './enterprise/enterprise-queue.js';
export { getEnterpriseTranscriptionQueue, resetEnterpriseTranscriptionQueue, EnterpriseQueueConfigError, type EnterpriseRuntimeOptions } from './enterprise/singleton.js';
export { createInMemoryTranscriptionQueue, type InMemoryQueueOptions } from './enterprise/in-memory.js';

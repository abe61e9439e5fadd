import type { WorkerConfigInput } from '@fq/worker/schema';
import type { SystemOptions } from '../../../system/index.js';

/**
 * Timing for the e2e system: short heartbeats, leases and leader terms so a killed worker
 * is flagged stale and leadership moves within seconds, yet long enough that a busy 2-core
 * machine does not lose leases spuriously. Retries are quick and few (dead letters after 3).
 */
export const E2E_WORKER_CONFIG: WorkerConfigInput = {
  maxAttempts: 3,
  requestTimeoutMs: 30_000,
  lease: { durationMs: 4_000, heartbeatMs: 800 },
  backoff: { baseMs: 200, maxMs: 1_000, multiplier: 2 },
  // The idle fleet's slower heartbeat and longer leader lease, scaled down like the rest.
  serverCoordination: {
    heartbeatIntervalMs: 1_000,
    serverTimeoutMs: 5_000,
    leaderLeaseMs: 4_000,
    maintenanceIntervalMs: 1_000,
    idleHeartbeatIntervalMs: 3_000,
    idleLeaderLeaseMs: 8_000,
  },
  rateLimiting: { requestsPerMinute: 1_000, burstLimit: 200, windowSizeMs: 60_000 },
  // A fallback model, as a deployment would have: while the primary's breaker is open, urgent
  // and high jobs go to it (the fake serves both), normal and low wait.
  upstream: { flowIntervalMs: 1_000, fallbackModel: 'gemini-2.5-flash-lite', fallbackPriorities: ['urgent', 'high'] },
};

/** Users of the end-user page; each spec that enqueues uses its own user id as well. */
export const E2E_USERS = [
  { email: 'user@firequeue.test', password: 'firequeue-user' },
  { email: 'listener@firequeue.test', password: 'firequeue-user2' },
];

export function e2eSystemOptions(logDir: string, prefix: string): SystemOptions {
  return {
    // GCLOUD_PROJECT wins (firebase emulators:exec sets it); otherwise a project of its own.
    projectId: process.env.GCLOUD_PROJECT || 'demo-firequeue-e2e',
    prefix,
    workers: 3,
    workerConcurrency: 4,
    workerConfig: E2E_WORKER_CONFIG,
    workerGraceMs: 2_000,
    fakeGemini: { capacity: 8, baseLatencyMs: 150, latencyMsPerAudioSecond: 50, latencyJitter: 0 },
    users: E2E_USERS,
    control: true,
    logDir,
    // The fake Gemini always: the suite injects failures and counts calls.
    geminiApiKey: null,
  };
}

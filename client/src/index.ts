/**
 * @fq/client: the browser side of the Firequeue transcription queue, framework-free. Create
 * a client for the signed-in user over the queue's Firestore, then submit audio, watch
 * requests (status, position, ETA, transcript) and cancel. React: `@fq/client/react`.
 *
 *   const client = createQueueClient({ firestore: getFirestore(app), prefix, userId: user.uid });
 *   const id = await client.submit(blob, { priority: 'normal' });
 *   const stop = client.watch(id, ({ request }) => render(request));
 */
export { createQueueClient } from './client.js';
export type { ClientSettings, MyRequestsSnapshot, NotificationStorage, QueueClient, QueueClientOptions, QueueLocation, RequestSnapshot, WatchMineOptions } from './client.js';
export { firestoreQueueStore, type FirestoreQueueStoreOptions } from './firestoreStore.js';
export { CancelError, SubmissionError, describeError, type CancelErrorCode } from './errors.js';
export { cancelProblem, isActive, isTerminal, mergeRequests, queueEstimate, toRequest, withPendingCancels } from './requests.js';
export type { RequestError, RequestStatus, TranscriptionRequest } from './requests.js';
export { statsView, type QueueStatsView } from './stats.js';
export { createServerClock, type OffsetEstimate, type ServerClock } from '@fq/worker/core';
export { createLedger, type NotificationLedger } from './notifications.js';
export { commitSubmission, mimeTypeOf, planClientSubmission, priorityProblem, submissionWrites, uploadSubmission } from './submission.js';
export type { AudioInput, SubmitOptions } from './submission.js';
export { cancelWrite, requestCancel } from './cancel.js';
export { describeRequest, formatWait, type RequestText } from './text.js';
export { refs } from './refs.js';
export { monitorRefs, queueMonitorSnapshot, watchQueueMonitor } from './monitor.js';
export type { MonitorDeadLetter, MonitorDocuments, MonitorSource, MonitorStats, MonitorUserUsage, QueueMonitorLimits, QueueMonitorSnapshot, WatchQueueMonitorOptions } from './monitor.js';
export type { MonitorServer, ServerCopy, ServerStateCounts } from './monitorServers.js';
export { liveSource, type LiveSource, type LiveState } from './live.js';
export { SERVER_TIME } from './store.js';
export type { DocRef, DocRow, Listener, QueryRef, QueueStore, ServerTime, TransactionRead, Unsubscribe, WhereOp, WhereValue, Write } from './store.js';
// The documents' and the queue's own types, so an app needs no other package to type them.
export type { EnterpriseServer, EnterpriseStats, RateLimitUsage, SubmissionPlan } from '@fq/worker/core';
export type { CollectionKey, DocOf, JobDoc, JobStatus, Priority, QueueStatsDoc, RateLimitDoc, SubmissionQuota } from '@fq/worker/schema';

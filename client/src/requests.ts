import { drainPerMs, estimateWaitMs, pausedFromStats, refinePosition } from '@fq/worker/core';
import { TERMINAL_STATUSES, type JobDoc, type JobStatus, type QueueStatsDoc } from '@fq/worker/schema';

/**
 * What the client reports per request: the job as the end user needs it. `scheduled`: the
 * user was over their rate limit and the queue deferred the job to `scheduledFor` instead of
 * refusing it (the job is `waiting` with `deferredUntil`); it starts then, nothing to do.
 */
export type RequestStatus = JobStatus | 'uploading' | 'upload_failed' | 'scheduled';

export interface RequestError {
  /** Engine error class, rejection code, or a client-side code (VALIDATION, UPLOAD_FAILED...). */
  code: string;
  message: string;
}

export interface TranscriptionRequest {
  requestId: string;
  status: RequestStatus;
  priority: JobDoc['priority'];
  createdAt: number;
  /**
   * Claimable jobs ahead of this one (0 = next) while it waits in the queue: the leader's
   * bucketed value, counted down between its refreshes. Null before admission, when not
   * queued, or when unknown.
   */
  position: number | null;
  /**
   * Queued: estimated wait until the job starts. Waiting (retry backoff): time until the
   * retry. Scheduled: time until its booked start. Null when unknown or while an operator
   * holds the job's priority.
   */
  etaMs: number | null;
  /** Scheduled (deferred by the rate limit): when it may start, ms since the epoch (server time); else null. */
  scheduledFor: number | null;
  progress: number | null;
  attempts: number;
  transcript: string | null;
  error: RequestError | null;
  /** True while a cancel was requested and the engine has not acted on it yet. */
  cancelRequested: boolean;
  /**
   * `cancel(requestId)` would write a cancel request: the job is in Firestore, unfinished,
   * and nobody asked to cancel it yet (the rules accept one request per job).
   */
  canCancel: boolean;
  metadata: JobDoc['metadata'];
}

export function isTerminal(status: RequestStatus): boolean {
  return status === 'upload_failed' || (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function isActive(status: RequestStatus): boolean {
  return !isTerminal(status);
}

/**
 * Position and ETA as the user should see them at `now` (server time). The leader writes a
 * queued job's position only when it crosses a bucket boundary (and the ETA when it drifts),
 * so between writes both are counted down here at the fleet's completion rate, never past
 * what the leader would have rewritten (`refinePosition`). Without a stored ETA, one is
 * estimated from the position and the stats, the way the engine does.
 */
/** A job the rate limit deferred and that still waits for the start it booked. */
export function scheduledFor(job: Pick<JobDoc, 'status' | 'availableAt' | 'deferredUntil'>): number | null {
  // A deferred job that later ran and failed waits again for a retry: availableAt moved on.
  return job.status === 'waiting' && job.deferredUntil != null && job.availableAt === job.deferredUntil ? job.deferredUntil : null;
}

export function queueEstimate(
  job: Pick<JobDoc, 'status' | 'priority' | 'position' | 'estimatedWaitMs' | 'positionAt' | 'availableAt'>,
  stats: QueueStatsDoc | null,
  now: number,
): { position: number | null; etaMs: number | null } {
  if (job.status === 'waiting') return { position: null, etaMs: job.availableAt === null ? null : Math.max(0, job.availableAt - now) };
  if (job.status !== 'queued') return { position: null, etaMs: null };
  const refined = refinePosition(job, { now, throughputPerMin: stats?.throughputPerMin ?? 0, positionWindow: stats?.positionWindow ?? 0 });
  if (pausedFromStats(stats).includes(job.priority)) return { position: refined.position, etaMs: null };
  const etaMs = refined.estimatedWaitMs ?? (refined.position === null ? null : estimateWaitMs(refined.position, drainPerMs(stats, 1)));
  return { position: refined.position, etaMs };
}

function errorOf(job: JobDoc): RequestError | null {
  if (job.status === 'rejected' && job.rejection) return { code: job.rejection.code, message: job.rejection.message };
  if (job.status === 'failed' || job.status === 'dead_lettered') {
    const last = job.errors.at(-1);
    return {
      code: job.lastErrorClass ?? last?.errorClass ?? 'unknown',
      message: last?.message ?? `the job ${job.status === 'failed' ? 'failed' : 'exhausted its retries'}`,
    };
  }
  if (job.status === 'cancelled') return { code: 'cancelled', message: job.cancelRequest?.reason ?? 'the job was cancelled' };
  return null;
}

export function toRequest(id: string, job: JobDoc, stats: QueueStatsDoc | null, now: number): TranscriptionRequest {
  const { position, etaMs } = queueEstimate(job, stats, now);
  const scheduled = scheduledFor(job);
  return {
    requestId: id,
    status: scheduled === null ? job.status : 'scheduled',
    priority: job.priority,
    createdAt: job.createdAt,
    position,
    etaMs,
    scheduledFor: scheduled,
    progress: job.progress,
    attempts: job.attempts,
    transcript: job.result?.transcript ?? null,
    error: errorOf(job),
    cancelRequested: job.cancelRequest !== null && !isTerminal(job.status),
    canCancel: job.cancelRequest === null && CANCELLABLE.includes(job.status),
    metadata: job.metadata,
  };
}

/** Statuses the rules let an end user ask to cancel (`userCancelRequest`); a scheduled job is `waiting`. */
const CANCELLABLE: readonly RequestStatus[] = ['submitted', 'queued', 'waiting', 'running'];

/** Why `cancel` must not write for this request, or null when it may. */
export function cancelProblem(
  request: TranscriptionRequest | undefined,
  pending: boolean,
): { code: 'CANCEL_ALREADY_REQUESTED' | 'NOT_CANCELLABLE' | 'UNKNOWN_REQUEST'; message: string } | null {
  if (!request) return { code: 'UNKNOWN_REQUEST', message: 'this request is not one of your jobs' };
  if (pending || request.cancelRequested) {
    return { code: 'CANCEL_ALREADY_REQUESTED', message: 'a cancel request is already recorded for this job' };
  }
  if (!request.canCancel) {
    const why = request.status === 'uploading' || request.status === 'upload_failed' ? 'was not submitted' : `is ${request.status}`;
    return { code: 'NOT_CANCELLABLE', message: `this job ${why}; only unfinished jobs can be cancelled` };
  }
  return null;
}

/** Requests whose cancel write is in flight show as cancelling and offer no second cancel. */
export function withPendingCancels(requests: TranscriptionRequest[], pending: ReadonlySet<string>): TranscriptionRequest[] {
  if (pending.size === 0) return requests;
  return requests.map((r) => (pending.has(r.requestId) ? { ...r, cancelRequested: true, canCancel: false } : r));
}

/**
 * Merges server-side jobs with local requests not visible yet (uploading, or failed before
 * they reached Firestore). Newest first.
 */
export function mergeRequests(
  fromServer: readonly TranscriptionRequest[],
  local: readonly TranscriptionRequest[],
): TranscriptionRequest[] {
  const byId = new Map<string, TranscriptionRequest>();
  for (const r of local) byId.set(r.requestId, r);
  for (const r of fromServer) byId.set(r.requestId, r);
  return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? -1 : 1));
}

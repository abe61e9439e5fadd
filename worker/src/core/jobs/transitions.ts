import {
  MAX_ERROR_HISTORY,
  type JobDoc,
  type JobError,
  type JobResult,
  type JobStatus,
} from '../../schema/job.js';
import { InvalidTransitionError, LeaseLostError, PayloadGoneError } from '../errors.js';
import type { SubmittedJob } from '../submission.js';
import type { FailureDecision } from './retry-policy.js';
import { shardOf } from '../coordination/rendezvous.js';

/**
 * The job's state machine: every transition of a job document, the engine's (admission,
 * claim, lease, completion, failure, reclaim, promotion) and the operator's (cancel, retry,
 * redrive, planned by `core/controls/job-controls`), with the statuses each operator action
 * accepts (the console offers an action for exactly those). Adapters read the job in a
 * transaction, call one of these and write the result back; nothing here knows about
 * Firestore. `now` is always the store's clock (a Firestore read time, or a browser's
 * estimate of it), never a worker's local clock.
 */

/** Proof of holding a job: the claim's owner and fencing token. */
export interface Holder {
  owner: string;
  token: number;
}

/** Statuses in which the audio is no longer needed (retry/redrive need it for the others). */
export const PAYLOAD_RELEASING_STATUSES: readonly JobStatus[] = ['succeeded', 'cancelled', 'rejected'];

export function appendError(errors: readonly JobError[], error: JobError): JobError[] {
  return [...errors, error].slice(-MAX_ERROR_HISTORY);
}

/** A job that is not waiting in the queue has no position (the leader sets a new one when it is back). */
const NO_POSITION = { position: null, estimatedWaitMs: null, positionAt: null } as const;

/**
 * Drops inline audio: null, written out (a guarded write replaces only the fields it
 * carries, so leaving the key out would leave the bytes stored). A job that never had inline
 * audio keeps not having the field.
 */
function withoutInlineAudio(job: JobDoc): Pick<JobDoc, 'inlineAudio'> {
  return job.inlineAudio == null ? {} : { inlineAudio: null };
}

function finish(job: JobDoc, status: JobStatus, now: number, retentionMs: number): JobDoc {
  // Inline audio leaves with this very write, as chunks are deleted in its commit: a finished
  // job's document (and every listener of it) no longer carries the bytes.
  const release = PAYLOAD_RELEASING_STATUSES.includes(status);
  return {
    ...job,
    ...(release ? withoutInlineAudio(job) : {}),
    status,
    lease: null,
    progress: status === 'succeeded' ? 1 : job.progress,
    availableAt: null,
    ...NO_POSITION,
    updatedAt: now,
    completedAt: now,
    expireAt: now + retentionMs,
    payloadDeletedAt: release ? (job.payloadDeletedAt ?? now) : job.payloadDeletedAt,
  };
}

/** Why `holder` may not write `job` at `now`, or null when it may. */
export function holderProblem(job: JobDoc | null, holder: Holder, now: number): string | null {
  if (!job) return 'the job no longer exists';
  if (job.status !== 'running') return `the job is ${job.status}`;
  if (!job.lease) return 'the job has no lease';
  if (job.fence !== holder.token || job.lease.token !== holder.token) {
    return `the fencing token moved on to ${job.fence}`;
  }
  if (job.lease.owner !== holder.owner) return `the lease belongs to ${job.lease.owner}`;
  if (job.lease.expiresAt <= now) return `the lease expired at ${new Date(job.lease.expiresAt).toISOString()}`;
  return null;
}

export function assertHolder(jobId: string, job: JobDoc | null, holder: Holder, now: number): JobDoc {
  const problem = holderProblem(job, holder, now);
  if (problem !== null || !job) throw new LeaseLostError(jobId, holder.owner, holder.token, problem ?? 'missing');
  return job;
}

/**
 * `inlineAudio`: the audio when the plan keeps it in the job (server submissions only).
 * `deferredUntil`: the start the rate limit booked (core/flow-policy/rate-limit): the job is admitted
 * `waiting` until then and the promotion of due retries makes it `queued`.
 */
export function admitSubmission(
  sub: SubmittedJob,
  args: {
    now: number;
    rank: number;
    maxAttempts: number;
    tier: string;
    model: string | null;
    base?: JobDoc | null;
    shard?: number | null;
    inlineAudio?: Uint8Array | null;
    /** How admission measured the duration (`sub.audio.durationSec` already holds the one to use). */
    durationCheck?: JobDoc['durationCheck'];
    deferredUntil?: number | null;
  },
): JobDoc {
  const deferred = args.deferredUntil != null && args.deferredUntil > args.now ? args.deferredUntil : null;
  return {
    ...(args.base ?? {}),
    // A client's document never carries inline audio (its chunks are the audio).
    ...(args.inlineAudio ? { inlineAudio: args.inlineAudio } : args.base ? withoutInlineAudio(args.base) : {}),
    status: deferred === null ? 'queued' : 'waiting',
    priority: sub.priority,
    userId: sub.userId,
    // A client's e-mail comes with `base` (its submitted document); a server caller's with `sub`.
    ...(sub.userEmail === undefined ? {} : { userEmail: sub.userEmail, userEmailLower: sub.userEmailLower ?? null }),
    sessionId: sub.sessionId,
    idempotencyKey: sub.idempotencyKey,
    metadata: sub.metadata,
    audio: sub.audio,
    durationCheck: args.durationCheck ?? null,
    model: args.model,
    source: sub.source,
    tier: args.tier,
    createdAt: sub.createdAt,
    updatedAt: args.now,
    admittedAt: args.now,
    rank: args.rank,
    shard: args.shard ?? null,
    availableAt: deferred,
    // Written only on a deferred job: one admitted at once keeps the shape it always had.
    ...(deferred === null ? {} : { deferredUntil: deferred }),
    attempts: 0,
    busySince: null,
    busyAnswers: 0,
    maxAttempts: args.maxAttempts,
    fence: args.base?.fence ?? 0,
    lease: null,
    firstStartedAt: null,
    lastStartedAt: null,
    progress: null,
    cancelRequest: args.base?.cancelRequest ?? null,
    errors: [],
    lastErrorClass: null,
    result: null,
    rejection: null,
    redriveCount: 0,
    servedBy: null,
    ...NO_POSITION,
    completedAt: null,
    payloadDeletedAt: null,
    expireAt: null,
  };
}

export function rejectJob(
  job: JobDoc,
  args: { now: number; retentionMs: number; rejection: NonNullable<JobDoc['rejection']> },
): JobDoc {
  return { ...finish(job, 'rejected', args.now, args.retentionMs), rejection: args.rejection };
}

/** queued -> running: the claim. Increments the fence; the new fence is the lease token. */
export function claimJob(jobId: string, job: JobDoc, args: { owner: string; now: number; leaseMs: number }): JobDoc {
  if (job.status !== 'queued') throw InvalidTransitionError.forJob(jobId, job.status, 'claimed', ['queued']);
  const token = job.fence + 1;
  return {
    ...job,
    status: 'running',
    fence: token,
    attempts: job.attempts + 1,
    lease: { owner: args.owner, token, acquiredAt: args.now, expiresAt: args.now + args.leaseMs, heartbeatAt: args.now },
    firstStartedAt: job.firstStartedAt ?? args.now,
    lastStartedAt: args.now,
    availableAt: null,
    progress: null,
    // Started: nothing ahead, no wait.
    position: 0,
    estimatedWaitMs: 0,
    positionAt: args.now,
    updatedAt: args.now,
  };
}

export function renewLease(
  jobId: string,
  job: JobDoc | null,
  holder: Holder,
  args: { now: number; leaseMs: number; progress?: number | null },
): JobDoc {
  const held = assertHolder(jobId, job, holder, args.now);
  const lease = held.lease!;
  return {
    ...held,
    lease: { ...lease, expiresAt: args.now + args.leaseMs, heartbeatAt: args.now },
    progress: args.progress === undefined ? held.progress : args.progress,
    updatedAt: args.now,
  };
}

export function completeJob(
  jobId: string,
  job: JobDoc | null,
  holder: Holder,
  args: { now: number; result: JobResult; retentionMs: number },
): JobDoc {
  const held = assertHolder(jobId, job, holder, args.now);
  const lease = held.lease!;
  // Which server ran the attempt that succeeded, and from when: the job page's timeline.
  const result = { ...args.result, serverId: lease.owner, startedAt: lease.acquiredAt };
  return { ...finish(held, 'succeeded', args.now, args.retentionMs), result, servedBy: args.result.model };
}

/** Records a failed attempt and applies the retry decision (waiting, dead_lettered or failed). */
export function failAttempt(
  jobId: string,
  job: JobDoc | null,
  holder: Holder,
  args: { now: number; error: JobError; decision: FailureDecision; retentionMs: number },
): JobDoc {
  const held = assertHolder(jobId, job, holder, args.now);
  return applyFailure(held, args);
}

/**
 * The ending attempt's lease, for its error record (the job page's timeline shows when each
 * attempt started, under which token, and whether it was renewed). Nothing when the job has
 * no lease (a reclaim of a document that lost it).
 */
function attemptLease(job: JobDoc): Pick<JobError, 'startedAt' | 'leaseToken' | 'renewedAt'> {
  if (!job.lease) return {};
  return { startedAt: job.lease.acquiredAt, leaseToken: job.lease.token, renewedAt: job.lease.heartbeatAt };
}

function applyFailure(
  job: JobDoc,
  args: { now: number; error: JobError; decision: FailureDecision; retentionMs: number },
): JobDoc {
  const error = { ...args.error, ...attemptLease(job), charge: args.decision.charge };
  // A busy answer or a failed breaker probe is not one of the job's attempts: the claim
  // counted it, so give it back.
  const attempts = args.decision.charge === 'attempt' ? job.attempts : Math.max(0, job.attempts - 1);
  const base = { ...job, attempts, errors: appendError(job.errors, error), lastErrorClass: args.error.errorClass };
  switch (args.decision.kind) {
    case 'retry':
      return {
        ...base,
        status: 'waiting',
        lease: null,
        availableAt: args.decision.availableAt,
        busySince: args.decision.busySince,
        busyAnswers: args.decision.busyAnswers,
        ...NO_POSITION,
        updatedAt: args.now,
      };
    case 'dead_letter':
      return finish(base, 'dead_lettered', args.now, args.retentionMs);
    case 'fail':
      return finish(base, 'failed', args.now, args.retentionMs);
  }
}

/** The holder stops because a cancel was requested: running -> cancelled. */
export function cancelHeld(
  jobId: string,
  job: JobDoc | null,
  holder: Holder,
  args: { now: number; retentionMs: number },
): JobDoc {
  const held = assertHolder(jobId, job, holder, args.now);
  return finish(held, 'cancelled', args.now, args.retentionMs);
}

/**
 * The holder gives the job back without a verdict (shutdown, or flow control refused a
 * permit). The attempt is refunded: it never reached the upstream. With `availableAt` in the
 * future the job waits (status `waiting`), otherwise it is claimable at once.
 */
export function releaseJob(
  jobId: string,
  job: JobDoc | null,
  holder: Holder,
  args: { now: number; availableAt: number | null },
): JobDoc {
  const held = assertHolder(jobId, job, holder, args.now);
  const wait = args.availableAt !== null && args.availableAt > args.now;
  return {
    ...held,
    status: wait ? 'waiting' : 'queued',
    lease: null,
    // Jobs admitted before claim shards existed get one when they go back to the queue.
    shard: held.shard ?? shardOf(jobId),
    attempts: Math.max(0, held.attempts - 1),
    availableAt: wait ? args.availableAt : null,
    progress: null,
    ...NO_POSITION,
    updatedAt: args.now,
  };
}

/** True when a running job's lease has expired by `now` (store time). */
export function leaseExpired(job: JobDoc, now: number): boolean {
  return job.status === 'running' && (job.lease === null || job.lease.expiresAt <= now);
}

/**
 * Reclaims a running job whose lease expired (its worker died or stalled). The attempt counts:
 * a job that keeps killing workers must end in dead letters, not loop forever. A pending
 * cancel request wins.
 */
export function reclaimExpired(
  jobId: string,
  job: JobDoc,
  args: { now: number; retentionMs: number; by: string; ownerLost?: boolean },
): JobDoc {
  // `ownerLost`: the holder's server was declared dead (heartbeat timeout), so its lease is
  // void even if not yet expired; fencing stops it if it was only partitioned.
  if (job.status !== 'running' || (!args.ownerLost && !leaseExpired(job, args.now))) {
    throw InvalidTransitionError.forJob(jobId, job.status, 'reclaimed', ['running (with an expired lease)' as JobStatus]);
  }
  if (job.cancelRequest) return finish(job, 'cancelled', args.now, args.retentionMs);
  const owner = job.lease?.owner ?? 'unknown';
  const error: JobError = {
    at: args.now,
    attempt: job.attempts,
    errorClass: 'lease_lost',
    code: null,
    message: args.ownerLost
      ? `server ${owner} stopped heartbeating; job reclaimed by ${args.by}`
      : `lease of ${owner} expired at ${new Date(job.lease?.expiresAt ?? args.now).toISOString()}; reclaimed by ${args.by}`,
    retryAfterMs: null,
    serverId: owner,
    model: null,
  };
  const decision: FailureDecision =
    job.attempts >= job.maxAttempts
      ? { kind: 'dead_letter', reason: 'attempts exhausted', charge: 'attempt' }
      : { kind: 'retry', delayMs: 0, availableAt: args.now, charge: 'attempt', busySince: job.busySince, busyAnswers: job.busyAnswers };
  const failed = applyFailure(job, { now: args.now, error, decision, retentionMs: args.retentionMs });
  // A crash is not upstream pressure: make it claimable again at once, keeping its rank.
  return failed.status === 'waiting' ? { ...failed, status: 'queued', availableAt: null, shard: failed.shard ?? shardOf(jobId) } : failed;
}

/** waiting -> queued once the backoff has passed. */
export function promoteWaiting(jobId: string, job: JobDoc, now: number): JobDoc {
  if (job.status !== 'waiting') throw InvalidTransitionError.forJob(jobId, job.status, 'promoted', ['waiting']);
  return { ...job, status: 'queued', availableAt: null, shard: job.shard ?? shardOf(jobId), updatedAt: now };
}

/** Cancels a job nobody holds (submitted, queued or waiting). */
export function cancelUnheld(
  job: JobDoc,
  args: { now: number; by: string; reason: string | null; retentionMs: number },
): JobDoc {
  return {
    ...finish(job, 'cancelled', args.now, args.retentionMs),
    cancelRequest: job.cancelRequest ?? { at: args.now, by: args.by, reason: args.reason },
  };
}

// ---------- the operator's transitions ----------

/** Statuses an operator may cancel (a running job gets a cancel request; its holder finishes it). */
export const CANCELLABLE_STATUSES: readonly JobStatus[] = ['submitted', 'queued', 'waiting', 'running'];
/** waiting: skip the rest of the backoff; failed: a fresh attempt budget. */
export const RETRYABLE_STATUSES: readonly JobStatus[] = ['waiting', 'failed'];
/** Out of the dead letters (or a failed job), with a fresh attempt budget. */
export const REDRIVABLE_STATUSES: readonly JobStatus[] = ['dead_lettered', 'failed'];

export type OperatorJobAction = 'cancel' | 'retry' | 'redrive';

export interface OperatorJobStep {
  job: JobDoc;
  /** The job no longer needs its audio chunks: delete them (a cancel of a job nobody holds). */
  releasesPayload: boolean;
}

/** Back to the queue by an operator's hand (retry, redrive). */
function requeue(jobId: string, job: JobDoc, now: number, patch: Partial<JobDoc>): JobDoc {
  return {
    ...job,
    status: 'queued',
    shard: job.shard ?? shardOf(jobId),
    availableAt: null,
    lease: null,
    cancelRequest: null,
    completedAt: null,
    expireAt: null,
    result: null,
    progress: null,
    // Keeps its original rank: a job an operator sends back has already waited its turn.
    rank: job.rank ?? now,
    updatedAt: now,
    ...patch,
  };
}

/**
 * An operator's action on one job; throws `InvalidTransitionError` when its status does not
 * allow it and `PayloadGoneError` when a retry or redrive would run without audio.
 * - cancel: a job nobody holds is cancelled now (`cancelUnheld`); a running one gets a cancel
 *   request, and its holder (which listens to its running jobs) aborts the upstream call and
 *   finishes it as `cancelled` with a fenced write, or lease reclaim does if it died. A
 *   request already made is refused: nothing would change, so nothing could be audited.
 * - retry: waiting skips the rest of its backoff; failed gets a fresh attempt budget.
 * - redrive: a fresh attempt budget and one more on `redriveCount`.
 */
export function operateJob(
  jobId: string,
  job: JobDoc,
  action: OperatorJobAction,
  args: { now: number; by: string; reason: string | null; retentionMs: number },
): OperatorJobStep {
  const { now } = args;
  const from = job.status;
  switch (action) {
    case 'cancel': {
      if (!CANCELLABLE_STATUSES.includes(from)) throw InvalidTransitionError.forJob(jobId, from, 'cancelled', CANCELLABLE_STATUSES);
      if (from === 'running') {
        if (job.cancelRequest) {
          throw new InvalidTransitionError(jobId, from, 'cancelled', `cancellation of job ${jobId} was already requested`);
        }
        return { job: { ...job, cancelRequest: { at: now, by: args.by, reason: args.reason }, updatedAt: now }, releasesPayload: false };
      }
      return { job: cancelUnheld(job, args), releasesPayload: job.payloadDeletedAt === null };
    }
    case 'retry':
      if (!RETRYABLE_STATUSES.includes(from)) throw InvalidTransitionError.forJob(jobId, from, 'retried', RETRYABLE_STATUSES);
      if (job.payloadDeletedAt !== null) throw new PayloadGoneError(jobId);
      return { job: requeue(jobId, job, now, from === 'failed' ? { attempts: 0 } : {}), releasesPayload: false };
    case 'redrive':
      if (!REDRIVABLE_STATUSES.includes(from)) throw InvalidTransitionError.forJob(jobId, from, 'redriven', REDRIVABLE_STATUSES);
      if (job.payloadDeletedAt !== null) throw new PayloadGoneError(jobId);
      return { job: requeue(jobId, job, now, { attempts: 0, redriveCount: job.redriveCount + 1 }), releasesPayload: false };
  }
}

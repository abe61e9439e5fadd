import type { WorkerConfigInput } from '../schema/config.js';
import type { Job, JobDoc, Priority } from '../schema/job.js';
import type { SubmissionInput, SubmissionRequest } from '../core/submission.js';
import { QueueError, ValidationError } from '../core/errors.js';
import type { EnterpriseStats } from '../engine/analytics/stats.js';
import type { EnqueueResult } from '../engine/admission.js';
import type { Queue } from '../runtime/queue.js';

/**
 * The design document's names over our queue (worker/README.md has the whole mapping).
 * `EnterpriseQueueConfig` is our configuration's input type: every field the document lists
 * (maxConcurrentRequests, maxQueueSize, requestTimeoutMs, circuitBreaker, rateLimiting,
 * serverCoordination) has the document's name and meaning, all optional with defaults.
 */
export type EnterpriseQueueConfig = WorkerConfigInput;

/** The audio of a request: a data URI (the document's form) or bytes with a media type. */
export type EnterpriseTranscriptionInput =
  | { audioDataUri: string }
  | { audio: Uint8Array | ArrayBuffer; mimeType: SubmissionInput['mimeType'] };

export interface EnterpriseQueueOptions {
  priority?: Priority;
  /** Whose request: their rate limit and fair share. */
  userId: string;
  /** The user's e-mail, recorded on the job so the console finds it by e-mail (optional). */
  userEmail?: string | null;
  sessionId?: string | null;
  /** Up to 32 keys of `[A-Za-z0-9_.-]`, string/number/boolean/null values. */
  metadata?: JobDoc['metadata'];
  /** The same key again within the retention returns the first request instead of a new one. */
  idempotencyKey?: string | null;
}

export interface EnterpriseQueueResult {
  requestId: string;
  /** Jobs ahead of this one among claimable jobs (0 = next). */
  position: number;
  /** Seconds until this request is expected to start (the fleet's recent pace; a deferral included). */
  estimatedWait: number;
  /**
   * The design document's "graceful queuing": the user was over their rate limit, so the
   * request is queued to start at this time (ms since the epoch) instead of refused. Null when
   * it may start now. (`rateLimiting.whenExceeded: 'reject'` refuses with RateLimitedError.)
   */
  deferredUntil: number | null;
  rateLimitInfo: {
    /** Requests this user may still submit in the current window. */
    remaining: number;
    /** When the window admits the next request (ms since the epoch). */
    resetAt: number;
  };
  /** True when `idempotencyKey` matched an earlier request: nothing new was queued. */
  duplicate: boolean;
}

/** The request ended without a transcript (failed, dead-lettered or cancelled). */
export class TranscriptionFailedError extends QueueError {
  constructor(readonly job: Job) {
    const last = job.errors.at(-1);
    super('TRANSCRIPTION_FAILED', `request ${job.id} ended ${job.status}${last ? `: ${last.message}` : ''}`);
  }
}

function toEnqueueInput(input: EnterpriseTranscriptionInput, options: EnterpriseQueueOptions): SubmissionRequest {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError([{ path: 'input', message: 'must be { audioDataUri } or { audio, mimeType }' }], 'submission');
  }
  if (options === null || typeof options !== 'object' || typeof options.userId !== 'string') {
    throw new ValidationError([{ path: 'userId', message: 'is required: rate limits and fair share are per user' }], 'submission');
  }
  const common = {
    userId: options.userId,
    ...(options.userEmail === undefined ? {} : { userEmail: options.userEmail }),
    priority: options.priority,
    sessionId: options.sessionId ?? null,
    metadata: options.metadata,
    idempotencyKey: options.idempotencyKey ?? null,
  };
  return 'audioDataUri' in input ? { ...common, audioDataUri: input.audioDataUri } : { ...common, audio: input.audio, mimeType: input.mimeType };
}

export function toEnterpriseResult(result: EnqueueResult): EnterpriseQueueResult {
  return {
    requestId: result.requestId,
    position: result.position,
    estimatedWait: Math.round(result.estimatedWaitMs / 100) / 10,
    deferredUntil: result.deferredUntil,
    rateLimitInfo: { remaining: result.rateLimit.remaining, resetAt: result.rateLimit.resetAt },
    duplicate: result.duplicate,
  };
}

/**
 * The document's `enterpriseQueue`: thin over `Queue` (`queue` gives the whole API: controls,
 * locks, jobs). Phase 1 (one process, in memory) and Firestore fleets answer alike.
 */
export class EnterpriseTranscriptionQueue {
  constructor(
    readonly queue: Queue,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  /** Queues a request; resolves once it is admitted (or refused with a typed error). */
  async queueEnterpriseTranscription(input: EnterpriseTranscriptionInput, options: EnterpriseQueueOptions): Promise<EnterpriseQueueResult> {
    return toEnterpriseResult(await this.queue.enqueue(toEnqueueInput(input, options)));
  }

  /** The document's phase 1/2 form: resolves with the request id only. */
  async queueTranscription(input: EnterpriseTranscriptionInput, options: EnterpriseQueueOptions): Promise<string> {
    return (await this.queueEnterpriseTranscription(input, options)).requestId;
  }

  /** The transcript once the request succeeds; `TranscriptionFailedError` when it ends otherwise. */
  async waitForTranscription(requestId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const job = await this.queue.waitForJob(requestId, options);
    if (job.status !== 'succeeded' || !job.result) throw new TranscriptionFailedError(job);
    return job.result.transcript;
  }

  /** The document's stats: `servers` is the list of live servers (`stats.servers.length`). */
  getEnterpriseStats(): Promise<EnterpriseStats> {
    return this.queue.getEnterpriseStats();
  }

  /** Stops what this instance started (the in-memory worker, the Firestore client). */
  close(): Promise<void> {
    return this.onClose();
  }
}

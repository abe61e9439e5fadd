import type { JobStatus } from '../schema/job.js';

/**
 * Typed errors of the queue engine. Every failure a caller can hit has its own class and a
 * stable `code`, so HTTP handlers, the React hook and the dashboard can branch on it without
 * parsing messages. Browser-safe (no Node imports).
 */
export type QueueErrorCode =
  | 'VALIDATION'
  | 'PAYLOAD_TOO_LARGE'
  | 'PAYLOAD_INVALID'
  | 'PAYLOAD_GONE'
  | 'QUEUE_FULL'
  | 'RATE_LIMITED'
  | 'SUBMISSION_THROTTLED'
  | 'NOT_FOUND'
  | 'INVALID_TRANSITION'
  | 'LEASE_LOST'
  | 'LOCK_HELD'
  | 'LOCK_NOT_HELD'
  | 'SHUTTING_DOWN'
  | 'TRANSCRIPTION_FAILED'
  | 'QUEUE_CONFIG';

export class QueueError extends Error {
  readonly code: QueueErrorCode;
  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export class ValidationError extends QueueError {
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], what = 'input') {
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super('VALIDATION', `invalid ${what}: ${summary}`);
    this.issues = issues;
  }

  /** From zod issues (`error.issues`), without importing zod types into callers. */
  static fromIssues(
    issues: readonly { path: readonly PropertyKey[]; message: string }[],
    what?: string,
  ): ValidationError {
    return new ValidationError(
      issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      what,
    );
  }
}

export class PayloadTooLargeError extends QueueError {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super('PAYLOAD_TOO_LARGE', `audio is ${bytes} bytes; the limit is ${maxBytes} bytes`);
  }
}

export class PayloadInvalidError extends QueueError {
  constructor(message: string) {
    super('PAYLOAD_INVALID', message);
  }
}

export class PayloadGoneError extends QueueError {
  constructor(readonly jobId: string) {
    super('PAYLOAD_GONE', `job ${jobId} no longer has its audio (deleted after it finished); submit it again`);
  }
}

export class QueueFullError extends QueueError {
  constructor(
    readonly queued: number,
    readonly maxQueueSize: number,
  ) {
    super('QUEUE_FULL', `the queue is full (${queued} waiting jobs, limit ${maxQueueSize}); try again later`);
  }
}

export class RateLimitedError extends QueueError {
  constructor(
    readonly userId: string,
    readonly retryAfterMs: number,
    readonly resetAt: number,
  ) {
    super('RATE_LIMITED', `user ${userId} is over the submission rate limit; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

export class NotFoundError extends QueueError {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super('NOT_FOUND', `${kind} ${id} does not exist`);
  }
}

export class InvalidTransitionError extends QueueError {
  constructor(
    readonly targetId: string,
    readonly current: string,
    readonly action: string,
    message: string,
  ) {
    super('INVALID_TRANSITION', message);
  }

  static forJob(jobId: string, status: JobStatus, verb: string, allowed: readonly JobStatus[]): InvalidTransitionError {
    const list =
      allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
    return new InvalidTransitionError(jobId, status, verb, `job ${jobId} is ${status}; only ${list} jobs can be ${verb}`);
  }
}

/**
 * A holder write (heartbeat, progress, completion, failure, release) whose lease no longer
 * holds: the fencing token moved on, the lease expired by Firestore time, or the job left
 * `running`. Nothing was written.
 */
export class LeaseLostError extends QueueError {
  constructor(
    readonly jobId: string,
    readonly owner: string,
    readonly token: number,
    readonly reason: string,
  ) {
    super('LEASE_LOST', `lease on job ${jobId} (owner ${owner}, token ${token}) is lost: ${reason}`);
  }
}

export class LockHeldError extends QueueError {
  constructor(
    readonly lockName: string,
    readonly holder: string,
    readonly expiresAt: number,
  ) {
    super('LOCK_HELD', `lock ${lockName} is held by ${holder} until ${new Date(expiresAt).toISOString()}`);
  }
}

export class LockNotHeldError extends QueueError {
  constructor(
    readonly lockName: string,
    readonly token: number,
    reason: string,
  ) {
    super('LOCK_NOT_HELD', `lock ${lockName} (token ${token}) is no longer held: ${reason}`);
  }
}

export class ShuttingDownError extends QueueError {
  constructor(what = 'queue') {
    super('SHUTTING_DOWN', `the ${what} is shutting down`);
  }
}

export function isQueueError(error: unknown): error is QueueError {
  return error instanceof QueueError;
}

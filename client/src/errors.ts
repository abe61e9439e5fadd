/** Why `submit` refused or failed: nothing was written, or only a failed attempt. */
export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  constructor(
    /**
     * The engine's validation code (VALIDATION, PAYLOAD_INVALID, PAYLOAD_TOO_LARGE),
     * SUBMISSION_THROTTLED, PRIORITY_NOT_ALLOWED, or UPLOAD_FAILED (Firestore refused or
     * could not take the write).
     */
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    /** SUBMISSION_THROTTLED: the wait after which the same submission would be accepted. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export type CancelErrorCode =
  /** A cancel request is already recorded (the rules refuse a second one): nothing to do. */
  | 'CANCEL_ALREADY_REQUESTED'
  /** The job finished, or never reached Firestore (uploading, upload failed). */
  | 'NOT_CANCELLABLE'
  /** Not one of this user's jobs (another user's, or no such job). */
  | 'UNKNOWN_REQUEST'
  /** Firestore refused or could not take the write (offline, permission). */
  | 'CANCEL_FAILED';

/** Why `cancel` wrote nothing. Check `request.canCancel` first to avoid the no-op cases. */
export class CancelError extends Error {
  override readonly name = 'CancelError';
  constructor(
    readonly code: CancelErrorCode,
    message: string,
    readonly requestId: string,
  ) {
    super(message);
  }
}

/** Turns a thrown value (a Firestore error included) into a sentence an end user can act on. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'permission-denied') return 'Permission denied: your account may not do this.';
    if (code === 'unavailable') return 'The queue is unreachable right now (offline?); nothing was changed. Try again.';
    return error.message;
  }
  return String(error);
}

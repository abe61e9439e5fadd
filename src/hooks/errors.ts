/** Why `queueTranscription` refused or failed (nothing, or only a failed attempt, was written). */
export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  constructor(
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
  /** This hook does not know the request (another user's, or not loaded). */
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

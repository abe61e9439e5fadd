/**
 * Firestore/gRPC status codes and the one error type every layer throws. Front ends map it
 * to a gRPC status or an HTTP status + JSON error body.
 */
export const STATUS_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type StatusName = keyof typeof STATUS_CODES;

/** HTTP status Google's REST front end uses for each canonical code. */
export const HTTP_STATUS: Record<StatusName, number> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

export class FirestoreError extends Error {
  override readonly name = 'FirestoreError';
  constructor(
    readonly status: StatusName,
    message: string,
  ) {
    super(message);
  }

  get code(): number {
    return STATUS_CODES[this.status];
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.status];
  }

  /** The `google.rpc.Status` JSON shape (used in BatchWrite results and Listen causes). */
  toStatus(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const invalidArgument = (message: string): FirestoreError => new FirestoreError('INVALID_ARGUMENT', message);
export const notFound = (message: string): FirestoreError => new FirestoreError('NOT_FOUND', message);
export const alreadyExists = (message: string): FirestoreError => new FirestoreError('ALREADY_EXISTS', message);
export const failedPrecondition = (message: string): FirestoreError =>
  new FirestoreError('FAILED_PRECONDITION', message);
export const aborted = (message: string): FirestoreError => new FirestoreError('ABORTED', message);
export const permissionDenied = (message = 'Missing or insufficient permissions.'): FirestoreError =>
  new FirestoreError('PERMISSION_DENIED', message);
export const internal = (message: string): FirestoreError => new FirestoreError('INTERNAL', message);

/** Any thrown value as a FirestoreError: unknown errors become INTERNAL (never leak a crash). */
export function toFirestoreError(err: unknown): FirestoreError {
  if (err instanceof FirestoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return internal(`Internal emulator error: ${message}`);
}

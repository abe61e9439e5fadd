/** Typed errors of the dashboard's data layer (engine errors come from `@fq/worker/core`). */
export class CorruptDocumentError extends Error {
  override readonly name = 'CorruptDocumentError';
  readonly code = 'CORRUPT_DOCUMENT';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path} cannot be changed from the console because it is malformed (${detail}); fix or delete it first`);
  }
}

/** Turns any thrown value into a sentence an operator can act on. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'permission-denied') return 'Permission denied: your account may not perform this action.';
    if (code === 'unavailable') return 'Firestore is unreachable right now; nothing was changed. Try again.';
    if (code === 'failed-precondition' && /index/i.test(error.message)) {
      return `This query needs a composite index: ${error.message}`;
    }
    return error.message;
  }
  return String(error);
}

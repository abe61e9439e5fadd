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

/**
 * A named `create` of a document that exists: the whole commit is refused and nothing is
 * written. `code` is Firestore's, like the SDK's own errors, so callers check one field.
 */
export class DocumentExistsError extends Error {
  override readonly name = 'DocumentExistsError';
  readonly code = 'already-exists';
  constructor(readonly path: string) {
    super(`${path} already exists; nothing was written`);
  }
}

/** A page cursor this data port does not know (any more): paging must start again. */
export class PageCursorExpiredError extends Error {
  override readonly name = 'PageCursorExpiredError';
  readonly code = 'cursor-expired';
  constructor() {
    super('this page cursor has expired; start again from the first page');
  }
}

/**
 * A query Firestore cannot answer consistently: `in` with null in its list. The web SDK's
 * local engine matches a stored null, the backend does not (`in [1, null]` is `in [1]`), and
 * a read of such a query against the emulator never settles. `querySpec` refuses it.
 */
export class UnsupportedQueryError extends Error {
  override readonly name = 'UnsupportedQueryError';
  readonly code = 'invalid-argument';
  constructor(detail: string) {
    super(`unsupported query: ${detail}`);
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

import { bulkControlDocSchema, bulkProgressSchema, type BulkControlDoc, type BulkProgress } from '../../schema/bulk.js';
import { QueryTooComplexError, UnregisteredQueryError } from '../../schema/queries.js';

/**
 * When a bulk control's carrier gives up on it (state `failed`) rather than trying again
 * (pure; `engine/bulk-carrier` acts on it).
 *
 * The rule: a carrier gives up only on what no carrier could get past by trying again, and
 * only after the same bounded attempts it gives a step. A page query the store refuses as
 * malformed or missing its index (INVALID_ARGUMENT, FAILED_PRECONDITION, ...) fails the same
 * way on every server until an operator deploys the index or fixes the data, so spinning on
 * it as `running` would only hide it; `failed` with the store's words in `progress.lastError`
 * says what to fix, and Resume goes on from the cursor once it is fixed. Everything else
 * (unavailable, deadline, contention, lost credentials of one server, an error this rule
 * does not know) is the store's or the server's passing trouble: the control stays
 * `running`, the carrier hands it back and its watcher tries again, so nothing is lost and
 * nobody has to press Resume after an outage.
 */

/** gRPC status codes (as the Firestore SDKs report them, by number or by name) that no retry fixes. */
const PERMANENT_STATUS: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  9: 'FAILED_PRECONDITION',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
};
const PERMANENT_NAMES = new Set(Object.values(PERMANENT_STATUS));

export type BulkErrorClass = { permanent: true; code: string } | { permanent: false };

/** Whether a store error of a page query is one no retry gets past, and its status name. */
export function classifyBulkError(error: unknown): BulkErrorClass {
  // The memory store's stand-ins for Firestore's refusals: a query without its index, one
  // with too many disjunctions.
  if (error instanceof UnregisteredQueryError) return { permanent: true, code: 'FAILED_PRECONDITION' };
  if (error instanceof QueryTooComplexError) return { permanent: true, code: 'INVALID_ARGUMENT' };
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && PERMANENT_STATUS[code]) return { permanent: true, code: PERMANENT_STATUS[code] };
  if (typeof code === 'string') {
    // firebase-admin: numbers; the web SDK: 'failed-precondition'.
    const name = code.toUpperCase().replace(/-/g, '_');
    if (PERMANENT_NAMES.has(name)) return { permanent: true, code: name };
  }
  return { permanent: false };
}

export type BulkPageFailureDecision =
  /** Try the page query again after `afterMs` (on the carrier's clock). */
  | { kind: 'retry'; afterMs: number }
  /** Give up: the control ends `failed` with this as `progress.lastError`. */
  | { kind: 'give-up'; lastError: string }
  /** Passing trouble that outlasted the attempts: hand the control back (still `running`) for a later try. */
  | { kind: 'hand-back' };

/** The pause before attempt `attempt + 1`, the same as between a step's attempts. */
export const bulkRetryDelayMs = (attempt: number): number => 200 * attempt;

/**
 * What the carrier does after attempt `attempt` (1-based) of a page query failed with
 * `error`, given `attempts` attempts in all.
 */
export function decideBulkPageFailure(error: unknown, attempt: number, attempts: number): BulkPageFailureDecision {
  if (attempt < attempts) return { kind: 'retry', afterMs: bulkRetryDelayMs(attempt) };
  const cls = classifyBulkError(error);
  if (!cls.permanent) return { kind: 'hand-back' };
  const message = error instanceof Error ? error.message : String(error);
  const tries = attempts === 1 ? 'once' : `${attempts} times`;
  return {
    kind: 'give-up',
    lastError: `The store refused the query for the next page (${cls.code}) ${tries}: ${message}`.slice(0, 1_000),
  };
}

/** What is wrong with a stored document, field by field (`DocumentDecodeError.issues`). */
export interface BulkFieldIssue {
  path: string;
  message: string;
}

/**
 * The lease on a bulk control the engine cannot read, field by field: who holds it, until
 * when (an expiry that is missing or cannot be read holds nothing, as a null one does).
 */
export function unreadableBulkLease(raw: Record<string, unknown>): { carrier: string | null; expiresAt: number } {
  const shape = bulkControlDocSchema.shape;
  const carrier = shape.carrier.safeDecode(raw.carrier as never);
  if (!carrier.success || carrier.data === null) return { carrier: null, expiresAt: 0 };
  const expires = shape.carrierExpiresAt.safeDecode(raw.carrierExpiresAt as never);
  return { carrier: carrier.data, expiresAt: expires.success ? (expires.data ?? 0) : 0 };
}

/**
 * A `running` bulk control the engine cannot read (its filter no longer parses, a field was
 * edited by hand, or a newer version wrote something this one does not know): its carrier
 * could never page it, and left alone it would stay `running` for ever (no server carries an
 * unreadable document). The fields to write over it, so it ends `failed` with why, the rest
 * kept as written; null when it is not `running`, or when another server's lease on it still runs (a server that can
 * read it may be carrying it: that one, or whoever takes the lapsed lease, decides).
 */
export function planUnreadableBulk(
  raw: Record<string, unknown>,
  issues: readonly BulkFieldIssue[],
  args: { now: number; serverId: string },
): Partial<BulkControlDoc> | null {
  // Only a running one: a finished or stopped one is nobody's to carry.
  if (raw.state !== 'running') return null;
  const lease = unreadableBulkLease(raw);
  if (lease.carrier !== null && lease.carrier !== args.serverId && lease.expiresAt > args.now) return null;
  const listed = issues
    .slice(0, 5)
    .map((i) => `${i.path || '(document)'}: ${i.message.slice(0, 150)}`)
    .join('; ');
  const lastError =
    `Server ${args.serverId} cannot read this bulk control (${listed}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}), ` +
    'so no server can carry it: fix the document (or run a version that reads it) and Resume.';
  const kept = bulkProgressSchema.safeParse(raw.progress);
  const progress: BulkProgress = { ...(kept.success ? kept.data : bulkProgressSchema.parse({})), lastError: lastError.slice(0, 1_000) };
  return { state: 'failed', stopRequested: false, carrier: null, carrierExpiresAt: null, finishedAt: args.now, updatedAt: args.now, progress };
}

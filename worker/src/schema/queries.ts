import type { CollectionKey } from './names.js';
import { requiredIndex, type IndexRequirement, type QueryFootprint, type QueryShape } from './query-shape.js';

/**
 * Every query the product runs, by shape. The engine (`store.query(queryOf(QUERIES.x, ...))`),
 * the dashboard and the end-user hook (`specOf(QUERIES.x, ...)`) build their queries from
 * these entries, `queries.test.ts` checks that `firestore.indexes.json` declares an index for
 * each one that needs a composite index, and the memory store and the dashboard's test data
 * refuse a query that needs one but matches no entry. So a new query cannot reach real
 * Firestore without its index. Values are supplied by the caller; `param` names a value when
 * one field is filtered twice.
 */
export const QUERIES = {
  // ---------- claiming and admission (engine; the flow's fair-share head uses claimableHead) ----------
  /** Claim order: the lowest ranks first; `priority in` while some priorities are paused. */
  claimableHead: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'priority', op: 'in', optional: true }],
    orderBy: [{ field: 'rank', direction: 'asc' }],
    usedBy: ['engine', 'flow'],
  },
  /**
   * An idle worker's head: claim order within the shards it listens to (see
   * `core/coordination/rendezvous`), so each job is read by a few workers, not by all.
   */
  claimableShardHead: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'priority', op: 'in', optional: true }, { field: 'shard', op: 'in' }],
    orderBy: [{ field: 'rank', direction: 'asc' }],
    usedBy: ['engine'],
  },
  /** Count of claimable jobs ahead of a rank (a job's position). */
  jobsAhead: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'priority', op: 'in', optional: true }, { field: 'rank', op: '<' }],
    orderBy: [],
    usedBy: ['engine'],
  },
  /** Count of jobs in some statuses (queue size for maxQueueSize). */
  jobsInStatuses: { collection: 'jobs', where: [{ field: 'status', op: 'in' }], orderBy: [], usedBy: ['engine'] },
  /** Jobs in one status: counts (stats, bench); paged in id order, the stray-submission sweep. */
  jobsInStatus: { collection: 'jobs', where: [{ field: 'status', op: '==' }], orderBy: [], usedBy: ['engine'] },
  /** Count of claimable jobs of one priority (stats). */
  jobsInStatusAndPriority: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'priority', op: '==' }],
    orderBy: [],
    usedBy: ['engine'],
  },
  /** Client submissions waiting for admission, oldest first. */
  submittedJobs: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }],
    orderBy: [{ field: 'createdAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  /** The oldest claimable job (stats: how long the queue has waited). */
  oldestQueued: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }],
    orderBy: [{ field: 'admittedAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  /** Cancel requests on the jobs one server holds (its listener aborts their calls). */
  cancelRequestsHeldBy: {
    collection: 'jobs',
    where: [{ field: 'lease.owner', op: '==' }, { field: 'cancelRequest', op: '!=' }],
    orderBy: [],
    usedBy: ['engine'],
  },
  /** The audio chunks of one job. */
  payloadChunks: { collection: 'payloads', where: [{ field: 'jobId', op: '==' }], orderBy: [], usedBy: ['engine'] },

  // ---------- maintenance (leader); retention sweeps take `before` ----------
  expiredLeases: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'lease.expiresAt', op: '<=' }],
    orderBy: [{ field: 'lease.expiresAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  jobsHeldBy: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'lease.owner', op: '==' }],
    orderBy: [],
    usedBy: ['engine'],
  },
  dueRetries: {
    collection: 'jobs',
    where: [{ field: 'status', op: '==' }, { field: 'availableAt', op: '<=' }],
    orderBy: [{ field: 'availableAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  /** Servers in some states whose last heartbeat is older than a time (lost / retired servers). */
  serversInStatesSilentSince: {
    collection: 'servers',
    where: [{ field: 'state', op: 'in' }, { field: 'heartbeatAt', op: '<=' }],
    orderBy: [],
    usedBy: ['engine'],
  },
  expiredJobs: { collection: 'jobs', where: [{ field: 'expireAt', op: '<=', param: 'before' }], orderBy: [{ field: 'expireAt', direction: 'asc' }], usedBy: ['engine'] },
  expiredIdempotencyKeys: {
    collection: 'idempotency',
    where: [{ field: 'expireAt', op: '<=', param: 'before' }],
    orderBy: [{ field: 'expireAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  expiredRollups: {
    collection: 'analytics',
    where: [{ field: 'expireAt', op: '<=', param: 'before' }],
    orderBy: [{ field: 'expireAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  expiredAuditEntries: {
    collection: 'audit',
    where: [{ field: 'expireAt', op: '<=', param: 'before' }],
    orderBy: [{ field: 'expireAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  expiredAlertEvents: {
    collection: 'alerts',
    where: [{ field: 'expireAt', op: '<=', param: 'before' }],
    orderBy: [{ field: 'expireAt', direction: 'asc' }],
    usedBy: ['engine'],
  },
  oldPartials: {
    collection: 'analyticsPartials',
    where: [{ field: 'periodStart', op: '<=', param: 'before' }],
    orderBy: [{ field: 'periodStart', direction: 'asc' }],
    usedBy: ['engine'],
  },
  oldPayloads: {
    collection: 'payloads',
    where: [{ field: 'createdAt', op: '<=', param: 'before' }],
    orderBy: [{ field: 'createdAt', direction: 'asc' }],
    usedBy: ['engine'],
  },

  // ---------- analytics and stats (leader) ----------
  serversInStates: { collection: 'servers', where: [{ field: 'state', op: 'in' }], orderBy: [], usedBy: ['engine'] },
  /** Servers that heartbeated since a time (flow control's fleet view; stats' rate window). */
  serversSeenSince: { collection: 'servers', where: [{ field: 'heartbeatAt', op: '>=' }], orderBy: [], usedBy: ['engine', 'flow'] },
  allBreakers: { collection: 'breakers', where: [], orderBy: [], usedBy: ['engine'] },
  partialsFrom: { collection: 'analyticsPartials', where: [{ field: 'periodStart', op: '>=' }], orderBy: [], usedBy: ['engine'] },
  partialsUpdatedSince: { collection: 'analyticsPartials', where: [{ field: 'updatedAt', op: '>=' }], orderBy: [], usedBy: ['engine'] },
  /** Rollups of one granularity in [from, to) (`to` optional). */
  rollupsBetween: {
    collection: 'analytics',
    where: [
      { field: 'granularity', op: '==' },
      { field: 'periodStart', op: '>=', param: 'from' },
      { field: 'periodStart', op: '<', param: 'to', optional: true },
    ],
    orderBy: [],
    usedBy: ['engine'],
  },

  // ---------- the dashboard (admins) ----------
  serversById: { collection: 'servers', where: [], orderBy: [{ field: 'serverId', direction: 'asc' }], usedBy: ['dashboard'] },
  breakersByModel: { collection: 'breakers', where: [], orderBy: [{ field: 'model', direction: 'asc' }], usedBy: ['dashboard'] },
  /**
   * Breakers in the given states (the console's incident banner on every page: open and
   * half-open ones). The leader rewrites a closed breaker's window summary every few seconds
   * under load; a listener on this query pays nothing for those.
   */
  breakersInStates: { collection: 'breakers', where: [{ field: 'state', op: 'in' }], orderBy: [], usedBy: ['dashboard'] },
  /** Bulk controls in some states: every server listens to the running ones to carry them (engine/bulk-carrier). */
  bulkControlsInStates: { collection: 'bulkControls', where: [{ field: 'state', op: 'in' }], orderBy: [], usedBy: ['engine'] },
  /** The newest bulk controls (the console's "apply to all matching" panel). */
  recentBulkControls: { collection: 'bulkControls', where: [], orderBy: [{ field: 'createdAt', direction: 'desc' }], usedBy: ['dashboard'] },
  budgetsByModel: { collection: 'budgets', where: [], orderBy: [{ field: 'model', direction: 'asc' }], usedBy: ['dashboard'] },
  locksByName: { collection: 'locks', where: [], orderBy: [{ field: 'name', direction: 'asc' }], usedBy: ['dashboard'] },
  /** The newest rollups of one granularity (charts). */
  newestRollups: {
    collection: 'analytics',
    where: [{ field: 'granularity', op: '==' }],
    orderBy: [{ field: 'periodStart', direction: 'desc' }],
    usedBy: ['dashboard'],
  },
  topConsumers: { collection: 'rateLimits', where: [], orderBy: [{ field: 'count', direction: 'desc' }], usedBy: ['dashboard'] },
  /** The alert feed, newest first (one listener on the latest few). */
  alertFeed: { collection: 'alerts', where: [], orderBy: [{ field: 'at', direction: 'desc' }], usedBy: ['dashboard'] },
  /** The audit log, newest first, optionally from a time backwards (paging). */
  auditLog: {
    collection: 'audit',
    where: [{ field: 'at', op: '<=', optional: true }],
    orderBy: [{ field: 'at', direction: 'desc' }],
    usedBy: ['dashboard'],
  },
  /**
   * The audit entries that name one job (the job page's timeline: who redrove, retried or
   * cancelled it, and why), newest first. A single-job control lists its job in `targetIds`
   * as a bulk one lists all of its jobs, so one array-contains finds both.
   */
  auditForJob: {
    collection: 'audit',
    where: [{ field: 'targetIds', op: 'array-contains' }],
    orderBy: [{ field: 'at', direction: 'desc' }],
    usedBy: ['dashboard'],
  },
  /** The job table: any of user, status and a creation-time range, newest first. */
  jobSearch: {
    collection: 'jobs',
    where: [
      { field: 'userId', op: '==', optional: true },
      { field: 'status', op: '==', optional: true },
      { field: 'createdAt', op: '>=', param: 'from', optional: true },
      { field: 'createdAt', op: '<', param: 'to', optional: true },
    ],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    // The engine: a bulk control's pages (engine/bulk-carrier).
    usedBy: ['dashboard', 'engine'],
  },
  /**
   * The job table by the submitter's e-mail (its lowercased copy, so the match ignores case),
   * optionally one status and a creation-time range, newest first. Its own shape, not one more
   * optional filter of `jobSearch`: every combination of optional filters needs its index.
   */
  jobSearchByEmail: {
    collection: 'jobs',
    where: [
      { field: 'userEmailLower', op: '==' },
      { field: 'status', op: '==', optional: true },
      { field: 'createdAt', op: '>=', param: 'from', optional: true },
      { field: 'createdAt', op: '<', param: 'to', optional: true },
    ],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    usedBy: ['dashboard'],
  },
  /**
   * Jobs whose id starts with a prefix: a range on the document id (`__name__`) in id order,
   * served by Firestore's built-in id index (no composite index, so no other filter either).
   */
  jobIdPrefix: {
    collection: 'jobs',
    where: [
      { field: '__name__', op: '>=', param: 'from' },
      { field: '__name__', op: '<', param: 'to' },
    ],
    orderBy: [{ field: '__name__', direction: 'asc' }],
    usedBy: ['dashboard'],
  },

  // ---------- the end-user hook (rules demand userId == uid) ----------
  userJobs: {
    collection: 'jobs',
    where: [{ field: 'userId', op: '==' }],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    usedBy: ['enduser'],
  },
  userJobsInStatuses: {
    collection: 'jobs',
    where: [{ field: 'userId', op: '==' }, { field: 'status', op: 'in' }],
    orderBy: [{ field: 'createdAt', direction: 'desc' }],
    usedBy: ['enduser'],
  },
} as const satisfies Record<string, QueryShape>;

export type QueryName = keyof typeof QUERIES;

/** Every combination of a shape's optional filters, as footprints. */
export function shapeVariants(shape: QueryShape): QueryFootprint[] {
  const optional = shape.where.filter((f) => f.optional);
  const out: QueryFootprint[] = [];
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const where = shape.where.filter((f) => !f.optional || (mask & (1 << optional.indexOf(f))) !== 0);
    out.push({ collection: shape.collection, where, orderBy: shape.orderBy });
  }
  return out;
}

/** Every registered query that needs a composite index, with the index (for the index test). */
export function registeredIndexRequirements(): { name: QueryName; requirement: IndexRequirement }[] {
  const out: { name: QueryName; requirement: IndexRequirement }[] = [];
  for (const [name, shape] of Object.entries(QUERIES) as [QueryName, QueryShape][]) {
    for (const v of shapeVariants(shape)) {
      const requirement = requiredIndex(v);
      if (requirement) out.push({ name, requirement });
    }
  }
  return out;
}

function footprintKey(q: QueryFootprint): string {
  const where = q.where.map((f) => `${f.field}${f.op}`).sort().join('&');
  const order = q.orderBy.map((o) => `${o.field}:${o.direction ?? 'asc'}`).join(',');
  return `${q.collection}?${where}#${order}`;
}

let registered: Map<string, QueryName> | null = null;

/** The registered query this one is an instance of, or null. */
export function registeredQueryName(q: QueryFootprint): QueryName | null {
  if (!registered) {
    registered = new Map();
    for (const [name, shape] of Object.entries(QUERIES) as [QueryName, QueryShape][]) {
      for (const v of shapeVariants(shape)) registered.set(footprintKey(v), name);
    }
  }
  return registered.get(footprintKey(q)) ?? null;
}

/** A query that needs a composite index but is not in the registry (so its index may be missing). */
export class UnregisteredQueryError extends Error {
  override readonly name = 'UnregisteredQueryError';
  constructor(readonly collection: CollectionKey, readonly footprint: string) {
    super(
      `query ${footprint} needs a composite index but matches no entry of QUERIES (worker/src/schema/queries.ts): ` +
        'add its shape there, build the query from it, and declare the index in firestore.indexes.json',
    );
  }
}

/** Throws `UnregisteredQueryError` for a query that needs a composite index and is not registered. */
export function assertRegisteredQuery(q: QueryFootprint): void {
  if (requiredIndex(q) && !registeredQueryName(q)) throw new UnregisteredQueryError(q.collection, footprintKey(q));
}

/**
 * Firestore's cap on one query's disjunctions after conversion to disjunctive normal form:
 * each `in` or `array-contains-any` filter multiplies them by the length of its list
 * (`not-in` does not). A query over it fails with INVALID_ARGUMENT, a listener through its
 * error callback, so builders of `in` filters size them with `queryDisjunctions` first.
 */
export const MAX_QUERY_DISJUNCTIONS = 30;

/** The disjunctions Firestore counts for a conjunction of filters. */
export function queryDisjunctions(where: readonly { op: string; value: unknown }[]): number {
  let terms = 1;
  for (const f of where) if ((f.op === 'in' || f.op === 'array-contains-any') && Array.isArray(f.value)) terms *= Math.max(1, f.value.length);
  return terms;
}

/** A query Firestore would refuse for its number of disjunctions. */
export class QueryTooComplexError extends Error {
  override readonly name = 'QueryTooComplexError';
  constructor(readonly collection: CollectionKey, readonly disjunctions: number) {
    super(`query on ${collection} has ${disjunctions} disjunctions in disjunctive normal form; Firestore allows at most ${MAX_QUERY_DISJUNCTIONS}`);
  }
}

/** Throws `QueryTooComplexError` for a query Firestore would refuse for its disjunctions. */
export function assertQueryDisjunctions(collection: CollectionKey, where: readonly { op: string; value: unknown }[]): void {
  const n = queryDisjunctions(where);
  if (n > MAX_QUERY_DISJUNCTIONS) throw new QueryTooComplexError(collection, n);
}

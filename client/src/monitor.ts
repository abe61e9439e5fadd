import { enterpriseStatsOf, rateLimitUsage, type EnterpriseStats, type RateLimitUsage } from '@fq/worker/core';
import {
  QUERIES,
  serverLivenessSchema,
  SINGLETON_IDS,
  type BreakerDoc,
  type CollectionKey,
  type DocOf,
  type JobDoc,
  type LeaderLeaseDoc,
  type Priority,
  type QueueStatsDoc,
  type RateLimitDoc,
  type ServerDoc,
  type ServerLiveness,
} from '@fq/worker/schema';
import { queryOf } from './refs.js';
import type { DocRef, DocRow, Listener, QueryRef, QueueStore, Unsubscribe } from './store.js';

/**
 * The admin monitor's data layer (`EnterpriseQueueMonitor` in `@fq/client/react` renders
 * it; any other view may use it): the design document's "real-time dashboard" from the
 * documents the fleet publishes, never from job lists. Six listeners, each a document or a
 * small bounded query, so what it costs follows the fleet's size, not the queue's:
 *
 * - `transcription_stats/queue`: queue size per priority and status, success rate,
 *   throughput, latency (the leader refreshes it every few seconds);
 * - live servers (`state in [active, draining]`, at most `serverLimit`): count, states,
 *   heartbeat ages; the leader's lease `transcription_leader/current`;
 * - the circuit breakers (one per model);
 * - the `topUsers` heaviest rate-limit documents (count desc): the rate-limit usage;
 * - the `deadLetters` newest dead-lettered jobs (status == dead_lettered, newest first).
 *
 * Reading them takes an admin of the queue's tenant (`firestore.rules`: admins read every
 * Firequeue collection); a listener the rules refuse is reported in `errors`, the others go on.
 */

export interface QueueMonitorLimits {
  /** Live servers listened to (default 100). */
  serverLimit?: number;
  /** Heaviest users shown with their rate-limit usage (default 5; 0: none). */
  topUsers?: number;
  /** Newest dead letters shown (default 5; 0: none). */
  deadLetters?: number;
}

const DEFAULT_LIMITS: Required<QueueMonitorLimits> = { serverLimit: 100, topUsers: 5, deadLetters: 5 };
const BREAKER_LIMIT = 50;
/** The config's defaults, for a stats document that does not publish the fleet's own yet. */
const DEFAULT_LIVENESS: ServerLiveness = serverLivenessSchema.parse({});

/** Every read the monitor makes, each a document or a bounded query from the registered shapes. */
export function monitorRefs(limits: QueueMonitorLimits = {}) {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return {
    stats: { collection: 'stats', id: SINGLETON_IDS.queueStats } as DocRef<'stats'>,
    leader: { collection: 'leader', id: SINGLETON_IDS.leaderLease } as DocRef<'leader'>,
    servers: queryOf(QUERIES.serversInStates, { state: ['active', 'draining'] }, l.serverLimit),
    breakers: queryOf(QUERIES.breakersByModel, {}, BREAKER_LIMIT),
    topUsers: l.topUsers > 0 ? queryOf(QUERIES.topConsumers, {}, l.topUsers) : null,
    deadLetters: l.deadLetters > 0 ? queryOf(QUERIES.jobSearch, { status: 'dead_lettered' }, l.deadLetters) : null,
  };
}

export type MonitorSource = keyof ReturnType<typeof monitorRefs>;

/** What the monitor's listeners last delivered (undefined: not yet). */
export interface MonitorDocuments {
  stats?: QueueStatsDoc | null;
  leader?: LeaderLeaseDoc | null;
  servers?: ServerDoc[];
  breakers?: { id: string; data: BreakerDoc }[];
  topUsers?: RateLimitDoc[];
  deadLetters?: { id: string; data: JobDoc }[];
}

export interface MonitorUserUsage extends RateLimitUsage {
  userId: string;
  tier: string;
  /** Submissions refused or deferred for this user's limit so far. */
  rejected: number;
}

export interface MonitorDeadLetter {
  requestId: string;
  userId: string;
  priority: Priority;
  createdAt: number;
  /** When it was dead-lettered (its last update). */
  at: number;
  attempts: number;
  /** The last error's message (null when the job recorded none). */
  error: string | null;
}

export interface QueueMonitorSnapshot {
  /** The same figures as the worker's `getEnterpriseStats()` (`enterpriseStatsOf`), live. */
  stats: EnterpriseStats;
  /** Heaviest users first, each with their allowance now. */
  rateLimits: MonitorUserUsage[];
  deadLetters: MonitorDeadLetter[];
  /** Some listener has not delivered its first snapshot yet. */
  loading: boolean;
  /** Listeners that failed (permission denied, a missing index, ...); the others keep going. */
  errors: { source: MonitorSource; message: string }[];
  /** Documents that failed their schema (left out of the figures). */
  invalidDocuments: number;
}

/**
 * The snapshot from what the listeners delivered, as of `now` (store time or a browser's
 * estimate of it: heartbeat ages, the leader's lease and rate-limit windows depend on it).
 * Pure. Server liveness is judged with the settings the leader publishes in the stats
 * document, as the leader itself judges it.
 */
export function queueMonitorSnapshot(
  docs: MonitorDocuments,
  now: number,
  status: { loading?: boolean; errors?: QueueMonitorSnapshot['errors']; invalidDocuments?: number } = {},
): QueueMonitorSnapshot {
  const stats = docs.stats ?? null;
  return {
    stats: enterpriseStatsOf({
      stats,
      servers: docs.servers ?? [],
      breakers: docs.breakers ?? [],
      leader: docs.leader ?? null,
      now,
      liveness: stats?.serverLiveness ?? DEFAULT_LIVENESS,
    }),
    rateLimits: (docs.topUsers ?? []).map((d) => ({ userId: d.userId, tier: d.tier, rejected: d.rejected, ...rateLimitUsage(d, now) })),
    deadLetters: (docs.deadLetters ?? []).map(({ id, data }) => ({
      requestId: id,
      userId: data.userId,
      priority: data.priority,
      createdAt: data.createdAt,
      at: data.updatedAt,
      attempts: data.attempts,
      error: data.errors.at(-1)?.message ?? null,
    })),
    loading: status.loading ?? false,
    errors: status.errors ?? [],
    invalidDocuments: status.invalidDocuments ?? 0,
  };
}

export interface WatchQueueMonitorOptions extends QueueMonitorLimits {
  /** Store time now (default the browser's clock; `client.serverNow` when you have a client). */
  now?: () => number;
  /**
   * Re-derives the time-dependent figures (heartbeat ages, stale servers, rate-limit windows)
   * this often without a new snapshot (default 5,000 ms; 0: only on snapshots).
   */
  tickMs?: number;
}

/**
 * Listens to the monitor's documents and calls `listener` with a fresh snapshot on every
 * change (and every `tickMs`). Returns the function that stops every listener.
 */
export function watchQueueMonitor(store: QueueStore, listener: (snapshot: QueueMonitorSnapshot) => void, options: WatchQueueMonitorOptions = {}): Unsubscribe {
  const refs = monitorRefs(options);
  const now = options.now ?? (() => Date.now());
  const docs: MonitorDocuments = {};
  const invalid = new Map<MonitorSource, number>();
  const failed = new Map<MonitorSource, string>();
  const sources = (Object.keys(refs) as MonitorSource[]).filter((k) => refs[k] !== null);
  let stopped = false;

  const emit = () => {
    if (stopped) return;
    const loading = sources.some((s) => docs[s] === undefined && !failed.has(s));
    listener(
      queueMonitorSnapshot(docs, now(), {
        loading,
        errors: [...failed].map(([source, message]) => ({ source, message })),
        invalidDocuments: [...invalid.values()].reduce((a, b) => a + b, 0),
      }),
    );
  };
  const onError = (source: MonitorSource) => (error: Error) => {
    failed.set(source, error.message);
    emit();
  };
  function watchDoc<K extends CollectionKey>(source: MonitorSource, ref: DocRef<K>, set: (doc: DocOf<K> | null) => void): Unsubscribe {
    const l: Listener<DocRow<DocOf<K>> | null> = {
      next(row) {
        failed.delete(source);
        invalid.set(source, row && !row.ok ? 1 : 0);
        set(row?.ok ? row.data : null);
        emit();
      },
      error: onError(source),
    };
    return store.watchDoc(ref, l);
  }
  function watchQuery<K extends CollectionKey>(source: MonitorSource, ref: QueryRef<K>, set: (rows: { id: string; data: DocOf<K> }[]) => void): Unsubscribe {
    const l: Listener<DocRow<DocOf<K>>[]> = {
      next(rows) {
        failed.delete(source);
        invalid.set(source, rows.filter((r) => !r.ok).length);
        set(rows.flatMap((r) => (r.ok ? [{ id: r.id, data: r.data }] : [])));
        emit();
      },
      error: onError(source),
    };
    return store.watchQuery(ref, l);
  }

  const stops: Unsubscribe[] = [];
  // Each listener is opened even when an earlier one throws (an SDK refusing a query): that
  // source is reported as failed, the others keep the monitor going.
  const open = (source: MonitorSource, start: () => Unsubscribe) => {
    try {
      stops.push(start());
    } catch (error) {
      failed.set(source, error instanceof Error ? error.message : String(error));
    }
  };
  open('stats', () => watchDoc('stats', refs.stats, (d) => (docs.stats = d)));
  open('leader', () => watchDoc('leader', refs.leader, (d) => (docs.leader = d)));
  open('servers', () => watchQuery('servers', refs.servers, (rows) => (docs.servers = rows.map((r) => r.data))));
  open('breakers', () => watchQuery('breakers', refs.breakers, (rows) => (docs.breakers = rows)));
  if (refs.topUsers) open('topUsers', () => watchQuery('topUsers', refs.topUsers!, (rows) => (docs.topUsers = rows.map((r) => r.data))));
  if (refs.deadLetters) open('deadLetters', () => watchQuery('deadLetters', refs.deadLetters!, (rows) => (docs.deadLetters = rows)));
  emit();
  const tickMs = options.tickMs ?? 5_000;
  const timer = tickMs > 0 ? setInterval(emit, tickMs) : null;
  return () => {
    stopped = true;
    if (timer !== null) clearInterval(timer);
    for (const stop of stops) stop();
  };
}

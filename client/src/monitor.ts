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
  type ServerLiveness,
} from '@fq/worker/schema';
import { queryOf } from './refs.js';
import {
  fleetKey,
  leaderJudges,
  liveServerEntries,
  monitorServer,
  serverCheckDueAt,
  serverStateCounts,
  type MonitorServer,
  type ServerCopy,
  type ServerStateCounts,
} from './monitorServers.js';
import type { DocRef, DocRow, Listener, QueryRef, QueueStore, Unsubscribe } from './store.js';

/**
 * The admin monitor's data layer (`EnterpriseQueueMonitor` in `@fq/client/react` renders
 * it; any other view may use it): the design document's "real-time dashboard" from the
 * documents the fleet publishes, never from job lists. What it costs follows the fleet's
 * size, not the queue's, and not the servers' heartbeats (see `monitorRefs`).
 *
 * Reading them takes an admin of the queue's tenant (`firestore.rules`: admins read every
 * Firequeue collection); a read the rules refuse is reported in `errors`, the others go on.
 */

export interface QueueMonitorLimits {
  /** Live servers fetched (default 100). */
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

/**
 * Every read the monitor makes, each a document or a bounded query from the registered shapes.
 *
 * Listened to (five listeners, each paying a read only when its documents change):
 * - `stats`, `transcription_stats/queue`: queue size per priority and status, success rate,
 *   throughput, latency, and the fleet summary (`fleet`: each live server's id, state and
 *   version, changed only when a server joins, leaves or changes state), which is where the
 *   server list comes from; the leader refreshes it every few seconds;
 * - `leader`, the leader's lease `transcription_leader/current`;
 * - `breakers`, the circuit breakers (one per model);
 * - `topUsers`, the heaviest rate-limit documents (count desc): the rate-limit usage;
 * - `deadLetters`, the newest dead-lettered jobs (status == dead_lettered, newest first).
 *
 * Fetched (one-shot reads, never listened to: every worker heartbeat, every 5 s while busy,
 * would cost each open monitor a read):
 * - `servers`, the live server documents (`state in [active, draining]`, at most
 *   `serverLimit`) for the load figures (jobs in flight, concurrency limit, host, heartbeat
 *   age): once on opening, every `serverRefreshMs` (30 s), and at once when the summary's
 *   `changedAt` or its server ids change;
 * - `server(id)`, one server's document, read again only when no leader judges the fleet's
 *   liveness and its heartbeat deadline passes, or when it was silent at the last read
 *   (`serverCheckDueAt`), so a dead server turns stale on time.
 */
export function monitorRefs(limits: QueueMonitorLimits = {}) {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return {
    stats: { collection: 'stats', id: SINGLETON_IDS.queueStats } as DocRef<'stats'>,
    leader: { collection: 'leader', id: SINGLETON_IDS.leaderLease } as DocRef<'leader'>,
    servers: queryOf(QUERIES.serversInStates, { state: ['active', 'draining'] }, l.serverLimit),
    server: (serverId: string): DocRef<'servers'> => ({ collection: 'servers', id: serverId }),
    breakers: queryOf(QUERIES.breakersByModel, {}, BREAKER_LIMIT),
    topUsers: l.topUsers > 0 ? queryOf(QUERIES.topConsumers, {}, l.topUsers) : null,
    deadLetters: l.deadLetters > 0 ? queryOf(QUERIES.jobSearch, { status: 'dead_lettered' }, l.deadLetters) : null,
  };
}

/** A read of the monitor that can fail on its own (`server(id)` reads fall back on `servers`). */
export type MonitorSource = Exclude<keyof ReturnType<typeof monitorRefs>, 'server'>;

/** What the monitor's listeners and fetches last delivered (undefined: not yet). */
export interface MonitorDocuments {
  stats?: QueueStatsDoc | null;
  leader?: LeaderLeaseDoc | null;
  /** The live server documents as last fetched, each with when its read was sent. */
  servers?: ServerCopy[];
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

/**
 * The worker's `getEnterpriseStats()` figures, live; its servers are the live servers of the
 * leader's fleet summary with their load as last fetched (`MonitorServer`).
 */
export type MonitorStats = Omit<EnterpriseStats, 'servers'> & {
  /** Live servers (active or draining): `stats.servers.length` counts them. */
  servers: MonitorServer[];
};

export interface QueueMonitorSnapshot {
  /** The same figures as the worker's `getEnterpriseStats()` (`enterpriseStatsOf`), live. */
  stats: MonitorStats;
  /**
   * Servers in each state: active and draining count the live servers of `stats.servers`,
   * lost the ones the leader's fleet summary declared silent beyond the timeout (null without
   * a summary). Null while nothing says who is there (no summary, no fetch answered yet).
   */
  serverStates: ServerStateCounts | null;
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
 * The snapshot from what the listeners and fetches delivered, as of `now` (store time or a
 * browser's estimate of it: heartbeat ages, the leader's lease and rate-limit windows depend
 * on it). Pure. The servers are those of the stats document's fleet summary with their
 * fetched documents (`liveServerEntries`); server liveness is judged with the settings the
 * leader publishes in the stats document, as the leader itself judges it, as of each fetch.
 */
export function queueMonitorSnapshot(
  docs: MonitorDocuments,
  now: number,
  status: { loading?: boolean; errors?: QueueMonitorSnapshot['errors']; invalidDocuments?: number } = {},
): QueueMonitorSnapshot {
  const stats = docs.stats ?? null;
  const liveness = stats?.serverLiveness ?? DEFAULT_LIVENESS;
  const fleet = stats?.fleet ?? null;
  const entries = liveServerEntries(fleet, docs.servers ?? []);
  const servers = entries.map((e) => monitorServer(e, now, liveness));
  const figures = enterpriseStatsOf({ stats, servers: [], breakers: docs.breakers ?? [], leader: docs.leader ?? null, now, liveness });
  return {
    stats: { ...figures, servers, serverCounts: { total: servers.length, active: servers.filter((s) => s.state === 'active').length } },
    serverStates: serverStateCounts(fleet, entries, docs.servers !== undefined),
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
  /**
   * Fetches the server documents (their load figures and heartbeats) again this often
   * (default 30,000 ms; 0: never on a timer, only on opening and when the fleet summary
   * changes). One read per live server each time.
   */
  serverRefreshMs?: number;
}

/**
 * Listens to the monitor's documents, fetches the server documents now and then (see
 * `monitorRefs`), and calls `listener` with a fresh snapshot on every change (and every
 * `tickMs`). Returns the function that stops every listener and timer.
 */
export function watchQueueMonitor(store: QueueStore, listener: (snapshot: QueueMonitorSnapshot) => void, options: WatchQueueMonitorOptions = {}): Unsubscribe {
  const refs = monitorRefs(options);
  const now = options.now ?? (() => Date.now());
  const refreshMs = options.serverRefreshMs ?? 30_000;
  const docs: MonitorDocuments = {};
  const invalid = new Map<MonitorSource, number>();
  const failed = new Map<MonitorSource, string>();
  const sources = (['stats', 'leader', 'servers', 'breakers', 'topUsers', 'deadLetters'] as const).filter((k) => refs[k] !== null);
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
  const fail = (source: MonitorSource, error: unknown) => {
    failed.set(source, error instanceof Error ? error.message : String(error));
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
      error: (e) => fail(source, e),
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
      error: (e) => fail(source, e),
    };
    return store.watchQuery(ref, l);
  }

  // ---- the server documents: fetched, never listened to ----
  let pollTimer: ReturnType<typeof setTimeout> | null = null;
  let checkTimer: ReturnType<typeof setTimeout> | null = null;
  let fetching = false;
  let fetchAgain = false;
  const checking = new Set<string>();
  const givenUp = new WeakSet<ServerCopy>();
  const fleet = () => docs.stats?.fleet ?? null;
  const entries = () => liveServerEntries(fleet(), docs.servers ?? []);

  /** Reads the server list now; a fetch asked for while one is under way follows it. */
  const fetchServers = () => {
    if (stopped) return;
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
    const readAt = now();
    // Through a promise, so an SDK that throws at once (a refused query) fails like a refused read.
    Promise.resolve()
      .then(() => store.getQuery(refs.servers))
      .then(
        (rows) => {
          failed.delete('servers');
          invalid.set('servers', rows.filter((r) => !r.ok).length);
          // A single server's read sent after this one is newer; any other copy is replaced
          // (a server missing from the answer has left).
          const previous = new Map((docs.servers ?? []).map((c) => [c.doc.serverId, c]));
          docs.servers = rows.flatMap((r) => {
            if (!r.ok) return [];
            const newer = previous.get(r.data.serverId);
            return [newer && newer.readAt > readAt ? newer : { doc: r.data, readAt }];
          });
        },
        (error: unknown) => {
          // The copies already fetched stay shown; the next fetch tries again.
          failed.set('servers', error instanceof Error ? error.message : String(error));
        },
      )
      .finally(() => {
        fetching = false;
        if (stopped) return;
        if (fetchAgain) {
          fetchAgain = false;
          fetchServers();
        } else if (refreshMs > 0) {
          pollTimer = setTimeout(fetchServers, refreshMs);
        }
        emit();
        scheduleChecks();
      });
  };

  /** Reads one server's document again (see `serverCheckDueAt`). */
  const checkServer = (serverId: string, copy: ServerCopy) => {
    checking.add(serverId);
    const readAt = now();
    Promise.resolve()
      .then(() => store.getDoc(refs.server(serverId)))
      .then(
        (row) => {
          // Gone, no longer live or unreadable: the list read shows it as it is now.
          if (!row?.ok || (row.data.state !== 'active' && row.data.state !== 'draining')) return fetchServers();
          const fresh = { doc: row.data, readAt };
          docs.servers = (docs.servers ?? []).map((c) => (c.doc.serverId === serverId && c.readAt < readAt ? fresh : c));
        },
        // A failed read changes nothing, and is not repeated for this copy: the next fetch
        // reads the server again.
        () => void givenUp.add(copy),
      )
      .finally(() => {
        checking.delete(serverId);
        if (stopped) return;
        emit();
        scheduleChecks();
      });
  };

  /** Reads the servers whose check is due, and sets the timer for the next one. */
  const scheduleChecks = () => {
    if (stopped) return;
    if (checkTimer !== null) clearTimeout(checkTimer);
    checkTimer = null;
    const at = now();
    const liveness = docs.stats?.serverLiveness ?? DEFAULT_LIVENESS;
    const judges = leaderJudges(docs.leader ?? null, fleet(), at);
    let next = Infinity;
    for (const entry of entries()) {
      if (entry.copy === null || checking.has(entry.serverId) || givenUp.has(entry.copy)) continue;
      const due = serverCheckDueAt(entry, liveness, judges, refreshMs);
      if (due === null) continue;
      if (due <= at) checkServer(entry.serverId, entry.copy);
      else next = Math.min(next, due);
    }
    if (next !== Infinity) checkTimer = setTimeout(scheduleChecks, next - at);
  };

  let lastFleetKey: string | null = null;
  const onStats = (doc: QueueStatsDoc | null) => {
    docs.stats = doc;
    const key = fleetKey(doc?.fleet ?? null);
    // A server joined, left or changed state: its load is read at once, not at the next fetch.
    // (The first summary needs none: the fetch on opening is under way.)
    if (lastFleetKey !== null && key !== lastFleetKey) fetchServers();
    lastFleetKey = key;
    // The summary and the published liveness settings decide which servers need a read when.
    scheduleChecks();
  };

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
  open('stats', () => watchDoc('stats', refs.stats, onStats));
  open('leader', () =>
    watchDoc('leader', refs.leader, (d) => {
      docs.leader = d;
      // Whether a leader judges the fleet decides which servers need a read at their deadline.
      scheduleChecks();
    }),
  );
  open('breakers', () => watchQuery('breakers', refs.breakers, (rows) => (docs.breakers = rows)));
  if (refs.topUsers) open('topUsers', () => watchQuery('topUsers', refs.topUsers!, (rows) => (docs.topUsers = rows.map((r) => r.data))));
  if (refs.deadLetters) open('deadLetters', () => watchQuery('deadLetters', refs.deadLetters!, (rows) => (docs.deadLetters = rows)));
  fetchServers();
  emit();
  const tickMs = options.tickMs ?? 5_000;
  const timer = tickMs > 0 ? setInterval(emit, tickMs) : null;
  return () => {
    stopped = true;
    if (timer !== null) clearInterval(timer);
    if (pollTimer !== null) clearTimeout(pollTimer);
    if (checkTimer !== null) clearTimeout(checkTimer);
    for (const stop of stops) stop();
  };
}

import { JOB_STATUSES, PRIORITIES, type JobStatus, type Priority } from '../../schema/job.js';
import type { QueueStatsDoc, RollupBody } from '../../schema/analytics.js';
import { SINGLETON_IDS } from '../../schema/names.js';
import { emptyRollupBody, mergeBodies, MINUTE_MS, percentile, periodStart } from '../../core/analytics/rollup.js';
import { completedJobs, throughputPerMin as rateOver } from '../../core/analytics/throughput.js';
import { QUERIES } from '../../schema/queries.js';
import { enterpriseStatsOf, type EnterpriseStats } from '../../core/analytics/enterprise-stats.js';
import { at, queryOf, type DocStore } from '../../ports/store.js';
import type { EngineContext } from '../context.js';
import { fleetSummaryOf } from './fleet-summary.js';

/** Shortest span a rate is measured over (a fleet seconds old would give noise). */
const MIN_COVERED_MS = 2_000;

const ACTIVE: readonly JobStatus[] = ['submitted', 'queued', 'waiting', 'running'];
/**
 * Counted on every run although terminal: dead letters are few, and they are what an
 * operator acts on (the console's red count, the "dead letters growing" alert). Counted only
 * with the others every `terminalEveryMs`, a new one showed up to a minute late while busy,
 * and minutes late on an idle fleet, whose leader refreshes the stats on events only.
 */
const EVERY_RUN_TERMINAL: readonly JobStatus[] = ['dead_lettered'];
const TERMINAL: readonly JobStatus[] = JOB_STATUSES.filter((s) => !ACTIVE.includes(s) && !EVERY_RUN_TERMINAL.includes(s));

/**
 * Leader duty: refreshes `transcription_stats/queue`, the one small document that dashboards
 * and end users read for queue depth, throughput, ETA and whether the queue is paused
 * (copied from the controls document, which end users may not read). Active statuses are
 * counted with aggregations every run, and dead letters too; the other terminal ones (large,
 * slow-changing) every `terminalEveryMs`.
 */
export class StatsRefresher {
  private terminal: Record<string, number> = {};
  private lastTerminal = 0;
  /** The document this leader wrote last (positions use its throughput without a read). */
  latest: QueueStatsDoc | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly leader: () => { id: string | null; term: number },
    private readonly options: {
      terminalEveryMs?: number;
      windowMinutes?: number;
      /** Recent activity from the leader's merger (saves reading the minute rollups). */
      recent?: (minutes: number) => RollupBody | null;
    } = {},
  ) {}

  async run(): Promise<QueueStatsDoc> {
    const store = this.ctx.store;
    const now = store.now();
    const count = (status: JobStatus) => store.count(queryOf(QUERIES.jobsInStatus, { status }));
    // `queued` is the sum of the per-priority counts: one aggregation fewer per run.
    const byPriority = await Promise.all(
      PRIORITIES.map((priority) => store.count(queryOf(QUERIES.jobsInStatusAndPriority, { status: 'queued', priority }))),
    );
    const active = await Promise.all(
      ACTIVE.map((s) => (s === 'queued' ? Promise.resolve(byPriority.reduce((a, b) => a + b, 0)) : count(s))),
    );
    if (now - this.lastTerminal >= (this.options.terminalEveryMs ?? 60_000)) {
      const terminal = await Promise.all(TERMINAL.map((s) => count(s)));
      this.terminal = { ...this.terminal, ...Object.fromEntries(TERMINAL.map((s, i) => [s, terminal[i]!])) };
      this.lastTerminal = now;
    }
    const everyRun = await Promise.all(EVERY_RUN_TERMINAL.map((s) => count(s)));
    this.terminal = { ...this.terminal, ...Object.fromEntries(EVERY_RUN_TERMINAL.map((s, i) => [s, everyRun[i]!])) };
    const windowMinutes = this.options.windowMinutes ?? 5;
    // Servers seen during the window (active ones, and ones that stopped in it).
    const seen = await store.query(queryOf(QUERIES.serversSeenSince, { heartbeatAt: at(now - windowMinutes * MINUTE_MS) }));
    const servers = seen.docs.filter((d) => d.data.state === 'active');
    const controls = (await store.get('controls', SINGLETON_IDS.queueControls)).doc;
    // The window's buckets: the current minute and the whole ones before it (what `recent` merges).
    const windowFrom = periodStart(now, 'minute') - (windowMinutes - 1) * MINUTE_MS;
    let body = this.options.recent?.(windowMinutes) ?? null;
    if (!body) {
      const rollups = await store.query(queryOf(QUERIES.rollupsBetween, { granularity: 'minute', from: at(windowFrom) }));
      body = emptyRollupBody();
      for (const r of rollups.docs) body = mergeBodies(body, r.data);
    }
    const oldest = await store.query(queryOf(QUERIES.oldestQueued, { status: 'queued' }, { limit: 1 }));

    const c = body.counters;
    const finished = completedJobs(c);
    const inFlight = servers.reduce((s, d) => s + d.data.inFlight, 0);
    // The one throughput definition (core/analytics/throughput) over the window's buckets,
    // from the fleet's start if later: a fleet that started ten seconds ago has not had five
    // minutes to finish jobs, and dividing by five would make every ETA built on this rate
    // dozens of times too long. The window was divided by 5 whole minutes while its buckets
    // covered 4 and part of the current one. (The console states its own 15 minute window.)
    const fleetSince = Math.min(now, ...seen.docs.map((d) => d.data.startedAt));
    const throughputPerMin = rateOver(finished, { from: Math.min(now - MIN_COVERED_MS, Math.max(windowFrom, fleetSince)), to: now });
    const ops = c.firestoreReads + c.firestoreWrites + c.firestoreDeletes;
    const leader = this.leader();
    const doc: QueueStatsDoc = {
      at: now,
      leaderId: leader.id,
      leaderTerm: leader.term,
      queuedByPriority: Object.fromEntries(PRIORITIES.map((p, i) => [p, byPriority[i]!])) as Record<Priority, number>,
      byStatus: Object.fromEntries(
        JOB_STATUSES.map((s) => [s, ACTIVE.includes(s) ? active[ACTIVE.indexOf(s)]! : (this.terminal[s] ?? 0)]),
      ) as Record<JobStatus, number>,
      inFlight,
      activeServers: servers.length,
      throughputPerMin,
      successRate: finished > 0 ? c.succeeded / finished : null,
      p50Ms: percentile(body.latency, 0.5),
      p95Ms: percentile(body.latency, 0.95),
      // Little's law: mean service time = jobs in service / completion rate.
      avgServiceMs: throughputPerMin > 0 && inFlight > 0 ? (inFlight / throughputPerMin) * MINUTE_MS : null,
      fleetConcurrency: servers.reduce((s, d) => s + d.data.concurrencyLimit, 0),
      oldestQueuedAt: oldest.docs[0]?.data.admittedAt ?? null,
      firestoreOpsPerJob: c.succeeded > 0 ? ops / c.succeeded : null,
      paused: controls?.paused ?? false,
      pausedPriorities: controls?.pausedPriorities ?? [],
      positionWindow: this.ctx.config.queuePositions.enabled ? this.ctx.config.queuePositions.headSize : 0,
      submissionQuota: this.ctx.config.submissionQuota,
      serverLiveness: {
        heartbeatIntervalMs: this.ctx.config.serverCoordination.heartbeatIntervalMs,
        serverTimeoutMs: this.ctx.config.serverCoordination.serverTimeoutMs,
      },
      controlRetention: { finishedJobsMs: this.ctx.config.retention.finishedJobsMs, auditMs: this.ctx.config.retention.auditMs },
      // From the servers read above: no read of its own, and unchanged by heartbeats.
      fleet: fleetSummaryOf(
        seen.docs.map((d) => d.data),
        this.latest?.fleet ?? null,
        now,
      ),
    };
    this.latest = doc;
    await store.commit([{ op: 'set', collection: 'stats', id: SINGLETON_IDS.queueStats, data: doc }]);
    return doc;
  }
}

export type { EnterpriseServer, EnterpriseStats } from '../../core/analytics/enterprise-stats.js';

/**
 * The seed's `getEnterpriseStats()`: a few small documents, no job lists, made into figures
 * by the pure `enterpriseStatsOf` (the browser monitor uses the same function). A server is
 * stale by the fleet's one rule (`isServerStale`): silent for `serverTimeoutMs` beyond the
 * heartbeat interval it advertised (an idle server heartbeats slowly and says so).
 */
export async function getEnterpriseStats(store: DocStore, serverTimeoutMs: number, heartbeatIntervalMs = 5_000): Promise<EnterpriseStats> {
  const [stats, servers, breakers, leader] = await Promise.all([
    store.get('stats', SINGLETON_IDS.queueStats),
    store.query(queryOf(QUERIES.serversInStates, { state: ['active', 'draining'] })),
    store.query(queryOf(QUERIES.allBreakers, {})),
    store.get('leader', SINGLETON_IDS.leaderLease),
  ]);
  return enterpriseStatsOf({
    stats: stats.doc,
    servers: servers.docs.map((d) => d.data),
    breakers: breakers.docs.map((d) => ({ id: d.id, data: d.data })),
    leader: leader.doc,
    now: servers.readTime,
    liveness: { serverTimeoutMs, heartbeatIntervalMs },
  });
}

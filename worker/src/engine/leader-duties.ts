import { fleetIsQuiet, ACTIVE_JOB_STATUSES } from '../core/coordination/fleet-mode.js';
import { MINUTE_MS } from '../core/analytics/rollup.js';
import { QUERIES } from '../schema/queries.js';
import { at, queryOf, type Unsubscribe } from '../ports/store.js';
import type { TimerHandle } from '../ports/clock.js';
import type { EngineContext } from './context.js';
import type { Maintenance } from './maintenance.js';
import type { RollupMerger } from './analytics/merger.js';
import type { StatsRefresher } from './analytics/stats.js';
import type { PositionRefresher } from './queue-positions.js';
import type { StraySubmissionSweep } from './unreadable-submissions.js';
import type { IdleAwareDuty, IdleGate } from './fleet-mode.js';
import type { AlertMonitor } from './alerts/alert-monitor.js';
import { listenResilient } from './resilient-listen.js';
import { fleetChanged } from './analytics/fleet-summary.js';

/** Partials written in a burst (the fleet's last flushes) are merged once, this long after the first. */
const PARTIALS_DEBOUNCE_MS = 1_000;
/** Partials carry their writer's clock: the idle listener looks this far before the merger's last read. */
const PARTIALS_SKEW_MS = 10_000;

/**
 * How the leader tells an idle fleet, and what wakes it (see `core/coordination/fleet-mode`).
 *
 * Quiet: the stats duty's last counts show no active job and no job in flight. Those counts
 * are what the leader computes anyway while busy, so deciding costs no extra read.
 *
 * While idle, change is detected by listeners, which Firestore bills only when a document
 * enters or changes in their result:
 * - the first active job (`status in [submitted, queued, waiting, running]`, limit 1) wakes
 *   the fleet: an enqueue, a browser submission, a redrive;
 * - a partial analytics document written after the fleet went quiet (the servers' last
 *   flushes, or their rare flush of store counters) re-runs the rollup merge and the stats,
 *   so the published numbers settle without a timer;
 * - one stats refresh once the throughput window has passed, so the published rate decays
 *   to what it is (one pass, not a schedule);
 * - a server joining, leaving or changing state (the servers of the stats window, judged as
 *   the fleet summary judges them) re-runs the stats, so the summary the console reads stays
 *   true on an idle fleet too. This listener pays one read per idle heartbeat (one a minute
 *   per server by default), which the console no longer pays per open page.
 */
export class QueueIdleGate implements IdleGate {
  wokeAt = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly stats: StatsRefresher,
    private readonly merger: Pick<RollupMerger, 'coveredUntil'> | null = null,
    private readonly windowMinutes = 5,
  ) {}

  quiet(): boolean {
    const latest = this.stats.latest;
    return latest !== null && fleetIsQuiet(latest);
  }

  watch(handlers: { wake: (why: string) => void; run: (duties: readonly string[]) => void }): Unsubscribe {
    const { ctx, merger } = this;
    // From the merger's last read, not from now: a server's last flush may have landed between
    // that read and the fleet going quiet, and would otherwise stay unmerged until the next job.
    // (The field is the writer's clock: look further back; act only on what the merger did not see.)
    const since = ctx.store.now();
    const covered = () => merger?.coveredUntil ?? since;
    let debounce: TimerHandle | null = null;
    let closed = false;
    const deps = { clock: ctx.clock, log: ctx.log };
    const work = listenResilient(
      ctx.store,
      queryOf(QUERIES.jobsInStatuses, { status: [...ACTIVE_JOB_STATUSES] }, { limit: 1 }),
      (snapshot) => {
        if (!closed && (snapshot.docs.length > 0 || snapshot.undecodable.length > 0)) handlers.wake('an active job appeared');
      },
      { ...deps, what: 'idle fleet: first active job' },
    );
    const partials = listenResilient(
      ctx.store,
      queryOf(QUERIES.partialsUpdatedSince, { updatedAt: at(covered() - PARTIALS_SKEW_MS) }),
      (snapshot) => {
        const unmerged = snapshot.docs.some((d) => d.updateTime > covered());
        if (closed || !unmerged || debounce) return;
        debounce = ctx.clock.setTimer(() => {
          debounce = null;
          if (!closed) handlers.run(['rollups', 'stats']);
        }, PARTIALS_DEBOUNCE_MS);
      },
      { ...deps, what: 'idle fleet: analytics partials' },
    );
    const windowMs = this.windowMinutes * MINUTE_MS;
    const fleet = listenResilient(
      ctx.store,
      queryOf(QUERIES.serversSeenSince, { heartbeatAt: at(since - windowMs) }),
      (snapshot) => {
        const published = this.stats.latest?.fleet ?? null;
        if (closed || !published) return;
        // The stats duty's window, as of now: a server that left it since the listener started is gone there too.
        const inWindow = snapshot.docs.filter((d) => d.data.heartbeatAt >= ctx.store.now() - windowMs).map((d) => d.data);
        if (fleetChanged(inWindow, published)) handlers.run(['stats']);
      },
      { ...deps, what: 'idle fleet: server membership' },
    );
    const decay = ctx.clock.setTimer(() => {
      if (!closed) handlers.run(['stats']);
    }, (this.windowMinutes + 1) * MINUTE_MS);
    return () => {
      closed = true;
      work();
      partials();
      fleet();
      debounce?.cancel();
      decay.cancel();
    };
  }
}

/**
 * The queue's own leader duties. Each is safe to run twice concurrently (every write
 * re-checks its condition in a transaction or is idempotent), which is what makes a brief
 * overlap of an old and a new leader harmless.
 *
 * While the fleet is busy they run on their intervals. The stats duty carries the idle gate:
 * when its counts show no active job, the leader stops them all (see `QueueIdleGate`) except
 * retention clean-up, which is driven by time by nature and runs every `idleHousekeepingMs`.
 */
export function queueLeaderDuties(
  ctx: EngineContext,
  parts: {
    maintenance: Maintenance;
    merger: RollupMerger;
    stats: StatsRefresher;
    positions?: PositionRefresher;
    submissions: StraySubmissionSweep;
    alerts?: AlertMonitor;
  },
): IdleAwareDuty[] {
  const { maintenance, merger, stats, positions, submissions, alerts } = parts;
  const coordination = ctx.config.serverCoordination;
  const every = coordination.maintenanceIntervalMs;
  const gate = new QueueIdleGate(ctx, stats, merger);
  const positionDuty: IdleAwareDuty[] =
    positions && ctx.config.queuePositions.enabled
      ? [{ name: 'positions', intervalMs: ctx.config.queuePositions.refreshIntervalMs ?? every, run: async () => void (await positions.run()) }]
      : [];
  // Alerts judge what the stats duty keeps in memory. Their breaker listener lives for the
  // whole term (AlertMonitor.leadership), so an opening is sent at once, idle or not; the slow
  // idle run sends reminders and resolves what time alone clears (dead-letter growth leaving
  // its window). A run reads nothing once the alert state is cached.
  const alertDuty: IdleAwareDuty[] =
    alerts?.enabled
      ? [{ name: 'alerts', intervalMs: every, idleIntervalMs: Math.max(every, 60_000), run: (args) => alerts.run(args) }]
      : [];
  return [
    {
      name: 'leases',
      // Reclaim promptly: a dead worker's jobs wait at most one lease plus this interval.
      intervalMs: Math.min(every, Math.max(250, Math.floor(ctx.config.lease.durationMs / 3))),
      async run({ signal }) {
        await maintenance.reclaimExpiredLeases();
        if (signal.aborted) return;
        await maintenance.promoteDue();
        if (signal.aborted) return;
        // Servers that heartbeated at the idle cadence speed up when the fleet wakes (their
        // first fast heartbeat follows the lease change at once); give them two fast
        // intervals before judging them by the fast timeout. Jobs held meanwhile are still
        // covered by their own leases (reclaimExpiredLeases above).
        if (ctx.store.now() < gate.wokeAt + 2 * coordination.heartbeatIntervalMs) return;
        await maintenance.detectLostServers();
      },
    },
    { name: 'rollups', intervalMs: every, run: async () => void (await merger.run()) },
    { name: 'stats', intervalMs: every, idleGate: gate, run: async () => void (await stats.run()) },
    {
      name: 'cleanup',
      intervalMs: Math.max(every, 60_000),
      idleIntervalMs: Math.max(every, coordination.idleHousekeepingMs),
      run: async () => void (await maintenance.cleanup()),
    },
    // One page of submitted jobs per interval: one read when there are none. An unreadable
    // submission is an active job too, so the idle gate's listener wakes the fleet for it.
    { name: 'stray-submissions', intervalMs: every, run: async () => void (await submissions.run()) },
    ...positionDuty,
    ...alertDuty,
  ];
}

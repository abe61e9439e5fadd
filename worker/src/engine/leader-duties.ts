import type { LeaderDuty } from '../ports/flow.js';
import type { EngineContext } from './context.js';
import type { Maintenance } from './maintenance.js';
import type { RollupMerger } from './analytics/merger.js';
import type { StatsRefresher } from './analytics/stats.js';
import type { PositionRefresher } from './queue-positions.js';
import type { StraySubmissionSweep } from './unreadable-submissions.js';

/**
 * The queue's own leader duties. Each is safe to run twice concurrently (every write
 * re-checks its condition in a transaction or is idempotent), which is what makes a brief
 * overlap of an old and a new leader harmless.
 */
export function queueLeaderDuties(
  ctx: EngineContext,
  parts: { maintenance: Maintenance; merger: RollupMerger; stats: StatsRefresher; positions?: PositionRefresher; submissions: StraySubmissionSweep },
): LeaderDuty[] {
  const { maintenance, merger, stats, positions, submissions } = parts;
  const every = ctx.config.serverCoordination.maintenanceIntervalMs;
  const positionDuty: LeaderDuty[] =
    positions && ctx.config.queuePositions.enabled
      ? [{ name: 'positions', intervalMs: ctx.config.queuePositions.refreshIntervalMs ?? every, run: async () => void (await positions.run()) }]
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
        await maintenance.detectLostServers();
      },
    },
    { name: 'rollups', intervalMs: every, run: async () => void (await merger.run()) },
    { name: 'stats', intervalMs: every, run: async () => void (await stats.run()) },
    { name: 'cleanup', intervalMs: Math.max(every, 60_000), run: async () => void (await maintenance.cleanup()) },
    // One page of submitted jobs per interval: one read when there are none.
    { name: 'stray-submissions', intervalMs: every, run: async () => void (await submissions.run()) },
    ...positionDuty,
  ];
}

import type { QueueStatsDoc } from '../schema/analytics.js';
import { SINGLETON_IDS } from '../schema/names.js';
import { QUERIES } from '../schema/queries.js';
import { drainPerMs, headPositionUpdates, pausedFromStats, type PositionWriteReason } from '../core/queue-position.js';
import { queryOf } from '../ports/store.js';
import type { EngineContext } from './context.js';

export interface PositionRun {
  /** Queued jobs read (the head of the queue, projected). */
  read: number;
  /** Position writes, by reason. */
  written: Record<PositionWriteReason, number>;
  /** Writes skipped because the job changed meanwhile (claimed, cancelled...). */
  stale: number;
}

/** Parallel conditional writes per batch: bounded so a burst cannot flood the store. */
const WRITE_CONCURRENCY = 16;

/**
 * Leader duty: keeps `position` / `estimatedWaitMs` of the head of the queue current
 * without a hot path. Each run reads the first `queuePositions.headSize` claimable jobs in
 * claim order through a projection (`select` of the four fields it needs, so large job
 * documents stay on the server), computes every position, and writes only the jobs whose
 * position crossed a bucket boundary or whose ETA drifted (`core/queue-position`), each
 * with a precondition on the version it read: a job claimed or cancelled meanwhile is left
 * alone. ETAs come from the stats document's completion rate and pause switches. Jobs
 * further back keep the position admission gave them until they reach the window (the
 * stats document publishes its size so clients know).
 */
export class PositionRefresher {
  constructor(
    private readonly ctx: EngineContext,
    /** The stats this leader published last, if any (saves a read). */
    private readonly latestStats: () => QueueStatsDoc | null = () => null,
  ) {}

  async run(): Promise<PositionRun> {
    const out: PositionRun = { read: 0, written: { new: 0, bucket: 0, eta: 0 }, stale: 0 };
    const { store, config } = this.ctx;
    if (!config.queuePositions.enabled) return out;
    const stats = this.latestStats() ?? (await store.get('stats', SINGLETON_IDS.queueStats)).doc;
    if (stats && Object.values(stats.queuedByPriority).every((n) => n === 0) && stats.at >= store.now() - 60_000) return out;
    const { docs, readTime } = await store.select(queryOf(QUERIES.claimableHead, { status: 'queued' }, { limit: config.queuePositions.headSize }), [
      'priority',
      'position',
      'estimatedWaitMs',
      'positionAt',
    ]);
    out.read = docs.length;
    const updates = headPositionUpdates(
      docs.map((d) => ({ id: d.id, ...d.data })),
      { paused: pausedFromStats(stats), perMs: drainPerMs(stats, config.maxConcurrentRequests), now: readTime },
    );
    const versions = new Map(docs.map((d) => [d.id, d.version]));
    for (let i = 0; i < updates.length; i += WRITE_CONCURRENCY) {
      const batch = updates.slice(i, i + WRITE_CONCURRENCY);
      const done = await Promise.all(
        batch.map((u) =>
          store.patch('jobs', u.id, { position: u.position, estimatedWaitMs: u.estimatedWaitMs, positionAt: readTime }, { ifVersion: versions.get(u.id)! }),
        ),
      );
      done.forEach((ok, j) => {
        if (ok) out.written[batch[j]!.reason] += 1;
        else out.stale += 1;
      });
    }
    return out;
  }
}

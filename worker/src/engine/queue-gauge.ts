import type { Priority } from '../schema/job.js';
import { queryOf, type DocStore } from '../ports/store.js';
import { QUERIES } from '../schema/queries.js';
import type { QueueStatsDoc } from '../schema/analytics.js';
import { SINGLETON_IDS } from '../schema/names.js';
import { drainPerMs, estimateWaitMs } from '../core/queue-position.js';

/**
 * Cheap answers to "how full is the queue" and "how fast does it drain" for admission:
 * a count aggregation of claimable work cached for a short time (so a burst of enqueues
 * pays one count, not one each), and the leader's stats document for service time.
 * The size check is therefore approximate by design: maxQueueSize is a soft limit that a
 * burst may overshoot by at most the enqueues within one cache period.
 */
export class QueueGauge {
  private size: { value: number; at: number } | null = null;
  private stats: { doc: QueueStatsDoc | null; at: number } | null = null;
  private pendingSize: Promise<number> | null = null;

  constructor(
    private readonly store: DocStore,
    private readonly cacheMs = 1_000,
    private readonly statsCacheMs = 5_000,
  ) {}

  async queueSize(): Promise<number> {
    const now = this.store.now();
    if (this.size && now - this.size.at < this.cacheMs) return this.size.value;
    this.pendingSize ??= this.store
      .count(queryOf(QUERIES.jobsInStatuses, { status: ['queued', 'waiting', 'submitted'] }))
      .then((value) => {
        this.size = { value, at: this.store.now() };
        return value;
      })
      .finally(() => {
        this.pendingSize = null;
      });
    return this.pendingSize;
  }

  /** Counts an admission this process made, so the cached size stays honest. */
  noteAdmitted(): void {
    if (this.size) this.size.value += 1;
  }

  async statsDoc(): Promise<QueueStatsDoc | null> {
    const now = this.store.now();
    if (this.stats && now - this.stats.at < this.statsCacheMs) return this.stats.doc;
    const { doc } = await this.store.get('stats', SINGLETON_IDS.queueStats);
    this.stats = { doc, at: now };
    return doc;
  }

  /** Jobs ahead of `rank` among claimable ones (0 = next). */
  async position(rank: number, priorities?: readonly Priority[]): Promise<number> {
    return this.store.count(queryOf(QUERIES.jobsAhead, { status: 'queued', priority: priorities ? [...priorities] : undefined, rank }));
  }

  /**
   * Estimated wait until a job with `position` jobs ahead starts, by the same rule the
   * leader's position refresh uses (`core/queue-position`): position + 1 completions at the
   * fleet's observed rate; before anything completed, 5 s per job on `fallbackConcurrency`
   * lanes.
   */
  async estimateWaitMs(position: number, fallbackConcurrency: number): Promise<number> {
    const stats = await this.statsDoc().catch(() => null);
    return estimateWaitMs(position, drainPerMs(stats, fallbackConcurrency));
  }
}

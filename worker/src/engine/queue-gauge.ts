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
const MAX_REMEMBERED_ADMISSIONS = 10_000;

export class QueueGauge {
  private size: { value: number; at: number } | null = null;
  private stats: { doc: QueueStatsDoc | null; at: number } | null = null;
  private pendingSize: Promise<number> | null = null;
  private lastCount: { key: string; rank: number; count: number; at: number } | null = null;
  /** This process's recent admissions (rank, store time), for positions between counts. */
  private admitted: { rank: number; at: number }[] = [];

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

  /** Counts an admission this process made (with its rank when known), so cached answers stay honest. */
  noteAdmitted(rank: number | null = null): void {
    if (this.size) this.size.value += 1;
    if (rank !== null) {
      this.admitted.push({ rank, at: this.store.now() });
      if (this.admitted.length > MAX_REMEMBERED_ADMISSIONS) this.admitted.splice(0, this.admitted.length - MAX_REMEMBERED_ADMISSIONS);
    }
  }

  async statsDoc(): Promise<QueueStatsDoc | null> {
    const now = this.store.now();
    if (this.stats && now - this.stats.at < this.statsCacheMs) return this.stats.doc;
    const { doc } = await this.store.get('stats', SINGLETON_IDS.queueStats);
    this.stats = { doc, at: now };
    return doc;
  }

  /**
   * Jobs ahead of `rank` among claimable ones (0 = next). A count aggregation at most once per
   * cache period: within it, a later rank's answer is the counted one plus the jobs this
   * process admitted between the two ranks (a burst of enqueues pays one read, not one
   * each). Like every position it is an estimate (claims in the meantime are not seen); the
   * leader's refresh corrects it for the head of the queue.
   */
  async position(rank: number, priorities?: readonly Priority[]): Promise<number> {
    const key = priorities ? priorities.join(',') : '*';
    const now = this.store.now();
    const last = this.lastCount;
    if (last && last.key === key && rank >= last.rank && now - last.at < this.cacheMs) {
      const between = this.admitted.filter((a) => (a.at <= last.at ? a.rank >= last.rank && a.rank < rank : a.rank < rank)).length;
      return last.count + between;
    }
    const count = await this.store.count(queryOf(QUERIES.jobsAhead, { status: 'queued', priority: priorities ? [...priorities] : undefined, rank }));
    this.lastCount = { key, rank, count, at: this.store.now() };
    const horizon = this.store.now() - this.cacheMs;
    this.admitted = this.admitted.filter((a) => a.at >= horizon);
    return count;
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

import type { QueueHead } from '../core/flow-policy/index.js';
import type { DocStore } from '../ports/store.js';

/**
 * The head of the claimable queue (lowest-ranked `queued` job) for fair-share admission:
 * newcomers start at its start tag. One indexed query (the claim loop's own, limit 1)
 * cached for a second, so a burst of admissions pays one read. On a failed read the answer
 * is null and fairness falls back to the wall clock; admission never fails because of it.
 */
export class QueueHeadCache {
  private cached: { head: QueueHead | null; at: number } | null = null;
  private pending: Promise<QueueHead | null> | null = null;

  constructor(
    private readonly store: DocStore,
    private readonly cacheMs = 1_000,
  ) {}

  async current(): Promise<QueueHead | null> {
    const now = this.store.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.head;
    this.pending ??= this.store
      .query({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'queued' }], orderBy: [{ field: 'rank' }], limit: 1 })
      .then((result) => {
        const doc = result.docs[0]?.data;
        const head = doc && doc.rank !== null ? { rank: doc.rank, priority: doc.priority } : null;
        this.cached = { head, at: this.store.now() };
        return head;
      })
      .catch(() => null)
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}

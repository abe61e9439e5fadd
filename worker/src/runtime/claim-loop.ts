import { PRIORITIES, type JobDoc, type Priority } from '../schema/job.js';
import { SINGLETON_IDS } from '../schema/names.js';
import { pausedPriorities } from '../core/controls/queue-controls.js';
import type { FlowControl } from '../ports/flow.js';
import { queryOf, type Snapshot, type Unsubscribe } from '../ports/store.js';
import { QUERIES } from '../schema/queries.js';
import type { EngineContext } from '../engine/context.js';
import { listenDocResilient, listenResilient } from '../engine/resilient-listen.js';
import type { ClaimedJob, JobLeases } from '../engine/job-leases.js';
import type { WorkerObserver } from './observer.js';

/**
 * Claiming without a hot document: each worker listens to the head of the queue (the K
 * lowest-ranked claimable jobs of unpaused priorities) and claims random picks among the
 * first few, so concurrent workers mostly try different jobs; a lost race costs one
 * transaction and the pick is skipped. Pausing a priority re-subscribes the head without it,
 * so paused work is never claimed after the controls listener fires.
 */
export class ClaimLoop {
  private candidates: Snapshot<'jobs'>[] = [];
  private tried = new Set<string>();
  private paused: Priority[] = [];
  private headUnsub: Unsubscribe | null = null;
  private controlsUnsub: Unsubscribe | null = null;
  private pumping = false;
  private again = false;
  private stopped = true;
  private controlsReady = false;
  private headKey = '';

  constructor(
    private readonly deps: {
      ctx: EngineContext;
      leases: JobLeases;
      flow: FlowControl;
      observer: WorkerObserver;
      inFlight: () => number;
      startJob: (claimed: ClaimedJob) => void;
    },
  ) {}

  get headSize(): number {
    return Math.min(100, Math.max(10, 4 * this.deps.ctx.config.maxConcurrentRequests));
  }

  get pausedNow(): readonly Priority[] {
    return this.paused;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { ctx } = this.deps;
    this.controlsUnsub = listenDocResilient(
      ctx.store,
      'controls',
      SINGLETON_IDS.queueControls,
      ({ doc }) => {
        this.paused = pausedPriorities(doc);
        this.controlsReady = true;
        this.subscribeHead();
      },
      { clock: ctx.clock, log: ctx.log, what: 'queue controls' },
    );
  }

  private subscribeHead(): void {
    if (this.stopped || !this.controlsReady) return;
    const allowed = PRIORITIES.filter((p) => !this.paused.includes(p));
    const key = allowed.join(',');
    if (key === this.headKey && this.headUnsub) return;
    this.headKey = key;
    this.headUnsub?.();
    this.headUnsub = null;
    this.candidates = [];
    if (allowed.length === 0) return;
    const { ctx } = this.deps;
    this.headUnsub = listenResilient(
      ctx.store,
      queryOf(
        QUERIES.claimableHead,
        { status: 'queued', priority: allowed.length < PRIORITIES.length ? allowed : undefined },
        { limit: this.headSize },
      ),
      (snapshot) => {
        this.candidates = snapshot.docs;
        this.tried.clear();
        this.pump();
      },
      { clock: ctx.clock, log: ctx.log, what: 'queue head' },
    );
  }

  /** Claims while there are free slots and untried candidates. Re-entrant calls coalesce. */
  pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.drain()
      .catch((error: unknown) => this.deps.ctx.log.error({ err: error }, 'claim loop failed'))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private pool(allowed: readonly Priority[]): Snapshot<'jobs'>[] {
    return this.candidates.filter(
      (c) => !this.tried.has(c.id) && allowed.includes(c.data.priority) && !this.paused.includes(c.data.priority),
    );
  }

  private async drain(): Promise<void> {
    const { ctx, flow, leases, observer } = this.deps;
    while (!this.stopped) {
      const budget = flow.claimBudget(this.deps.inFlight());
      if (budget.slots <= 0) return;
      const pool = this.pool(budget.priorities);
      if (pool.length === 0) return;
      // Random pick among the first few: keeps rank order roughly, spreads contention.
      const window = Math.min(pool.length, Math.max(2, budget.slots * 2));
      const pick = pool[Math.floor(ctx.random() * window)]!;
      this.tried.add(pick.id);
      // The listener's copy and its version: the claim is one guarded write, no read.
      const claimed = await leases.claimFrom(pick);
      if (this.stopped) {
        if (claimed) await leases.release(claimed.id, claimed.holder).catch(() => undefined);
        return;
      }
      if (claimed) {
        observer.claimed?.(claimed.id);
        this.deps.startJob(claimed);
      } else {
        observer.claimConflict?.(pick.id);
      }
    }
  }

  /** Jobs this worker could claim right now if it had slots (for idle detection). */
  get hasCandidates(): boolean {
    return this.candidates.some((c: Snapshot<'jobs'> & { data: JobDoc }) => !this.paused.includes(c.data.priority));
  }

  stop(): void {
    this.stopped = true;
    this.headUnsub?.();
    this.controlsUnsub?.();
    this.headUnsub = null;
    this.controlsUnsub = null;
    this.headKey = '';
    this.candidates = [];
  }
}

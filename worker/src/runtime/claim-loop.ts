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
import type { TimerHandle } from '../ports/clock.js';
import { rendezvousDelayMs, rendezvousRank } from '../core/coordination/rendezvous.js';

/**
 * Claiming without a hot document, and without every worker reading every job:
 * - **listening** while the worker has free slots and the queue had nothing more for it: a
 *   listener on the head of the queue (the K lowest-ranked claimable jobs of unpaused
 *   priorities) starts a job the moment it is admitted;
 * - **polling** while it is at capacity: the listener is closed (a busy worker that listened
 *   would still pay one read for every job entering its window, so the fleet's bill per job
 *   would grow with its size), and each freed slot looks with one query of the first few
 *   claimable jobs; when a look finds fewer jobs than free slots it listens again.
 * A claim is one guarded write over the copy just read; picks are random among the first
 * few so concurrent workers mostly try different jobs. A lost race costs one failed write,
 * and the worker then waits for a fresh view instead of trying more of a stale one.
 * Pausing a priority re-subscribes the head without it, so paused work is never claimed after
 * the controls listener fires.
 */
/**
 * Default spread of the claim rendezvous: long enough for the first claimer's write to reach
 * the others' listeners, short against the enqueue-to-start budget (the first of N idle
 * workers waits spread / (N + 1) on average).
 */
export const DEFAULT_CLAIM_SPREAD_MS = 20;

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
  /** Listening to the head (free slots, queue looked empty) or polling it (at capacity). */
  private mode: 'listening' | 'polling' = 'listening';
  private wakeTimer: TimerHandle | null = null;
  /** The last look found fewer jobs than free slots: listen once these are tried. */
  private enterListeningAfterThese = false;

  constructor(
    private readonly deps: {
      ctx: EngineContext;
      leases: JobLeases;
      flow: FlowControl;
      observer: WorkerObserver;
      inFlight: () => number;
      startJob: (claimed: ClaimedJob) => void;
      /** Spread of the rendezvous delay before claiming a job that just arrived (ms). */
      claimSpreadMs?: number;
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

  private allowedPriorities(): Priority[] {
    return PRIORITIES.filter((p) => !this.paused.includes(p));
  }

  private subscribeHead(): void {
    if (this.stopped || !this.controlsReady) return;
    if (this.mode === 'polling') {
      // The pause switches changed: drop what was read under the old ones and look again.
      this.candidates = this.candidates.filter((c) => !this.paused.includes(c.data.priority));
      this.pump();
      return;
    }
    const allowed = this.allowedPriorities();
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

  /**
   * How long a job that just arrived waits before this worker claims it. With the fleet's
   * members known (the leader's budget allocation), their rendezvous order per job: the
   * first claims at once, the next one spread later and only if the job is still there.
   * Without it, a hashed delay within the spread.
   */
  private delayFor(jobId: string): number {
    const spread = this.deps.claimSpreadMs ?? DEFAULT_CLAIM_SPREAD_MS;
    const members = this.deps.flow.members?.() ?? null;
    const rank = members ? rendezvousRank(this.deps.ctx.serverId, members, jobId) : null;
    if (rank !== null) return rank * spread;
    return rendezvousDelayMs(this.deps.ctx.serverId, jobId, spread);
  }

  private wakeAfter(ms: number): void {
    if (this.wakeTimer) return;
    this.wakeTimer = this.deps.ctx.clock.setTimer(() => {
      this.wakeTimer = null;
      this.pump();
    }, ms);
  }

  /** At capacity: stop listening; the next freed slot looks with a query. */
  private enterPolling(): void {
    if (this.mode === 'polling') return;
    this.mode = 'polling';
    this.headUnsub?.();
    this.headUnsub = null;
    this.headKey = '';
    this.candidates = [];
    this.tried.clear();
  }

  private enterListening(): void {
    if (this.mode === 'listening') return;
    this.mode = 'listening';
    this.candidates = [];
    this.tried.clear();
    this.subscribeHead();
  }

  /** One look at the head for `slots` free slots: the first few claimable jobs, read once. */
  private async poll(slots: number, priorities: readonly Priority[]): Promise<number> {
    const allowed = this.allowedPriorities().filter((p) => priorities.includes(p));
    if (allowed.length === 0) return 0;
    const { docs } = await this.deps.ctx.store.query(
      queryOf(
        QUERIES.claimableHead,
        { status: 'queued', priority: allowed.length < PRIORITIES.length ? allowed : undefined },
        // One more than needed: a pick that loses a race has a next one in the same read.
        { limit: Math.min(this.headSize, slots + 1) },
      ),
    );
    this.candidates = docs;
    this.tried.clear();
    return docs.length;
  }

  private async drain(): Promise<void> {
    const { ctx, flow, leases, observer } = this.deps;
    let polls = 0;
    while (!this.stopped) {
      const budget = flow.claimBudget(this.deps.inFlight());
      if (budget.slots <= 0) {
        if (this.controlsReady) this.enterPolling();
        return;
      }
      let pool = this.pool(budget.priorities);
      if (pool.length === 0 && this.mode === 'polling' && this.controlsReady) {
        // Three looks per pump at most: a fleet racing for the same few jobs then waits on a listener.
        const found = polls < 3 ? await this.poll(budget.slots, budget.priorities) : 0;
        polls += 1;
        if (this.stopped) return;
        pool = this.pool(budget.priorities);
        if (found < budget.slots && pool.length === 0) {
          this.enterListening();
          return;
        }
        if (found < budget.slots) this.enterListeningAfterThese = true;
      }
      if (pool.length === 0) {
        if (this.enterListeningAfterThese) {
          this.enterListeningAfterThese = false;
          this.enterListening();
        }
        return;
      }
      if (this.mode === 'listening') {
        // A job that just arrived is seen by every idle worker at once. Each waits its own
        // rendezvous delay (hash of server and job) for it, so one of them claims first and
        // the others see it gone instead of all writing for it; older jobs go at once.
        const now = ctx.store.now();
        const ready = pool.filter((c) => now - c.updateTime >= this.delayFor(c.id));
        if (ready.length === 0) {
          const wait = Math.min(...pool.map((c) => this.delayFor(c.id) - (now - c.updateTime)));
          this.wakeAfter(Math.max(1, Math.ceil(wait)));
          return;
        }
        pool = ready;
      }
      // Random pick among the first few: keeps rank order roughly, spreads contention.
      const window = Math.min(pool.length, Math.max(2, budget.slots * 2));
      const pick = pool[Math.floor(ctx.random() * window)]!;
      this.tried.add(pick.id);
      // The listener's copy and its version: the claim is one guarded write, no read.
      let claimed: ClaimedJob | null;
      try {
        claimed = await leases.claimFrom(pick);
      } catch (error) {
        observer.claimError?.(pick.id, error);
        throw error;
      }
      if (this.stopped) {
        if (claimed) await leases.release(claimed.id, claimed.holder).catch(() => undefined);
        return;
      }
      if (claimed) {
        observer.claimed?.(claimed.id);
        this.deps.startJob(claimed);
      } else {
        observer.claimConflict?.(pick.id);
        // Someone else moved the job on, so the listener's view is stale: wait for the next
        // snapshot (that write changed the window, so one comes) rather than race on it.
        if (this.mode === 'listening') this.candidates = [];
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
    this.mode = 'listening';
    this.enterListeningAfterThese = false;
    this.wakeTimer?.cancel();
    this.wakeTimer = null;
  }
}

import { PRIORITIES, type JobDoc, type Priority } from '../schema/job.js';
import { SINGLETON_IDS } from '../schema/names.js';
import { pausedPriorities } from '../core/controls/queue-controls.js';
import { isDrained } from '../core/controls/server-controls.js';
import type { FlowControl } from '../ports/flow-control.js';
import { queryOf, type Snapshot, type Unsubscribe } from '../ports/store.js';
import { MAX_QUERY_DISJUNCTIONS, QUERIES } from '../schema/queries.js';
import type { EngineContext } from '../engine/context.js';
import { listenDocResilient, listenResilient } from '../engine/resilient-listen.js';
import type { ClaimedJob, JobLeases } from '../engine/job-leases.js';
import type { ClaimRoute, WorkerObserver } from './observer.js';
import type { TimerHandle } from '../ports/clock.js';
import {
  JOB_SHARDS,
  listenedShards,
  polledShards,
  rendezvousDelayMs,
  rendezvousRank,
  shardRank,
} from '../core/coordination/rendezvous.js';

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
 * the controls listener fires. A server the controls list as drained (`server.drain`) claims
 * nothing, as if every priority were paused, and listens to no head until it is resumed.
 */
/**
 * Default spread of the claim rendezvous: long enough for the first claimer's write to reach
 * the others' listeners, short against the enqueue-to-start budget (the first of N idle
 * workers waits spread / (N + 1) on average).
 */
export const DEFAULT_CLAIM_SPREAD_MS = 20;

/**
 * Idle listeners per shard: two, so a shard whose first worker is busy (polling, not
 * listening) or dead is still watched, and a new job costs two listener reads whatever the
 * fleet's size.
 */
export const DEFAULT_SHARD_REPLICAS = 2;

/**
 * A job in another worker's shards younger than this is left to that shard's listeners: they
 * claim it within their rendezvous delays (a few times the claim spread), and a busy worker
 * freeing a slot that took it instead raced them for it. In the 12-worker cost bench the look
 * at the others' head lost about one claim per claim won, more than every other route
 * together. Older jobs (a backlog, or listeners all busy) are taken at once as before.
 */
export const STEAL_AGE_MS = 250;

/** How often a shard-listening worker with a free slot looks for jobs no listener took. */
export const ORPHAN_CHECK_MS = 10_000;
/** A queued job older than this (since its last write) is stranded, not just arriving. */
export const ORPHAN_AGE_MS = 2_000;

/**
 * Whether `shard in` over these shards, with the priority filter, fits one Firestore query:
 * `priority in` x `shard in` multiplies into disjunctions (a lone worker's 16 shards with three
 * unpaused priorities make 48, over the cap of 30). A look or listener that would not fit
 * reads the whole head instead: a superset, ordered the same way.
 */
function shardFilterFits(priorities: readonly Priority[] | undefined, shards: readonly number[]): boolean {
  return (priorities?.length ?? 1) * shards.length <= MAX_QUERY_DISJUNCTIONS;
}

export class ClaimLoop {
  private candidates: Snapshot<'jobs'>[] = [];
  /** Where each candidate came from (metrics: which route loses races); absent = listener. */
  private routes = new Map<string, ClaimRoute>();
  private tried = new Set<string>();
  private paused: Priority[] = [];
  private drained = false;
  private headUnsub: Unsubscribe | null = null;
  private controlsUnsub: Unsubscribe | null = null;
  private pumping = false;
  private again = false;
  private stopped = true;
  private controlsReady = false;
  private headKey = '';
  /**
   * Listening to the head (free slots, queue looked empty) or polling it (at capacity). A
   * worker starts with a look at the whole head: its shard listener would not see jobs
   * outside its shards that are already waiting.
   */
  private mode: 'listening' | 'polling' = 'polling';
  private wakeTimer: TimerHandle | null = null;
  private orphanTimer: TimerHandle | null = null;
  private recheckTimer: TimerHandle | null = null;
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
      /** How many idle workers listen to each shard (the first ones in its rendezvous order). */
      shardReplicas?: number;
      /** Interval of the orphaned-shard check (ms). */
      orphanCheckMs?: number;
      /** The queue controls drained (true) or resumed (false) this server. */
      onDrainChange?: (drained: boolean) => void;
    },
  ) {}

  get headSize(): number {
    return Math.min(100, Math.max(10, 4 * this.deps.ctx.config.maxConcurrentRequests));
  }

  /**
   * The head listener's window for `free` free slots: room for the random pick among the
   * first few (twice the free slots, at least 4), not the whole head. Opening a listener
   * bills one read per document in its window, and a busy worker reopens it whenever a pump
   * runs out of looks in a backlog (it is then down to a slot or two): with a window of the
   * whole head (32 jobs at 8 slots) those reopenings were nine in ten of the job documents
   * listeners delivered. The window is fixed while the listener lives: a claimed job leaving
   * it pulls the next one in (one read), so more slots freeing up later only wait for that.
   */
  listenWindow(free: number): number {
    return Math.min(this.headSize, Math.max(4, 2 * free));
  }

  get pausedNow(): readonly Priority[] {
    return this.paused;
  }

  /** Whether the queue controls list this server as drained (it claims nothing). */
  get drainedNow(): boolean {
    return this.drained;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scheduleOrphanCheck();
    const { ctx } = this.deps;
    this.controlsUnsub = listenDocResilient(
      ctx.store,
      'controls',
      SINGLETON_IDS.queueControls,
      ({ doc }) => {
        this.paused = pausedPriorities(doc);
        const drained = isDrained(doc, ctx.serverId);
        const changed = drained !== this.drained;
        this.drained = drained;
        this.controlsReady = true;
        this.subscribeHead();
        if (changed) this.deps.onDrainChange?.(drained);
      },
      { clock: ctx.clock, log: ctx.log, what: 'queue controls' },
    );
  }

  /**
   * The shards this worker listens to while idle (null: the whole head, when the fleet's
   * members are unknown or this worker is not yet among them).
   */
  private listened(): number[] | null {
    const members = this.claimMembers();
    if (!members || !members.includes(this.deps.ctx.serverId)) return null;
    return listenedShards(this.deps.ctx.serverId, members, this.deps.shardReplicas ?? DEFAULT_SHARD_REPLICAS);
  }

  /** The fleet's members that can claim now (see FlowControl.claimMembers). */
  private claimMembers(): readonly string[] | null {
    const { flow } = this.deps;
    return (flow.claimMembers ? flow.claimMembers() : flow.members?.()) ?? null;
  }

  private allowedPriorities(): Priority[] {
    if (this.drained) return [];
    return PRIORITIES.filter((p) => !this.paused.includes(p));
  }

  private subscribeHead(): void {
    if (this.stopped || !this.controlsReady) return;
    if (this.mode === 'polling') {
      // The pause switches changed: drop what was read under the old ones and look again.
      this.candidates = this.drained ? [] : this.candidates.filter((c) => !this.paused.includes(c.data.priority));
      this.pump();
      return;
    }
    const allowed = this.allowedPriorities();
    const priority = allowed.length < PRIORITIES.length ? allowed : undefined;
    const listened = this.listened();
    const shards = listened && shardFilterFits(priority, listened) ? listened : null;
    const key = `${allowed.join(',')}|${shards?.join(',') ?? '*'}`;
    if (key === this.headKey && this.headUnsub) return;
    this.headKey = key;
    this.headUnsub?.();
    this.headUnsub = null;
    this.candidates = [];
    if (allowed.length === 0 || shards?.length === 0) return;
    const { ctx } = this.deps;
    const limit = this.listenWindow(this.deps.flow.claimBudget(this.deps.inFlight()).slots);
    this.headUnsub = listenResilient(
      ctx.store,
      shards
        ? queryOf(QUERIES.claimableShardHead, { status: 'queued', priority, shard: shards }, { limit })
        : queryOf(QUERIES.claimableHead, { status: 'queued', priority }, { limit }),
      (snapshot) => {
        this.candidates = snapshot.docs;
        this.routes.clear();
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
    if (this.drained) return [];
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
  private delayFor(job: Snapshot<'jobs'>): number {
    const spread = this.deps.claimSpreadMs ?? DEFAULT_CLAIM_SPREAD_MS;
    const members = this.claimMembers();
    const self = this.deps.ctx.serverId;
    const rank = !members ? null : job.data.shard !== null ? shardRank(self, members, job.data.shard) : rendezvousRank(self, members, job.id);
    if (rank !== null) return rank * spread;
    return rendezvousDelayMs(self, job.id, spread);
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

  /**
   * The safety net of shard listening: a shard whose listeners all died stays unwatched until
   * the leader's next allocation drops them from the members. While this worker listens to
   * its shards with a free slot, it looks at the whole head every ORPHAN_CHECK_MS and takes
   * jobs that waited longer than ORPHAN_AGE_MS (younger ones are their listeners' to claim):
   * one read per look, and none while the fleet's members are unknown (whole-head listening).
   */
  private scheduleOrphanCheck(): void {
    if (this.stopped) return;
    this.orphanTimer = this.deps.ctx.clock.setTimer(() => {
      void this.orphanCheck()
        .catch((error: unknown) => this.deps.ctx.log.debug({ err: error }, 'orphaned-shard check failed'))
        .finally(() => this.scheduleOrphanCheck());
    }, this.deps.orphanCheckMs ?? ORPHAN_CHECK_MS);
  }

  private async orphanCheck(): Promise<void> {
    if (this.stopped || this.mode !== 'listening' || !this.headKey.includes('|') || this.headKey.endsWith('|*')) return;
    const budget = this.deps.flow.claimBudget(this.deps.inFlight());
    if (budget.slots <= 0) return;
    const allowed = this.allowedPriorities().filter((p) => budget.priorities.includes(p));
    if (allowed.length === 0) return;
    const { docs } = await this.deps.ctx.store.query(
      queryOf(QUERIES.claimableHead, { status: 'queued', priority: allowed.length < PRIORITIES.length ? allowed : undefined }, { limit: budget.slots }),
    );
    const now = this.deps.ctx.store.now();
    const stranded = docs.filter((d) => now - d.updateTime >= ORPHAN_AGE_MS && !this.candidates.some((c) => c.id === d.id));
    if (stranded.length === 0 || this.stopped || this.mode !== 'listening') return;
    this.deps.ctx.log.info({ jobs: stranded.map((d) => d.id) }, 'claiming jobs no shard listener took');
    this.candidates = [...stranded, ...this.candidates];
    for (const d of stranded) this.routes.set(d.id, 'orphan');
    this.pump();
  }

  /**
   * Jobs of other shards a look left to their listeners: read each once when it is old enough
   * and claim it if it is still queued (its listeners busy). One read a job, once: a worker
   * that listened instead would leave it unwatched, and one that looked again and again would
   * pay for every look.
   */
  private recheckLater(jobs: readonly Snapshot<'jobs'>[], delayMs: number): void {
    this.recheckTimer?.cancel();
    this.recheckTimer = this.deps.ctx.clock.setTimer(() => {
      this.recheckTimer = null;
      void this.recheck(jobs).catch((error: unknown) => this.deps.ctx.log.debug({ err: error }, 'recheck of jobs left to their listeners failed'));
    }, delayMs);
  }

  private async recheck(jobs: readonly Snapshot<'jobs'>[]): Promise<void> {
    const slots = this.deps.flow.claimBudget(this.deps.inFlight()).slots;
    if (this.stopped || slots <= 0) return;
    const still: Snapshot<'jobs'>[] = [];
    for (const job of jobs.slice(0, slots)) {
      if (this.candidates.some((c) => c.id === job.id)) continue;
      const { doc, version } = await this.deps.ctx.store.get('jobs', job.id);
      if (doc && version && doc.status === 'queued' && !this.paused.includes(doc.priority)) still.push({ id: job.id, data: doc, updateTime: job.updateTime, version });
    }
    if (still.length === 0 || this.stopped) return;
    for (const d of still) this.routes.set(d.id, 'others');
    this.candidates = [...still, ...this.candidates];
    this.pump();
  }

  private enterListening(): void {
    if (this.mode === 'listening') return;
    this.mode = 'listening';
    this.candidates = [];
    this.tried.clear();
    this.subscribeHead();
  }

  /**
   * One look at the head for `slots` free slots: the first few claimable jobs, read once.
   * With the fleet's members known, the look goes to this worker's polled shards first (a
   * balanced split, see `polledShards`), so busy workers freeing slots at the same moment
   * read different heads instead of racing for the one job at the top; only when those are
   * short does it look at the other shards' head (the lowest ranks first: stealing from a
   * random shard instead cut lost races but let a heavy user's jobs in other shards run
   * ahead of a light user's, and the fairness test caught it). Jobs there younger than
   * STEAL_AGE_MS are left to their shards' listeners and read once more when old enough. The cost of the split: while
   * every worker is busy, priority order is strict within a shard and approximate across shards (a higher-priority
   * job in another shard waits for that shard's pollers' next free slot or an idle worker's
   * listener).
   */
  private async poll(slots: number, priorities: readonly Priority[]): Promise<number> {
    const allowed = this.allowedPriorities().filter((p) => priorities.includes(p));
    if (allowed.length === 0) return 0;
    const priority = allowed.length < PRIORITIES.length ? allowed : undefined;
    // Exactly the free slots: every document read is billed, and a lost race (rare between
    // polls) is cheaper to answer with another look than with spare reads each time.
    const limit = Math.min(this.headSize, slots);
    const { store } = this.deps.ctx;
    const members = this.claimMembers();
    const mine = members ? polledShards(this.deps.ctx.serverId, members) : [];
    const head = async (shards: readonly number[] | null, n: number) =>
      shards && shardFilterFits(priority, shards)
        ? (await store.query(queryOf(QUERIES.claimableShardHead, { status: 'queued', priority, shard: [...shards] }, { limit: n }))).docs
        : (await store.query(queryOf(QUERIES.claimableHead, { status: 'queued', priority }, { limit: n }))).docs;
    const whole = mine.length === 0 || mine.length === JOB_SHARDS;
    let docs = await head(whole ? null : mine, limit);
    this.routes.clear();
    for (const d of docs) this.routes.set(d.id, whole ? 'whole' : 'own');
    if (!whole) {
      const others = [...Array(JOB_SHARDS).keys()].filter((s) => !mine.includes(s));
      if (docs.length < limit && others.length > 0 && !this.stopped) {
        // The others' head (the whole head when their filter would not fit: dedupe).
        const seen = new Set(docs.map((d) => d.id));
        const now = store.now();
        const found = (await head(others, limit)).filter((d) => !seen.has(d.id));
        const old = (d: Snapshot<'jobs'>) => mine.includes(d.data.shard ?? -1) || now - d.updateTime >= STEAL_AGE_MS;
        const more = found.filter(old);
        const fresh = found.filter((d) => !old(d));
        if (fresh.length > 0) this.recheckLater(fresh, Math.max(1, Math.ceil(STEAL_AGE_MS - Math.min(...fresh.map((d) => now - d.updateTime)))));
        for (const d of more) this.routes.set(d.id, 'others');
        docs = [...docs, ...more].slice(0, limit);
      }
    }
    this.candidates = docs;
    this.tried.clear();
    return docs.length;
  }

  private async drain(): Promise<void> {
    const { ctx, flow, leases, observer } = this.deps;
    // The fleet's members may have changed (flow control pumps on that): follow the shards.
    if (this.mode === 'listening') this.subscribeHead();
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
        const ready = pool.filter((c) => now - c.updateTime >= this.delayFor(c));
        if (ready.length === 0) {
          const wait = Math.min(...pool.map((c) => this.delayFor(c) - (now - c.updateTime)));
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
      const route = this.routes.get(pick.id) ?? 'listen';
      if (claimed) {
        observer.claimed?.(claimed.id, route);
        this.deps.startJob(claimed);
      } else {
        observer.claimConflict?.(pick.id, route);
        // Someone else moved the job on, so the listener's view is stale: wait for the next
        // snapshot (that write changed the window, so one comes) rather than race on it.
        if (this.mode === 'listening') this.candidates = [];
      }
    }
  }

  /** Jobs this worker could claim right now if it had slots (for idle detection). */
  get hasCandidates(): boolean {
    if (this.drained) return false;
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
    this.mode = 'polling';
    this.enterListeningAfterThese = false;
    this.wakeTimer?.cancel();
    this.wakeTimer = null;
    this.orphanTimer?.cancel();
    this.orphanTimer = null;
    this.recheckTimer?.cancel();
    this.recheckTimer = null;
  }
}

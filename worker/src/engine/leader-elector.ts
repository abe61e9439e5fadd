import { SINGLETON_IDS } from '../schema/names.js';
import { decideLeadership, resignLeadership } from '../core/coordination/leader-lease.js';
import type { LeaderDuty } from '../ports/flow.js';
import type { TimerHandle } from '../ports/clock.js';
import type { Unsubscribe } from '../ports/store.js';
import type { EngineContext } from './context.js';
import { listenDocResilient } from './resilient-listen.js';

export interface LeadershipState {
  isLeader: boolean;
  term: number;
  /** Current holder as last seen (may be this server). */
  holder: string | null;
}

/**
 * Leader election on a fenced lease (`transcription_leader/current`). Followers listen to the
 * lease and try to take it the moment it expires (store time), so a dead leader is replaced
 * within one lease; a resigning leader expires the lease at once. The leader renews every
 * third of the lease and steps down (aborting its duties) as soon as a renewal fails or its
 * lease would run out before a renewal could land.
 */
export class LeaderElector {
  private state: LeadershipState = { isLeader: false, term: 0, holder: null };
  private expiresAt = 0;
  private timer: TimerHandle | null = null;
  private unsubscribe: Unsubscribe | null = null;
  private duties: { duty: LeaderDuty; timer: TimerHandle | null; running: boolean }[] = [];
  private dutyAbort: AbortController | null = null;
  private stopped = true;
  private attempting: Promise<void> | null = null;
  private readonly listeners = new Set<(s: LeadershipState) => void>();

  constructor(
    private readonly ctx: EngineContext,
    duties: readonly LeaderDuty[] = [],
  ) {
    for (const d of duties) this.addDuty(d);
  }

  private get leaseMs(): number {
    return this.ctx.config.serverCoordination.leaderLeaseMs;
  }

  get current(): LeadershipState {
    return { ...this.state };
  }

  onChange(listener: (s: LeadershipState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Duties can be added at any time (others' packages register theirs through LeaderDuty). */
  addDuty(duty: LeaderDuty): void {
    const entry = { duty, timer: null as TimerHandle | null, running: false };
    this.duties.push(entry);
    if (this.state.isLeader) this.scheduleDuty(entry, 0);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = listenDocResilient(
      this.ctx.store,
      'leader',
      SINGLETON_IDS.leaderLease,
      ({ doc }) => {
        if (this.stopped) return;
        if (!doc || doc.holder === null || doc.expiresAt <= this.ctx.store.now()) {
          this.schedule(0);
        } else if (doc.holder !== this.ctx.serverId) {
          if (this.state.isLeader && doc.term !== this.state.term) this.stepDown(`lease taken by ${doc.holder}`);
          this.setHolder(doc.holder, doc.term);
          this.schedule(doc.expiresAt - this.ctx.store.now() + 20);
        }
      },
      { clock: this.ctx.clock, log: this.ctx.log, what: 'leader lease' },
    );
    this.schedule(0);
  }

  private setHolder(holder: string | null, term: number): void {
    if (this.state.holder === holder && this.state.term === term) return;
    this.state = { ...this.state, holder, term };
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l({ ...this.state });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.ctx.clock.setTimer(() => void this.attempt(), Math.max(0, delayMs));
  }

  private attempt(): Promise<void> {
    this.attempting ??= this.doAttempt().finally(() => {
      this.attempting = null;
    });
    return this.attempting;
  }

  private async doAttempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const decision = await this.ctx.store.runTransaction(async (tx) => {
        const doc = await tx.get('leader', SINGLETON_IDS.leaderLease);
        const d = decideLeadership(doc, { candidate: this.ctx.serverId, now: tx.now(), leaseMs: this.leaseMs });
        if (d.kind !== 'follower') tx.set('leader', SINGLETON_IDS.leaderLease, d.next);
        return d;
      });
      if (this.stopped) return;
      if (decision.kind === 'follower') {
        if (this.state.isLeader) this.stepDown(`lease held by ${decision.holder}`);
        this.setHolder(decision.holder, decision.term);
        this.schedule(decision.expiresAt - this.ctx.store.now() + 20);
        return;
      }
      this.expiresAt = decision.next.expiresAt;
      if (decision.kind === 'acquired' || !this.state.isLeader) this.becomeLeader(decision.next.term);
      this.schedule(this.leaseMs / 3);
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'leader election attempt failed');
      // Do not act as leader on a lease we could not renew in time.
      if (this.state.isLeader && this.ctx.store.now() > this.expiresAt - this.leaseMs / 3) this.stepDown('renewal failed');
      this.schedule(Math.min(1_000, this.leaseMs / 6));
    }
  }

  private becomeLeader(term: number): void {
    this.state = { isLeader: true, term, holder: this.ctx.serverId };
    this.dutyAbort = new AbortController();
    this.ctx.log.info({ term }, 'became leader');
    for (const entry of this.duties) this.scheduleDuty(entry, 0);
    this.emit();
  }

  private stepDown(reason: string): void {
    if (!this.state.isLeader) return;
    this.ctx.log.warn({ term: this.state.term, reason }, 'stepped down as leader');
    this.state = { ...this.state, isLeader: false };
    this.dutyAbort?.abort(new Error(`leadership lost: ${reason}`));
    this.dutyAbort = null;
    for (const entry of this.duties) {
      entry.timer?.cancel();
      entry.timer = null;
    }
    this.emit();
  }

  private scheduleDuty(entry: { duty: LeaderDuty; timer: TimerHandle | null; running: boolean }, delayMs: number): void {
    entry.timer?.cancel();
    entry.timer = this.ctx.clock.setTimer(() => void this.runDuty(entry), delayMs);
  }

  private async runDuty(entry: { duty: LeaderDuty; timer: TimerHandle | null; running: boolean }): Promise<void> {
    const signal = this.dutyAbort?.signal;
    if (!this.state.isLeader || !signal || entry.running) return;
    entry.running = true;
    try {
      await entry.duty.run({ term: this.state.term, serverId: this.ctx.serverId, signal });
    } catch (error) {
      if (!signal.aborted) this.ctx.log.warn({ duty: entry.duty.name, err: error }, 'leader duty failed');
    } finally {
      entry.running = false;
      if (this.state.isLeader && !signal.aborted) this.scheduleDuty(entry, entry.duty.intervalMs);
    }
  }

  /** Simulates a crash (tests): stops everything WITHOUT resigning the lease. */
  abandon(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.unsubscribe?.();
    this.stepDown('abandoned');
  }

  /** Stops; a leader resigns so a follower takes over without waiting for expiry. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.unsubscribe?.();
    await this.attempting?.catch(() => undefined);
    const wasLeader = this.state.isLeader;
    const term = this.state.term;
    this.stepDown('shutting down');
    if (!wasLeader) return;
    await this.ctx.store
      .runTransaction(async (tx) => {
        const doc = await tx.get('leader', SINGLETON_IDS.leaderLease);
        const next = resignLeadership(doc, { candidate: this.ctx.serverId, term, now: tx.now() });
        if (next) tx.set('leader', SINGLETON_IDS.leaderLease, next);
      })
      .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'could not resign leadership'));
  }
}

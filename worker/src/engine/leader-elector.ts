import { SINGLETON_IDS } from '../schema/names.js';
import type { LeaderLeaseDoc } from '../schema/coordination.js';
import { decideLeadership, resignLeadership } from '../core/coordination/leader-lease.js';
import { leaseTiming } from '../core/coordination/fleet-mode.js';
import type { LeaderDuty } from '../ports/flow-control.js';
import type { TimerHandle } from '../ports/clock.js';
import { guardFor, type Unsubscribe } from '../ports/store.js';
import type { EngineContext } from './context.js';
import { listenDocResilient } from './resilient-listen.js';
import { fleetModeOf, type IdleAwareDuty, type IdleGate } from './fleet-mode.js';

export interface LeadershipState {
  isLeader: boolean;
  term: number;
  /** Current holder as last seen (may be this server). */
  holder: string | null;
  /** The live leader reports no active job in the fleet (see `core/coordination/fleet-mode`). */
  fleetIdle?: boolean;
}

/** The lease a server found when it took leadership. */
export interface LeaderTakeover {
  term: number;
  previous: LeaderLeaseDoc | null;
  at: number;
}

type DutyEntry = { duty: IdleAwareDuty; timer: TimerHandle | null; running: boolean; again: boolean };

/**
 * Leader election on a fenced lease (`transcription_leader/current`), each step a read and a
 * write guarded by the version read (no transaction, so no lock a killed server leaves behind).
 * Followers listen to the lease and try to take it the moment it expires (store time), so a
 * dead leader is replaced
 * within one lease; a resigning leader expires the lease at once. The leader renews every
 * third of the lease and steps down (aborting its duties) as soon as a renewal fails or its
 * lease would run out before a renewal could land.
 *
 * Idle mode: when a duty carrying an `IdleGate` finds the fleet quiet, the leader stops its
 * duty timers (time-driven ones keep a slow `idleIntervalMs`), watches for change through the
 * gate, and renews a longer lease marked `idle` (fewer renewals, each one also a listener read
 * on every server). Work wakes it: the lease goes back to its short length at once and every
 * duty runs. Terms and expiry stay judged by the store's time inside the transaction.
 */
export class LeaderElector {
  private state: LeadershipState = { isLeader: false, term: 0, holder: null, fleetIdle: false };
  private expiresAt = 0;
  /** Lease length of this leader's last renewal. */
  private heldLeaseMs = 0;
  /** This leader found the fleet idle (followers learn it from the lease's `idle`). */
  private idle = false;
  private gate: IdleGate | null = null;
  private unwatch: Unsubscribe | null = null;
  private timer: TimerHandle | null = null;
  private unsubscribe: Unsubscribe | null = null;
  private duties: DutyEntry[] = [];
  private dutyAbort: AbortController | null = null;
  private stopped = true;
  private attempting: Promise<void> | null = null;
  private readonly listeners = new Set<(s: LeadershipState) => void>();
  private lastTakeover: LeaderTakeover | null = null;

  constructor(
    private readonly ctx: EngineContext,
    duties: readonly LeaderDuty[] = [],
  ) {
    for (const d of duties) this.addDuty(d);
  }

  private get leaseMs(): number {
    return this.ctx.config.serverCoordination.leaderLeaseMs;
  }

  private timing() {
    const c = this.ctx.config.serverCoordination;
    return leaseTiming(this.idle, { leaseMs: c.leaderLeaseMs, idleLeaseMs: c.idleLeaderLeaseMs });
  }

  get current(): LeadershipState {
    return { ...this.state };
  }

  /**
   * The lease as this server found it when it last took leadership (store time of the
   * takeover): how long the lease had lapsed tells whether any server was alive meanwhile
   * (the alerts' `no_live_server`).
   */
  get takeover(): LeaderTakeover | null {
    return this.lastTakeover;
  }

  onChange(listener: (s: LeadershipState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Duties can be added at any time (others' packages register theirs through LeaderDuty). */
  addDuty(duty: LeaderDuty): void {
    const entry: DutyEntry = { duty, timer: null, running: false, again: false };
    this.duties.push(entry);
    if (entry.duty.idleGate) this.gate ??= entry.duty.idleGate;
    if (this.state.isLeader) this.scheduleDuty(entry, this.idle ? (entry.duty.idleIntervalMs ?? null) : 0);
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
          if (!this.state.isLeader) this.setHolder(null, doc?.term ?? this.state.term, false);
          this.schedule(0);
        } else if (doc.holder !== this.ctx.serverId) {
          if (this.state.isLeader && doc.term !== this.state.term) this.stepDown(`lease taken by ${doc.holder}`);
          this.setHolder(doc.holder, doc.term, doc.idle);
          this.schedule(doc.expiresAt - this.ctx.store.now() + 20);
        }
      },
      { clock: this.ctx.clock, log: this.ctx.log, what: 'leader lease' },
    );
    this.schedule(0);
  }

  private setHolder(holder: string | null, term: number, fleetIdle: boolean): void {
    fleetModeOf(this.ctx).set(fleetIdle);
    if (this.state.holder === holder && this.state.term === term && this.state.fleetIdle === fleetIdle) return;
    this.state = { ...this.state, holder, term, fleetIdle };
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
      // Only a sitting leader renews as idle; a new one has not looked at the queue yet.
      const idle = this.state.isLeader && this.idle;
      const timing = this.timing();
      // A read and a write guarded by the version read, not a read-write transaction: a
      // server killed inside a transaction left the lease locked until Firestore expired it,
      // and with kills every few seconds those locks chained into minutes without a leader.
      // Judged at the read's store time; of two candidates that read the same lapsed lease,
      // the guard lets exactly one write it.
      const read = await this.ctx.store.get('leader', SINGLETON_IDS.leaderLease);
      const priorIdle = read.doc?.idle ?? false;
      const decision = decideLeadership(read.doc, { candidate: this.ctx.serverId, now: read.readTime, leaseMs: timing.leaseMs, idle });
      if (decision.kind !== 'follower') {
        const res = await this.ctx.store.commitIf([
          { op: 'set', collection: 'leader', id: SINGLETON_IDS.leaderLease, data: decision.next, guard: guardFor(read.version) },
        ]);
        if (!res.ok) {
          // Another server wrote the lease first (a takeover, or a renewal raced by a resign):
          // look again shortly; the lease listener also reports the new holder.
          if (this.state.isLeader && this.ctx.store.now() > this.expiresAt - this.heldLeaseMs / 3) this.stepDown('renewal lost a race');
          this.schedule(Math.round(20 + this.ctx.random() * 80));
          return;
        }
      }
      if (this.stopped) return;
      if (decision.kind === 'follower') {
        if (this.state.isLeader) this.stepDown(`lease held by ${decision.holder}`);
        this.setHolder(decision.holder, decision.term, priorIdle);
        this.schedule(decision.expiresAt - this.ctx.store.now() + 20);
        return;
      }
      this.expiresAt = decision.next.expiresAt;
      this.heldLeaseMs = timing.leaseMs;
      if (decision.kind === 'acquired') this.lastTakeover = { term: decision.next.term, previous: read.doc, at: read.readTime };
      if (decision.kind === 'acquired' || !this.state.isLeader) this.becomeLeader(decision.next.term, priorIdle);
      // The mode changed while the renewal was in flight: publish the new one now.
      if (this.idle !== idle) this.schedule(0);
      else this.schedule(timing.renewInMs);
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'leader election attempt failed');
      // Do not act as leader on a lease we could not renew in time.
      if (this.state.isLeader && this.ctx.store.now() > this.expiresAt - this.heldLeaseMs / 3) this.stepDown('renewal failed');
      this.schedule(Math.min(1_000, this.leaseMs / 6));
    }
  }

  private becomeLeader(term: number, priorIdle: boolean): void {
    this.idle = false;
    this.state = { isLeader: true, term, holder: this.ctx.serverId, fleetIdle: false };
    fleetModeOf(this.ctx).set(false);
    // Taking over an idle fleet wakes it (its servers may still be on the idle cadence).
    if (this.gate && priorIdle) this.gate.wokeAt = this.ctx.store.now();
    this.dutyAbort = new AbortController();
    this.ctx.log.info({ term }, 'became leader');
    for (const entry of this.duties) this.scheduleDuty(entry, 0);
    this.emit();
  }

  private stepDown(reason: string): void {
    if (!this.state.isLeader) return;
    this.ctx.log.warn({ term: this.state.term, reason }, 'stepped down as leader');
    this.stopWatching();
    this.idle = false;
    this.state = { ...this.state, isLeader: false, fleetIdle: false };
    fleetModeOf(this.ctx).set(false);
    this.dutyAbort?.abort(new Error(`leadership lost: ${reason}`));
    this.dutyAbort = null;
    for (const entry of this.duties) {
      entry.timer?.cancel();
      entry.timer = null;
    }
    this.emit();
  }

  private stopWatching(): void {
    this.unwatch?.();
    this.unwatch = null;
  }

  /** The gate found nothing to do: stop the timers, watch for change, renew as idle. */
  private enterIdle(): void {
    const gate = this.gate;
    if (!gate || this.idle || !this.state.isLeader || this.stopped) return;
    this.idle = true;
    this.ctx.log.info({ term: this.state.term }, 'fleet idle: leader duties wait for change');
    for (const entry of this.duties) this.scheduleDuty(entry, entry.duty.idleIntervalMs ?? null);
    this.state = { ...this.state, fleetIdle: true };
    fleetModeOf(this.ctx).set(true);
    this.emit();
    this.unwatch = gate.watch({
      wake: (why) => this.wake(why),
      run: (names) => void this.runInOrder(names),
    });
    // Publish the mode (and the longer lease) now, unless a renewal is in flight (it re-checks).
    if (!this.attempting) this.schedule(0);
  }

  /** Runs the named duties one after the other (a merge before the stats that use it). */
  private async runInOrder(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const entry = this.duties.find((e) => e.duty.name === name);
      if (!entry || !this.state.isLeader) continue;
      if (entry.running) {
        entry.again = true;
        continue;
      }
      entry.timer?.cancel();
      entry.timer = null;
      await this.runDuty(entry);
    }
  }

  private wake(why: string): void {
    if (!this.idle || !this.state.isLeader || this.stopped) return;
    this.idle = false;
    this.stopWatching();
    if (this.gate) this.gate.wokeAt = this.ctx.store.now();
    this.ctx.log.info({ term: this.state.term, why }, 'fleet busy: leader duties resume');
    this.state = { ...this.state, fleetIdle: false };
    fleetModeOf(this.ctx).set(false);
    this.emit();
    // Short lease at once: followers speed their heartbeats up as soon as they see it.
    if (!this.attempting) this.schedule(0);
    for (const entry of this.duties) this.scheduleDuty(entry, 0);
  }

  /** `delayMs` null: not scheduled (an idle fleet's change-driven duty). */
  private scheduleDuty(entry: DutyEntry, delayMs: number | null): void {
    entry.timer?.cancel();
    entry.timer = null;
    if (delayMs === null) return;
    if (entry.running) {
      // Runs once more when the current run ends (a change arrived while it ran).
      if (delayMs === 0) entry.again = true;
      return;
    }
    entry.timer = this.ctx.clock.setTimer(() => void this.runDuty(entry), delayMs);
  }

  private async runDuty(entry: DutyEntry): Promise<void> {
    const signal = this.dutyAbort?.signal;
    if (!this.state.isLeader || !signal || entry.running) return;
    entry.running = true;
    entry.again = false;
    let ok = false;
    try {
      await entry.duty.run({ term: this.state.term, serverId: this.ctx.serverId, signal });
      ok = true;
    } catch (error) {
      if (!signal.aborted) this.ctx.log.warn({ duty: entry.duty.name, err: error }, 'leader duty failed');
    } finally {
      entry.running = false;
    }
    if (!this.state.isLeader || signal.aborted) return;
    const gate = entry.duty.idleGate;
    if (ok && gate) {
      if (gate.quiet()) this.enterIdle();
      else this.wake(`${entry.duty.name} found work`);
    }
    if (entry.again) this.scheduleDuty(entry, 0);
    else this.scheduleDuty(entry, this.idle ? (entry.duty.idleIntervalMs ?? null) : entry.duty.intervalMs);
  }

  /** Simulates a crash (tests): stops everything WITHOUT resigning the lease. */
  abandon(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.stopWatching();
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
    try {
      const read = await this.ctx.store.get('leader', SINGLETON_IDS.leaderLease);
      const next = resignLeadership(read.doc, { candidate: this.ctx.serverId, term, now: read.readTime });
      // Guarded: a lease someone took over since the read is theirs and stays.
      if (next && read.version) await this.ctx.store.commitIf([{ op: 'set', collection: 'leader', id: SINGLETON_IDS.leaderLease, data: next, guard: { ifVersion: read.version } }]);
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not resign leadership');
    }
  }
}

import type { BudgetSlice, ServerDoc, ServerState, UpstreamWindow } from '../schema/coordination.js';
import type { TimerHandle } from '../ports/clock.js';
import type { EngineContext } from './context.js';
import { heartbeatPlan } from '../core/coordination/fleet-mode.js';
import { fleetModeOf } from './fleet-mode.js';

export interface ServerStatus {
  inFlight: number;
  concurrencyLimit: number;
  maxConcurrency: number;
  jobsCompleted: number;
  jobsFailed: number;
  upstream: Record<string, UpstreamWindow>;
  budget: Record<string, BudgetSlice>;
}

export interface ServerIdentity {
  hostname: string;
  pid: number;
  version: string;
  labels?: Record<string, string>;
}

/** Early reports (outage evidence) are written at most this often. */
const MIN_EARLY_REPORT_MS = 1_000;

/**
 * This server's own document (`transcription_servers/{serverId}`): registration, heartbeats
 * with load and upstream counts, deregistration. It writes nothing else; the leader alone
 * may mark a silent server `lost`. Heartbeats are blind writes (one write, no read).
 *
 * Cadence (`core/coordination/fleet-mode`): every `heartbeatIntervalMs`, or every
 * `idleHeartbeatIntervalMs` while this server holds no job and the leader reports the fleet
 * idle; the interval in use is advertised in the document. A local check (no store access)
 * runs every fast interval to notice a job taken on, and the fleet waking speeds it up at once.
 */
export class ServerRegistry {
  private timer: TimerHandle | null = null;
  private startedAt = 0;
  private state: ServerState = 'active';
  private writing: Promise<void> | null = null;
  private lastAt: number | null = null;
  /** An early report waits for its second (see reportNow). */
  private earlyPending = false;
  private earlyTimer: TimerHandle | null = null;
  private advertisedMs = 0;
  private unwatchMode: (() => void) | null = null;
  private live = false;
  /** An operator drained this server (`server.drain`): it shows `draining` until resumed. */
  private drained = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly identity: ServerIdentity,
    private readonly status: () => ServerStatus,
  ) {}

  private doc(state: ServerState, s: ServerStatus, intervalMs: number): ServerDoc {
    const upstream = this.ctx.config.upstream;
    return {
      serverId: this.ctx.serverId,
      hostname: this.identity.hostname,
      pid: this.identity.pid,
      version: this.identity.version,
      state,
      startedAt: this.startedAt,
      heartbeatAt: this.ctx.store.now(),
      heartbeatIntervalMs: intervalMs,
      inFlight: s.inFlight,
      concurrencyLimit: s.concurrencyLimit,
      maxConcurrency: s.maxConcurrency,
      jobsCompleted: s.jobsCompleted,
      jobsFailed: s.jobsFailed,
      upstream: s.upstream,
      budget: s.budget,
      labels: this.identity.labels ?? {},
      routing: { model: upstream.model, fallbackModel: upstream.fallbackModel, fallbackPriorities: upstream.fallbackPriorities },
    };
  }

  private plan(status: ServerStatus) {
    const c = this.ctx.config.serverCoordination;
    // Only an active server slows down with the fleet: a stopping one is watched closely. A
    // drained one takes no job, so with none left in flight it slows down whatever the fleet does.
    const drainedIdle = this.drained && this.state === 'draining';
    const fleetIdle = drainedIdle || (this.state === 'active' && fleetModeOf(this.ctx).idle);
    return heartbeatPlan(
      { lastAt: this.lastAt, advertisedMs: this.advertisedMs },
      this.ctx.store.now(),
      { inFlight: status.inFlight, fleetIdle },
      { fastMs: c.heartbeatIntervalMs, idleMs: c.idleHeartbeatIntervalMs },
    );
  }

  private async write(state: ServerState, status: ServerStatus = this.status(), intervalMs = this.plan(status).intervalMs): Promise<void> {
    // One heartbeat write at a time; a slow store must not pile them up.
    if (this.writing) await this.writing.catch(() => undefined);
    // This write carries whatever an early report was waiting to say.
    this.earlyPending = false;
    const doc = this.doc(state, status, intervalMs);
    this.ctx.log.debug({ inFlight: doc.inFlight, intervalMs }, 'server report');
    this.writing = this.ctx.store.commit([{ op: 'set', collection: 'servers', id: this.ctx.serverId, data: doc }]).then(() => {
      this.lastAt = doc.heartbeatAt;
      this.advertisedMs = intervalMs;
    });
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  private arm(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.live ? this.ctx.clock.setTimer(() => this.check(), Math.max(1, delayMs)) : null;
  }

  /** Checks whether a heartbeat is due (a local check, no store access), writes it if so, re-arms. */
  private check(): void {
    if (!this.live) return;
    const fastMs = this.ctx.config.serverCoordination.heartbeatIntervalMs;
    // Another write (drain, a previous beat) is in flight: look again shortly.
    if (this.writing) return this.arm(Math.min(fastMs, 250));
    const status = this.status();
    const plan = this.plan(status);
    if (!plan.due) return this.arm(Math.min(fastMs, plan.dueAt - this.ctx.store.now()));
    this.timer?.cancel();
    this.timer = null;
    this.write(this.state, status, plan.intervalMs).then(
      () => this.check(),
      (error: unknown) => {
        this.ctx.log.warn({ err: error }, 'server heartbeat failed');
        this.arm(fastMs);
      },
    );
  }

  /**
   * Heartbeat now, whatever the cadence: the report holds news the leader needs (outage
   * evidence, a concurrency cut). At most one such early write per second: news that comes
   * sooner after the last write (or while one is in flight) goes out as soon as that second
   * is over, never dropped (a dropped cut reached the leader only at the next heartbeat, 5 s
   * later, and the fleet kept calling above the edge meanwhile). A write in between carries it.
   */
  reportNow(): void {
    if (!this.live) return;
    const wait = this.writing ? MIN_EARLY_REPORT_MS / 4 : this.lastAt === null ? 0 : this.lastAt + MIN_EARLY_REPORT_MS - this.ctx.store.now();
    if (wait > 0) {
      this.earlyPending = true;
      if (!this.earlyTimer) {
        this.earlyTimer = this.ctx.clock.setTimer(() => {
          this.earlyTimer = null;
          if (this.earlyPending) this.reportNow();
        }, wait);
      }
      return;
    }
    this.timer?.cancel();
    this.timer = null;
    this.write(this.state, this.status(), this.plan(this.status()).intervalMs).then(
      () => this.check(),
      (error: unknown) => {
        this.ctx.log.warn({ err: error }, 'early server report failed');
        this.arm(this.ctx.config.serverCoordination.heartbeatIntervalMs);
      },
    );
  }

  /**
   * Heartbeat now if the cadence should change (e.g. right after this server took a job
   * while idle); cheap when nothing changed. Callers that learn of new work may call it.
   */
  heartbeatSoon(): void {
    this.check();
  }

  async register(): Promise<void> {
    this.startedAt = this.ctx.store.now();
    this.state = 'active';
    await this.write('active');
    this.live = true;
    this.arm(this.ctx.config.serverCoordination.heartbeatIntervalMs);
    // The fleet waking (or going idle) changes the cadence: re-plan at once.
    this.unwatchMode = fleetModeOf(this.ctx).onChange(() => this.check());
  }

  /** Marks the server draining (stops claiming; visible on the dashboard). */
  async drain(): Promise<void> {
    this.state = 'draining';
    this.drained = false;
    await this.write('draining');
  }

  /**
   * An operator drained (true) or resumed (false) this server: `draining` or `active` at once,
   * in a heartbeat written now. Ignored once the server is shutting down (its `drain()` wins).
   */
  async setDrained(drained: boolean): Promise<void> {
    if (!this.live || this.drained === drained || (this.state !== 'active' && !this.drained)) return;
    this.drained = drained;
    this.state = drained ? 'draining' : 'active';
    this.timer?.cancel();
    this.timer = null;
    try {
      await this.write(this.state);
    } finally {
      this.check();
    }
  }

  async deregister(): Promise<void> {
    this.live = false;
    this.timer?.cancel();
    this.timer = null;
    this.earlyTimer?.cancel();
    this.earlyTimer = null;
    this.unwatchMode?.();
    this.unwatchMode = null;
    this.state = 'stopped';
    await this.write('stopped');
  }
}

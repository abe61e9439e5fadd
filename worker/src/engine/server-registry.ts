import type { BudgetSlice, ServerDoc, ServerState, UpstreamWindow } from '../schema/coordination.js';
import type { TimerHandle } from '../ports/clock.js';
import type { EngineContext } from './context.js';

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

/**
 * This server's own document (`transcription_servers/{serverId}`): registration, heartbeats
 * with load and upstream counts, deregistration. It writes nothing else; the leader alone
 * may mark a silent server `lost`. Heartbeats are blind writes (one write, no read).
 */
export class ServerRegistry {
  private timer: TimerHandle | null = null;
  private startedAt = 0;
  private state: ServerState = 'active';
  private writing: Promise<void> | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly identity: ServerIdentity,
    private readonly status: () => ServerStatus,
  ) {}

  private doc(state: ServerState): ServerDoc {
    const s = this.status();
    return {
      serverId: this.ctx.serverId,
      hostname: this.identity.hostname,
      pid: this.identity.pid,
      version: this.identity.version,
      state,
      startedAt: this.startedAt,
      heartbeatAt: this.ctx.store.now(),
      heartbeatIntervalMs: this.ctx.config.serverCoordination.heartbeatIntervalMs,
      inFlight: s.inFlight,
      concurrencyLimit: s.concurrencyLimit,
      maxConcurrency: s.maxConcurrency,
      jobsCompleted: s.jobsCompleted,
      jobsFailed: s.jobsFailed,
      upstream: s.upstream,
      budget: s.budget,
      labels: this.identity.labels ?? {},
    };
  }

  private async write(state: ServerState): Promise<void> {
    // One heartbeat write at a time; a slow store must not pile them up.
    if (this.writing) await this.writing.catch(() => undefined);
    this.writing = this.ctx.store
      .commit([{ op: 'set', collection: 'servers', id: this.ctx.serverId, data: this.doc(state) }])
      .then(() => undefined);
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  async register(): Promise<void> {
    this.startedAt = this.ctx.store.now();
    this.state = 'active';
    await this.write('active');
    const tick = () => {
      this.timer = this.ctx.clock.setTimer(() => {
        this.write(this.state)
          .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'server heartbeat failed'))
          .finally(() => {
            if (this.timer) tick();
          });
      }, this.ctx.config.serverCoordination.heartbeatIntervalMs);
    };
    tick();
  }

  /** Marks the server draining (stops claiming; visible on the dashboard). */
  async drain(): Promise<void> {
    this.state = 'draining';
    await this.write('draining');
  }

  async deregister(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.state = 'stopped';
    await this.write('stopped');
  }
}

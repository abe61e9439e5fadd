import type { LeaderDuty } from '../ports/flow-control.js';
import type { Unsubscribe } from '../ports/store.js';
import type { EngineContext } from './context.js';

/**
 * Whether the fleet is idle, as this server last learned it from the leader lease (followers)
 * or decided it (the leader). One per engine context, so the server registry can slow its
 * heartbeats without a second listener on the lease document. Never idle without a live
 * leader: a server that cannot tell keeps the fast cadence.
 */
export class FleetModeSignal {
  private value = false;
  private readonly listeners = new Set<(idle: boolean) => void>();

  get idle(): boolean {
    return this.value;
  }

  set(idle: boolean): void {
    if (idle === this.value) return;
    this.value = idle;
    for (const l of [...this.listeners]) l(idle);
  }

  onChange(listener: (idle: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const signals = new WeakMap<EngineContext, FleetModeSignal>();

export function fleetModeOf(ctx: EngineContext): FleetModeSignal {
  let s = signals.get(ctx);
  if (!s) {
    s = new FleetModeSignal();
    signals.set(ctx, s);
  }
  return s;
}

/**
 * The leader's side of idle mode (see `core/coordination/fleet-mode` for why): after a duty
 * that carries a gate runs, `quiet()` says whether the fleet can go idle; while idle, `watch`
 * listens for change and calls `wake` on work, or `run` for duties a change makes due.
 */
export interface IdleGate {
  quiet(): boolean;
  watch(handlers: { wake: (why: string) => void; run: (duties: readonly string[]) => void }): Unsubscribe;
  /** Store time the fleet last woke (from idle, or when this leader took over). */
  wokeAt: number;
}

/**
 * A leader duty that knows about idle mode. `idleGate`: the leader judges idleness after it
 * runs. `idleIntervalMs`: time-driven work that must still run while idle, this often;
 * without it a duty does not run at all while the fleet is idle (other packages' duties, e.g.
 * flow control, are change-driven by being woken with the fleet).
 */
export interface IdleAwareDuty extends LeaderDuty {
  readonly idleGate?: IdleGate;
  readonly idleIntervalMs?: number;
}

/**
 * Idle mode of the fleet: pure decisions, no I/O, every time passed in (store time).
 *
 * Why the leader decides, and from what: the leader already counts the active jobs for the
 * stats document every maintenance interval while there is work (`byStatus`), and those
 * counts include every job a server holds (`running`) as well as everything waiting to be
 * claimed, retried or admitted. When one such run finds all of them at zero, nothing in the
 * fleet can need a reclaim, a promotion, a position or a budget change, so the leader stops
 * its timers and instead listens for the first active job (a limit-1 listener: one read when
 * it subscribes to an empty result, then nothing until a job appears). It publishes the mode
 * in the lease document every server already listens to, so followers slow their heartbeats
 * without any extra read. The first job wakes the leader, which renews at once with the short
 * lease and `idle: false`, and every server speeds up again.
 */

/** Statuses of a job that still needs the fleet (see `JOB_STATUSES`). */
export const ACTIVE_JOB_STATUSES = ['submitted', 'queued', 'waiting', 'running'] as const;

/** True when a stats snapshot shows no job anywhere that the fleet must act on. */
export function fleetIsQuiet(stats: { byStatus: Partial<Record<string, number>>; inFlight: number }): boolean {
  return stats.inFlight === 0 && ACTIVE_JOB_STATUSES.every((s) => (stats.byStatus[s] ?? 0) === 0);
}

export interface LeaseTiming {
  /** Length of the lease written at this renewal. */
  leaseMs: number;
  /** Delay until the next renewal (a third of the lease: two renewals may fail before it lapses). */
  renewInMs: number;
}

/**
 * The leader's lease length and renewal cadence. An idle fleet renews a longer lease: a dead
 * idle leader is then replaced within `idleLeaseMs` instead of `leaseMs`, which costs nothing
 * real (no job is held, so nothing waits for a reclaim), while each renewal costs one read and
 * one write plus one listener read per server.
 */
export function leaseTiming(idle: boolean, cfg: { leaseMs: number; idleLeaseMs: number | null }): LeaseTiming {
  const leaseMs = idle && cfg.idleLeaseMs !== null ? Math.max(cfg.leaseMs, cfg.idleLeaseMs) : cfg.leaseMs;
  return { leaseMs, renewInMs: leaseMs / 3 };
}

export interface HeartbeatState {
  /** Store time of the last heartbeat write (null: none yet). */
  lastAt: number | null;
  /** The interval the last heartbeat advertised (`heartbeatIntervalMs` of the server doc). */
  advertisedMs: number;
}

/**
 * The cadence a server heartbeats at, and whether one is due now. A server holding no job has
 * nothing another server would reclaim, so while the leader says the fleet is idle it
 * heartbeats every `idleMs`; it advertises that interval in its document so liveness judges
 * (`heartbeatDeadline` in `server-liveness`) allow for it. Whenever the cadence changes (it
 * takes a job, the fleet wakes or goes idle) a heartbeat is due at once, then every interval.
 */
export function heartbeatPlan(
  state: HeartbeatState,
  now: number,
  load: { inFlight: number; fleetIdle: boolean },
  cfg: { fastMs: number; idleMs: number | null },
): { intervalMs: number; due: boolean; dueAt: number } {
  const idle = load.fleetIdle && load.inFlight === 0 && cfg.idleMs !== null;
  const intervalMs = idle ? Math.max(cfg.fastMs, cfg.idleMs as number) : cfg.fastMs;
  if (state.lastAt === null) return { intervalMs, due: true, dueAt: now };
  // A new cadence is announced at once: speeding up, the document must show a fresh time and
  // the short interval before anyone judges it by that; slowing down, it must never claim a
  // shorter interval than the server keeps (the dashboard would call it stale).
  const dueAt = intervalMs !== state.advertisedMs ? now : state.lastAt + intervalMs;
  return { intervalMs, due: now >= dueAt, dueAt };
}

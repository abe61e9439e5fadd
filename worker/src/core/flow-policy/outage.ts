import type { UpstreamWindow } from '../../schema/coordination.js';
import type { BreakerConfig } from './breaker-rules.js';

/**
 * Fast outage detection for the fleet's breaker, from the servers' latest reports.
 *
 * The time window (`windowTripReason`) needs a whole `windowMs` without a success before
 * overload answers (503) open the breaker, because a busy upstream answers 503 too while it
 * still serves others, and a young window proves nothing: rejections come back in
 * milliseconds, successes only after the call's latency. That made a 503 outage take a
 * minute to open the breaker, while the jobs kept asking.
 *
 * What tells an outage from a busy upstream without waiting that long is what is running:
 * a busy upstream is working on calls it accepted (some server has a call in flight), a
 * down one accepts nothing. So the breaker opens when, across the fleet's latest reports,
 * - no call is in flight,
 * - no success came for `outageQuietMs`, and
 * - at least `failureThreshold` counted failures (quota answers aside) came since the last
 *   success's call was admitted (or since the breaker's last transition).
 * A server reaching the threshold reports at once (an early heartbeat), so the leader sees
 * it within one flow tick. "No call in flight" is only believed from reports written after
 * the quiet time began: a server whose last report is older may have started calls since
 * that the upstream is working on, so the rule waits for its next heartbeat. Hung calls are
 * not this rule's business: they are in flight until they time out, and timeouts trip the
 * per-server streak rule.
 */
export interface FleetHealth {
  /** Counted failures since the fleet's last success (or the last transition). */
  failing: number;
  /** How long the fleet has gone without a success while failing (ms). */
  quietMs: number;
  /** Calls in flight across the fleet. */
  running: number;
  /** Some server's last report predates the quiet time: its calls in flight are unknown. */
  stale: boolean;
}

/** One server's latest report: its evidence for the model and when it wrote it. */
export interface HealthReport {
  health: Health | null | undefined;
  reportedAt: number;
}

type Health = NonNullable<UpstreamWindow['health']>;

/**
 * `reports`: every live server's latest report (also those without evidence for the model:
 * their report time still says whether their calls in flight are known). `since`: the
 * breaker's last transition (evidence older than it judged the previous state).
 */
export function fleetHealth(reports: readonly HealthReport[], args: { now: number; since: number }): FleetHealth | null {
  const present = reports.map((r) => r.health).filter((h): h is Health => h !== null && h !== undefined);
  if (present.length === 0) return null;
  const running = present.reduce((n, r) => n + r.running, 0);
  const latest = (values: (number | null | undefined)[]) => {
    const known = values.filter((t): t is number => t !== null && t !== undefined);
    return known.length > 0 ? Math.max(...known) : Number.NEGATIVE_INFINITY;
  };
  // A success proves the upstream up from when its call was admitted, not from its answer: the
  // calls admitted just before an outage still end well a latency later (1.5 s on the bench),
  // and measured from their answers, the refusals that came between were ruled out and the
  // breaker waited for as many new ones, which the flow limit then sends one every few seconds.
  // Older reports carry no start: their answer time stands in.
  const admitted = latest(present.map((r) => r.lastSuccessStartedAt ?? r.lastSuccessAt));
  const answered = latest(present.map((r) => r.lastSuccessAt));
  const floor = Math.max(admitted, args.since);
  // A server's run counts when it began after the fleet's last admitted success, or went on
  // failing after it. A refusal means the upstream was running other calls, whose answers come
  // after it: a run that stopped before a call admitted later ended well does not count.
  const failing = present.filter((r) => r.failingSince !== null && (r.failingSince >= floor || (r.lastFailureAt ?? Number.NEGATIVE_INFINITY) >= floor));
  if (failing.length === 0) return { failing: 0, quietMs: 0, running, stale: false };
  // Quiet is measured from the last answer: no success came since.
  const quietFloor = Math.max(answered, args.since);
  const quietSince = Number.isFinite(quietFloor) && quietFloor > 0 ? quietFloor : Math.min(...failing.map((r) => r.failingSince as number));
  return {
    failing: failing.reduce((n, r) => n + r.failingCount, 0),
    quietMs: Math.max(0, args.now - quietSince),
    running,
    stale: reports.some((r) => r.reportedAt < quietSince),
  };
}

export function outageTripReason(health: FleetHealth | null, config: BreakerConfig): string | null {
  if (!health || health.stale || health.running > 0) return null;
  if (health.failing < config.failureThreshold || health.quietMs < config.outageQuietMs) return null;
  return `${health.failing} failures and no success in the fleet for ${(health.quietMs / 1000).toFixed(1)} s, no call in flight (threshold ${config.failureThreshold})`;
}

/** How often the leader looks again while only fresh reports (or a last failure) are missing. */
export const OUTAGE_RECHECK_MS = 250;
/** Looking again that often stops this long after the quiet time was reached: the ticks go on. */
export const OUTAGE_RECHECK_HORIZON_MS = 5_000;

/**
 * When the leader should judge the outage rule again, sooner than its next flow tick (ms from
 * now; null: the tick will do). The rule trips at a moment no report marks: when the quiet time
 * runs out, or when the last stale server's heartbeat lands. Judged only on the 2 s tick, an
 * outage waited up to a whole tick past that moment (the bench's outage opened 5.4 s after the
 * upstream went down where 3.9 s was due). So while the fleet is failing with nothing in
 * flight, the leader looks again when the quiet time is up, and then every OUTAGE_RECHECK_MS
 * for a while, for the reports it still needs; from its listener's copy of the servers, so a
 * look costs no read.
 */
export function outageRecheckInMs(health: FleetHealth | null, config: BreakerConfig, tickMs: number): number | null {
  if (!health || health.failing === 0 || health.running > 0) return null;
  const untilQuiet = config.outageQuietMs - health.quietMs;
  if (untilQuiet > 0) return untilQuiet < tickMs ? untilQuiet : null;
  if (-untilQuiet > OUTAGE_RECHECK_HORIZON_MS) return null;
  return OUTAGE_RECHECK_MS < tickMs ? OUTAGE_RECHECK_MS : null;
}

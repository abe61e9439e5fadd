import type { WorkerConfig } from '../../schema/config.js';

/**
 * When the circuit breaker opens. Two windows, both with separate thresholds per error class:
 *
 * COUNT window (a streak, judged by each server): counted failures in a row, a success ends
 * the streak, ignored classes (400 invalid, cancelled ...) neither count nor end it. The
 * streak trips when the failures of classes WITHOUT their own threshold reach
 * `failureThreshold`, or the failures of a class WITH one (`thresholdsByClass`, e.g. quota: 50)
 * reach that. One server seeing N failures in a row proves the fleet saw at least N, so a
 * server may trip the shared breaker itself, at once.
 *
 * TIME window (the fleet's last `windowMs`, judged by the leader from all servers' reports):
 *  - the same count thresholds, but only while the window holds NO success (a hard outage
 *    spread thin across many servers), and
 *  - the failure rate: counted failures / (successes + counted failures) >= failureRateThreshold
 *    once at least `minimumCalls` outcomes are in the window. Classes in `rateIgnoredClasses`
 *    (default overloaded and quota) stay out of the rate: a fleet over capacity meets them in
 *    bulk while it still succeeds, and the adaptive limiter is the answer to that.
 *
 * A server's streak counts an overload (503/429) only once per congestion episode (see
 * `FleetFlowControl`): the burst of rejections that the local limiter already answered with
 * one cut is one failure, so a fleet starting over capacity does not trip its own breaker,
 * while a real outage (every call fails, also at the minimum limit) still does within a few
 * round trips.
 *
 * Why not "N failures in the window" alone: an adaptive limiter probing the upstream's
 * capacity meets a few 503s by design every minute; those must tune concurrency, not cut
 * the fleet off. A streak or an all-failure window is an outage; a high rate is a sick model.
 */
export type BreakerConfig = WorkerConfig['circuitBreaker'];

export interface OutcomeCounts {
  successes: number;
  failuresByClass: Readonly<Record<string, number>>;
}

export function isCounted(errorClass: string, config: BreakerConfig): boolean {
  return !(config.ignoredClasses as readonly string[]).includes(errorClass);
}

function classThreshold(errorClass: string, config: BreakerConfig): number | undefined {
  return (config.thresholdsByClass as Partial<Record<string, number>>)[errorClass];
}

/** Counted failures split into the general pool and the classes with their own threshold. */
export function countFailures(failuresByClass: Readonly<Record<string, number>>, config: BreakerConfig) {
  let general = 0;
  let total = 0;
  const own: Record<string, number> = {};
  for (const [errorClass, n] of Object.entries(failuresByClass)) {
    if (n <= 0 || !isCounted(errorClass, config)) continue;
    total += n;
    if (classThreshold(errorClass, config) === undefined) general += n;
    else own[errorClass] = n;
  }
  return { total, general, own };
}

function countRule(failuresByClass: Readonly<Record<string, number>>, config: BreakerConfig, where: string): string | null {
  const { general, own } = countFailures(failuresByClass, config);
  for (const [errorClass, n] of Object.entries(own)) {
    const threshold = classThreshold(errorClass, config) as number;
    if (n >= threshold) return `${n} ${errorClass} failures ${where} (threshold ${threshold})`;
  }
  if (general >= config.failureThreshold) return `${general} failures ${where} (threshold ${config.failureThreshold})`;
  return null;
}

/** Trip reason for a server's current streak of failures, or null. */
export function streakTripReason(streakByClass: Readonly<Record<string, number>>, config: BreakerConfig): string | null {
  return countRule(streakByClass, config, 'in a row');
}

/** Trip reason for the fleet's time window, or null. */
export function windowTripReason(counts: OutcomeCounts, config: BreakerConfig): string | null {
  if (counts.successes === 0) {
    const reason = countRule(counts.failuresByClass, config, 'in the window without a success');
    if (reason) return reason;
  }
  const rated = Object.fromEntries(
    Object.entries(counts.failuresByClass).filter(([c]) => !(config.rateIgnoredClasses as readonly string[]).includes(c)),
  );
  const { total } = countFailures(rated, config);
  const outcomes = counts.successes + total;
  if (outcomes >= config.minimumCalls && outcomes > 0) {
    const rate = total / outcomes;
    if (rate >= config.failureRateThreshold) {
      return `failure rate ${(rate * 100).toFixed(0)}% of ${outcomes} calls (threshold ${(config.failureRateThreshold * 100).toFixed(0)}%)`;
    }
  }
  return null;
}

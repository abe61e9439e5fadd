import type { WorkerConfig } from '../../schema/config.js';

/**
 * When the circuit breaker opens. Two windows, both with separate thresholds per error class
 * (`thresholdsByClass`, e.g. timeout: 3; classes without one share `failureThreshold`):
 *
 * COUNT window (a streak, judged by each server on its own calls): failures in a row; a
 * success ends the streak; ignored classes (400 invalid, cancelled ...) and overload classes
 * neither count nor end it. One server seeing N network errors, timeouts or 5xx in a row
 * proves an outage, so it trips the shared breaker itself, at once.
 *
 * TIME window (the fleet's last `windowMs` since the last transition, judged by the leader
 * from every server's reports):
 *  - the same count thresholds, all classes including overload ones, when a FULL window
 *    (it has covered `windowMs`) holds NO success at all: a hard outage, also one spread thin
 *    across many servers. A young window proves nothing: rejections come back in
 *    milliseconds, successes only after the call's latency, so a fleet that just started
 *    (or a leader that just took over) first waits one window;
 *  - the failure rate: failures / (successes + failures) >= failureRateThreshold once the
 *    window holds `minimumCalls` outcomes, overload classes left out.
 *
 * Why overload answers (503 "model overloaded", 429 quota) are special (`overloadClasses`):
 * a fleet running above the upstream's capacity meets them in bulk while it still succeeds,
 * and a server with a small share can meet several in a row while its peers fill the
 * upstream. That is the adaptive limiter's business (cut concurrency), not the breaker's.
 * Only a window in which nothing succeeds proves the model is down.
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

export function isOverload(errorClass: string, config: BreakerConfig): boolean {
  return (config.overloadClasses as readonly string[]).includes(errorClass);
}

/** Whether a failure of this class extends (and a success of course ends) a server's streak. */
export function extendsStreak(errorClass: string, config: BreakerConfig): boolean {
  return isCounted(errorClass, config) && !isOverload(errorClass, config);
}

/** Trip reason for a server's current streak of failures, or null. */
export function streakTripReason(streakByClass: Readonly<Record<string, number>>, config: BreakerConfig): string | null {
  const counted = Object.fromEntries(Object.entries(streakByClass).filter(([c]) => extendsStreak(c, config)));
  return countRule(counted, config, 'in a row');
}

/** Trip reason for the fleet's time window, or null. */
/** `spanMs`: how much time the window has actually covered (since its start). */
export function windowTripReason(counts: OutcomeCounts & { spanMs: number }, config: BreakerConfig): string | null {
  if (counts.successes === 0 && counts.spanMs >= config.windowMs) {
    const reason = countRule(counts.failuresByClass, config, 'in the window without a success');
    if (reason) return reason;
  }
  const rated = Object.fromEntries(Object.entries(counts.failuresByClass).filter(([c]) => !isOverload(c, config)));
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

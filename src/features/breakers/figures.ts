import type { BreakerDoc, BreakerTrip } from '@fq/worker/schema';

export type FailureFigures =
  /** The evidence that opened the breaker now open or half-open. */
  | { kind: 'trip'; failures: number; calls: number; failuresByClass: Record<string, number>; trip: BreakerTrip }
  /** The current evaluation window (closed, or opened by hand). */
  | { kind: 'window'; failures: number; calls: number; failuresByClass: Record<string, number> }
  | null;

/**
 * What the Breakers page's "Window failures" shows. Opening restarts the window (outcomes judge
 * the new state), so while the breaker is open or half-open the window holds next to nothing:
 * then the failures that opened it are the figure an operator asks for. They belong to this
 * opening when the trip happened at or after `openedAt` (a breaker forced open later than an
 * automatic trip was opened by hand, and shows its window).
 */
export function failureFigures(breaker: Pick<BreakerDoc, 'state' | 'openedAt' | 'window' | 'trip'>): FailureFigures {
  const { trip } = breaker;
  if (breaker.state !== 'closed' && trip && breaker.openedAt !== null && trip.at >= breaker.openedAt) {
    return { kind: 'trip', failures: trip.failures, calls: trip.calls, failuresByClass: trip.failuresByClass, trip };
  }
  if (breaker.window) {
    return { kind: 'window', failures: breaker.window.failures, calls: breaker.window.calls, failuresByClass: breaker.window.failuresByClass };
  }
  return null;
}

/** How an automatic opening is named on the page. */
export const TRIP_RULE_LABEL: Record<BreakerTrip['rule'], string> = {
  window: 'the fleet window',
  outage: 'the outage rule',
  streak: "one server's failures in a row",
};

import type { FakeCallLog } from '@fq/fake-gemini';
import { perSecond, summarizeCalls, type PerSecond } from '../lib/call-log-figures.js';
import { round } from '../lib/stats.js';

/**
 * Goodput through a steady error rate r (pure). The fake's failing calls hold their slot for
 * the service time, so 1.0 = the non-failing capacity (1 - r) x C / service time.
 */
export interface ErrorRateSide {
  calls: number;
  successes: number;
  /** Release to the last success's answer, at the fake. */
  windowSec: number;
  limitPerSec: number;
  goodputPerSec: number | null;
  goodputShareOfLimit: number | null;
  wastedCallsPerSuccess: number | null;
  rejectionsByReason: Record<string, number>;
  /** Calls per second by arrival (JSON only). */
  perSecond: PerSecond;
}

export function errorRateSide(log: FakeCallLog, rate: number, capacity: number, serviceMs: number): ErrorRateSide {
  const s = summarizeCalls(log);
  const limit = ((1 - rate) * capacity) / (serviceMs / 1000);
  const windowMs = s.lastSuccessMs ?? 0;
  const goodput = windowMs > 0 ? s.successes / (windowMs / 1000) : null;
  return {
    calls: s.calls,
    successes: s.successes,
    windowSec: round(windowMs / 1000, 1),
    limitPerSec: round(limit, 3),
    goodputPerSec: goodput === null ? null : round(goodput, 3),
    goodputShareOfLimit: goodput === null || limit === 0 ? null : round(goodput / limit, 3),
    wastedCallsPerSuccess: s.wastedPerSuccess,
    rejectionsByReason: s.byReason,
    perSecond: perSecond(log),
  };
}

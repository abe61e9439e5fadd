import type { FakeCallLog } from '@fq/worker';
import { callEvents, isSuccess, summarizeCalls } from '../lib/call-log-figures.js';
import { maxInSlidingWindow, sampleTimes, sustainedFrom, trailingSums } from '../lib/sliding-window.js';
import { round } from '../lib/stats.js';

/**
 * Goodput under a per-minute request quota of N (pure). The fake admits at most N calls in
 * any sliding minute, so 1.0 = N successes per minute. The first minute may take N at once
 * (nothing is in the window yet), which a drain-time rate would count as a bonus; the steady
 * rate does not: successes after the first / time from the first success's arrival to the last's.
 */
export interface QuotaSide {
  calls: number;
  successes: number;
  /** (successes - 1) / (last success arrival - first) per minute. */
  steadyPerMin: number | null;
  steadyShareOfQuota: number | null;
  /** Successes / (release -> last success answer) per minute, first-minute bonus included. */
  drainPerMin: number | null;
  /** 429 answers / calls. */
  share429: number | null;
  /** The most successes any sliding minute held (the fake keeps it <= N). */
  maxSuccessesPerMinute: number;
  /**
   * From this many seconds after the release to the last success, every trailing minute held
   * >= 0.9 N successes; null when the last one did not.
   */
  reachedNinetyPercentSec: number | null;
}

export function quotaSide(log: FakeCallLog, requestsPerMinute: number): QuotaSide {
  const s = summarizeCalls(log);
  const ok = log.calls.filter(isSuccess).map((c) => c.at).sort((a, b) => a - b);
  const first = ok[0];
  const last = ok[ok.length - 1];
  const steady = ok.length >= 2 && last! > first! ? ((ok.length - 1) / (last! - first!)) * 60_000 : null;
  const events = callEvents(log.calls, isSuccess);
  let reached: number | null = null;
  if (last !== undefined) {
    const times = sampleTimes(log.startedAt, last, 1_000);
    if (times[times.length - 1] !== last) times.push(last);
    const sums = trailingSums(events, 60_000, times);
    const from = sustainedFrom(times.map((t, i) => ({ t, value: sums[i]! })), 0.9 * requestsPerMinute);
    reached = from === null ? null : round((from - log.startedAt) / 1000, 1);
  }
  const drainMs = s.lastSuccessMs ?? 0;
  return {
    calls: s.calls,
    successes: s.successes,
    steadyPerMin: steady === null ? null : round(steady, 2),
    steadyShareOfQuota: steady === null ? null : round(steady / requestsPerMinute, 3),
    drainPerMin: drainMs > 0 ? round((s.successes / drainMs) * 60_000, 2) : null,
    share429: s.calls === 0 ? null : round((s.byStatus['429'] ?? 0) / s.calls, 4),
    maxSuccessesPerMinute: maxInSlidingWindow(events, 60_000).max,
    reachedNinetyPercentSec: reached,
  };
}

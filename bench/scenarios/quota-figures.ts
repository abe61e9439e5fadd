import type { FakeCallLog } from '@fq/fake-gemini';
import { callEvents, isSuccess, perSecond, summarizeCalls, type PerSecond } from '../lib/call-log-figures.js';
import { maxInSlidingWindow, sampleTimes, sustainedFrom, trailingMean, trailingSums } from '../lib/sliding-window.js';
import { round } from '../lib/stats.js';

/**
 * Goodput under a per-minute request quota of N (pure). The fake admits at most N calls in
 * any sliding minute, so 1.0 = N successes in every minute. The figure is the mean, over
 * every full trailing minute from the first success's arrival to the last's (sampled each
 * second), of the successes it holds / N: a fleet that paces N evenly and one that sends a
 * burst of N each minute both score 1.0, one that stalls on 429s scores less. (A drain-time
 * rate would count the first minute, which the empty window lets through at once, as a bonus.)
 */
export interface QuotaSide {
  calls: number;
  successes: number;
  /** Mean successes per full trailing minute (first success + 60 s ... last); null when the run is shorter. */
  meanPerMinute: number | null;
  meanMinuteShareOfQuota: number | null;
  /** Successes / (release -> last success answer) per minute, first-minute bonus included. */
  drainPerMin: number | null;
  /** 429 answers / calls. */
  share429: number | null;
  /** The most successes any sliding minute held (the fake keeps it <= N). */
  maxSuccessesPerMinute: number;
  /**
   * From this many seconds after the release to the last success, the successes of the
   * trailing minute, averaged over the last minute of samples, stayed >= 0.9 N; null when
   * the last did not. The average smooths the phase of a fleet that sends N at once each
   * minute (its trailing minute drops to 0 for the moment between two bursts); a fleet that
   * sends N at the release reaches it at 54 s, one that paces N evenly from the start at ~93 s.
   */
  reachedNinetyPercentSec: number | null;
  /** Calls per second by arrival (JSON only). */
  perSecond: PerSecond;
}

export function quotaSide(log: FakeCallLog, requestsPerMinute: number): QuotaSide {
  const s = summarizeCalls(log);
  const ok = log.calls.filter(isSuccess).map((c) => c.at).sort((a, b) => a - b);
  const first = ok[0];
  const last = ok[ok.length - 1];
  const events = callEvents(log.calls, isSuccess);
  let mean: number | null = null;
  if (first !== undefined && last! >= first + 60_000) {
    const full = trailingSums(events, 60_000, sampleTimes(first + 60_000, last!, 1_000));
    mean = full.reduce((a, b) => a + b, 0) / full.length;
  }
  let reached: number | null = null;
  if (last !== undefined) {
    const times = sampleTimes(log.startedAt, last, 1_000);
    if (times[times.length - 1] !== last) times.push(last);
    const smoothed = trailingMean(trailingSums(events, 60_000, times), 60);
    const from = sustainedFrom(times.map((t, i) => ({ t, value: smoothed[i]! })), 0.9 * requestsPerMinute);
    reached = from === null ? null : round((from - log.startedAt) / 1000, 1);
  }
  const drainMs = s.lastSuccessMs ?? 0;
  return {
    calls: s.calls,
    successes: s.successes,
    meanPerMinute: mean === null ? null : round(mean, 2),
    meanMinuteShareOfQuota: mean === null ? null : round(mean / requestsPerMinute, 3),
    drainPerMin: drainMs > 0 ? round((s.successes / drainMs) * 60_000, 2) : null,
    share429: s.calls === 0 ? null : round((s.byStatus['429'] ?? 0) / s.calls, 4),
    maxSuccessesPerMinute: maxInSlidingWindow(events, 60_000).max,
    reachedNinetyPercentSec: reached,
    perSecond: perSecond(log),
  };
}

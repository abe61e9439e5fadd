import type { BreakerDoc, BreakerState, BreakerTransition } from '@fq/worker/schema';

export interface TimelineSegment {
  state: BreakerState;
  start: number;
  end: number;
  /** Share of the whole span (0..1), for drawing. */
  fraction: number;
}

/**
 * State segments over [windowStart, now] from the breaker's transition history (oldest
 * first in the document). Before the first recorded transition the breaker was in that
 * transition's `from` state.
 */
export function breakerTimeline(
  breaker: Pick<BreakerDoc, 'state' | 'history'>,
  nowMs: number,
  windowMs: number,
): TimelineSegment[] {
  const windowStart = nowMs - windowMs;
  const history: BreakerTransition[] = [...breaker.history].sort((a, b) => a.at - b.at);
  const raw: { state: BreakerState; start: number; end: number }[] = [];
  let state: BreakerState = history[0]?.from ?? breaker.state;
  let start = windowStart;
  for (const t of history) {
    if (t.at > start) raw.push({ state, start, end: Math.min(t.at, nowMs) });
    state = t.to;
    start = Math.max(start, t.at);
  }
  if (nowMs > start) raw.push({ state, start, end: nowMs });
  const span = nowMs - windowStart;
  return raw
    .filter((s) => s.end > s.start && s.end > windowStart)
    .map((s) => {
      const begin = Math.max(s.start, windowStart);
      return { state: s.state, start: begin, end: s.end, fraction: span > 0 ? (s.end - begin) / span : 0 };
    });
}

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

/**
 * Narrowest share of the bar an open or half-open segment is drawn with. A real opening in
 * the demo lasts the recovery time (8 s) plus a probe: 0.2 % of an hour, under one pixel of a
 * 500 px bar, so the bar stayed all green after it. One percent (about 5 px, 36 s of the
 * hour) keeps every incident visible; the closed segments give up the difference, and the
 * tooltip keeps the real times.
 */
export const MIN_INCIDENT_SHARE = 0.01;

export interface DrawnSegment extends TimelineSegment {
  /** Share of the bar it is drawn with (0..1; all of them sum to 1 like `fraction`). */
  drawn: number;
}

/**
 * Widens open and half-open segments to at least `minShare` of the bar, taking the width from
 * the closed ones in proportion to their size. When the widened incidents alone would not fit,
 * they share the whole bar in proportion to their widened size.
 */
export function drawTimeline(segments: readonly TimelineSegment[], minShare = MIN_INCIDENT_SHARE): DrawnSegment[] {
  const incident = (s: TimelineSegment) => s.state !== 'closed';
  const wanted = segments.map((s) => (incident(s) ? Math.max(s.fraction, minShare) : s.fraction));
  const incidents = segments.reduce((n, s, i) => n + (incident(s) ? wanted[i]! : 0), 0);
  const closed = segments.reduce((n, s) => n + (incident(s) ? 0 : s.fraction), 0);
  const total = incidents + closed;
  if (total <= 0) return segments.map((s) => ({ ...s, drawn: 0 }));
  if (incidents >= 1) return segments.map((s, i) => ({ ...s, drawn: incident(s) ? wanted[i]! / incidents : 0 }));
  // The closed segments share what the incidents leave.
  const scale = closed > 0 ? (1 - incidents) / closed : 0;
  return segments.map((s, i) => ({ ...s, drawn: incident(s) ? wanted[i]! : s.fraction * scale }));
}

export interface IncidentSummary {
  /** Times it opened from closed inside the window (an opening already under way at the window's start counts). */
  openings: number;
  /** Time spent open or half-open inside the window. */
  notClosedMs: number;
}

export function incidentSummary(segments: readonly TimelineSegment[]): IncidentSummary {
  let openings = 0;
  let notClosedMs = 0;
  segments.forEach((s, i) => {
    if (s.state === 'closed') return;
    notClosedMs += s.end - s.start;
    const before = segments[i - 1];
    if (!before || before.state === 'closed') openings += 1;
  });
  return { openings, notClosedMs };
}

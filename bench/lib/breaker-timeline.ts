/**
 * A breaker's transitions (its document's `history`, Firestore time) read as intervals
 * (pure): when it opened, how often, and while it was not closed.
 */
export interface Transition {
  from: string;
  to: string;
  at: number;
}

export interface NotClosed {
  /** The transition away from closed. */
  start: number;
  /** The transition back to closed; null when it never closed. */
  end: number | null;
}

function ordered(history: readonly Transition[]): Transition[] {
  return [...history].sort((a, b) => a.at - b.at);
}

/** Transitions into `open` with from <= at < to. */
export function openings(history: readonly Transition[], from = -Infinity, to = Infinity): number {
  return history.filter((t) => t.to === 'open' && t.at >= from && t.at < to).length;
}

/** The first transition into `state` at or after `from`; null when there is none. */
export function firstTransitionTo(history: readonly Transition[], state: string, from = -Infinity): number | null {
  return ordered(history).find((t) => t.to === state && t.at >= from)?.at ?? null;
}

/** Intervals during which the breaker was open or half-open. */
export function notClosedIntervals(history: readonly Transition[]): NotClosed[] {
  const out: NotClosed[] = [];
  let current: NotClosed | null = null;
  for (const t of ordered(history)) {
    if (t.to === 'closed') {
      if (current) {
        current.end = t.at;
        out.push(current);
        current = null;
      }
    } else if (!current) {
      current = { start: t.at, end: null };
    }
  }
  if (current) out.push(current);
  return out;
}

/** Total ms not closed, an interval still open counting until `now`. */
export function notClosedMs(history: readonly Transition[], now: number): number {
  return notClosedIntervals(history).reduce((sum, i) => sum + ((i.end ?? now) - i.start), 0);
}

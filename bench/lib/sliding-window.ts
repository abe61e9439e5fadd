/**
 * Sliding-window sums over timed events (pure): the most calls or tokens any 60 s window
 * held, and the trailing rate at sample times. Times are ms on one clock; a window
 * [start, start + width) is half-open, so an event exactly `width` after another falls in
 * the next window (as in the fake's quota).
 */
export interface TimedEvent {
  at: number;
  /** 1 for a call, the tokens of a call, ... */
  weight: number;
}

export interface WindowMax {
  /** The largest sum of weights inside any window of `widthMs`; 0 without events. */
  max: number;
  /** Start of one window that holds it; null without events. */
  windowStart: number | null;
}

function sorted(events: readonly TimedEvent[]): TimedEvent[] {
  return [...events].sort((a, b) => a.at - b.at);
}

/**
 * The most weight inside any window of `widthMs`. A window holding the most can always be
 * slid to start at one of its events, so only windows starting at events are checked.
 */
export function maxInSlidingWindow(events: readonly TimedEvent[], widthMs: number): WindowMax {
  if (!(widthMs > 0)) throw new RangeError(`window width must be positive, got ${widthMs}`);
  const list = sorted(events);
  let best: WindowMax = { max: 0, windowStart: null };
  let end = 0;
  let sum = 0;
  for (let start = 0; start < list.length; start++) {
    const from = list[start]!.at;
    while (end < list.length && list[end]!.at < from + widthMs) sum += list[end++]!.weight;
    if (best.windowStart === null || sum > best.max) best = { max: sum, windowStart: from };
    sum -= list[start]!.weight;
  }
  return best;
}

/** Sum of weights in the trailing window (t - widthMs, t] at each sample time (ascending). */
export function trailingSums(events: readonly TimedEvent[], widthMs: number, sampleTimes: readonly number[]): number[] {
  const list = sorted(events);
  const out: number[] = [];
  let head = 0;
  let tail = 0;
  let sum = 0;
  for (const t of sampleTimes) {
    while (head < list.length && list[head]!.at <= t) sum += list[head++]!.weight;
    while (tail < head && list[tail]!.at <= t - widthMs) sum -= list[tail++]!.weight;
    out.push(sum);
  }
  return out;
}

/** Mean of each value and the `span - 1` before it (missing ones before the start count as 0). */
export function trailingMean(values: readonly number[], span: number): number[] {
  if (!(span >= 1)) throw new RangeError(`span must be at least 1, got ${span}`);
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, i) => {
    sum += v - (i >= span ? values[i - span]! : 0);
    out.push(sum / span);
  });
  return out;
}

/** from, from + step, ... up to and including `to` when it falls on a step. */
export function sampleTimes(from: number, to: number, stepMs: number): number[] {
  if (!(stepMs > 0)) throw new RangeError(`step must be positive, got ${stepMs}`);
  const out: number[] = [];
  for (let t = from; t <= to; t += stepMs) out.push(t);
  return out;
}

/**
 * The first sample from which every later sample is at least `threshold` (the start of the
 * final streak); null when the last sample is below it or there are none.
 */
export function sustainedFrom(samples: readonly { t: number; value: number }[], threshold: number): number | null {
  let from: number | null = null;
  for (const s of samples) {
    if (s.value >= threshold) from ??= s.t;
    else from = null;
  }
  return from;
}

/** Most intervals [start, end) overlapping at one moment (an interval still open has end = Infinity). */
export function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const edges: [number, number][] = [];
  for (const i of intervals) {
    edges.push([i.start, 1], [i.end, -1]);
  }
  // An interval that ends where another starts does not overlap it: ends sort first.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of edges) {
    now += delta;
    max = Math.max(max, now);
  }
  return max;
}

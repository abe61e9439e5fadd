/**
 * Small, pure statistics for benchmark reports. Every figure the bench prints goes through
 * these so that rounding and percentile rules are the same everywhere.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; null when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Distribution {
  count: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export function distribution(samples: readonly number[], digits = 1): Distribution {
  const r = (v: number | null) => (v === null ? null : round(v, digits));
  const mean = samples.length === 0 ? null : samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    count: samples.length,
    min: r(samples.length ? Math.min(...samples) : null),
    p50: r(percentile(samples, 50)),
    p95: r(percentile(samples, 95)),
    p99: r(percentile(samples, 99)),
    max: r(samples.length ? Math.max(...samples) : null),
    mean: r(mean),
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** a / b rounded; null when b is 0 or either side is unknown (never Infinity in a report). */
export function ratio(a: number | null | undefined, b: number | null | undefined, digits = 2): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return round(a / b, digits);
}

/** Exponential inter-arrival gaps (Poisson arrivals) from a seeded uniform source. */
export function poissonGaps(count: number, meanGapMs: number, random: () => number): number[] {
  return Array.from({ length: count }, () => -Math.log(1 - random()) * meanGapMs);
}

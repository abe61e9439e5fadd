import { HISTOGRAM_LENGTH, LATENCY_BUCKETS_MS } from '@fq/worker/schema';

/**
 * Latency histograms use the fixed bucket bounds of `LATENCY_BUCKETS_MS`, so histograms of
 * many servers and minutes merge by element-wise addition and percentiles of any range come
 * from the summed counts (averaging per-minute percentiles would be wrong).
 */
export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_LENGTH).fill(0);
}

export function mergeHistograms(histograms: readonly (readonly number[])[]): number[] {
  const out = emptyHistogram();
  for (const h of histograms) {
    for (let i = 0; i < HISTOGRAM_LENGTH; i += 1) out[i]! += h[i] ?? 0;
  }
  return out;
}

export function histogramTotal(h: readonly number[]): number {
  return h.reduce((a, b) => a + b, 0);
}

/**
 * The q-quantile (0 < q <= 1), interpolated linearly inside its bucket. Samples in the open
 * last bucket report the largest bound (a lower bound of the true value). Null when empty.
 */
export function percentile(h: readonly number[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
  const total = histogramTotal(h);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < h.length; i += 1) {
    const count = h[i] ?? 0;
    if (count === 0) continue;
    if (cumulative + count >= rank) {
      const upper = LATENCY_BUCKETS_MS[i];
      if (upper === undefined) return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const fraction = (rank - cumulative) / count;
      return lower + (upper - lower) * fraction;
    }
    cumulative += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}

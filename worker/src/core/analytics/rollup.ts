import {
  HISTOGRAM_LENGTH,
  LATENCY_BUCKETS_MS,
  rollupCountersSchema,
  type RollupBody,
  type RollupCounters,
} from '../../schema/analytics.js';

// The throughput definition travels with the rollups it is computed from (and so reaches
// `@fq/worker/core`); it imports nothing from here, so this is no cycle.
export * from './throughput.js';

export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_LENGTH).fill(0);
}

export function emptyCounters(): RollupCounters {
  return rollupCountersSchema.parse({});
}

export function emptyRollupBody(): RollupBody {
  return { counters: emptyCounters(), failuresByClass: {}, latency: emptyHistogram(), wait: emptyHistogram(), upstreamLatency: emptyHistogram() };
}

export function bucketIndex(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BUCKETS_MS.length : i;
}

export function observe(histogram: number[], ms: number): void {
  const i = bucketIndex(Math.max(0, ms));
  histogram[i] = (histogram[i] ?? 0) + 1;
}

export function mergeHistograms(a: readonly number[], b: readonly number[]): number[] {
  return Array.from({ length: HISTOGRAM_LENGTH }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

/** Adds b into a (returns a new body). Fixed buckets make this exact across servers. */
export function mergeBodies(a: RollupBody, b: RollupBody): RollupBody {
  const counters = { ...a.counters };
  for (const key of Object.keys(counters) as (keyof RollupCounters)[]) counters[key] = a.counters[key] + b.counters[key];
  const failuresByClass = { ...a.failuresByClass };
  for (const [k, v] of Object.entries(b.failuresByClass)) failuresByClass[k] = (failuresByClass[k] ?? 0) + v;
  return {
    counters,
    failuresByClass,
    latency: mergeHistograms(a.latency, b.latency),
    wait: mergeHistograms(a.wait, b.wait),
    upstreamLatency: mergeHistograms(a.upstreamLatency, b.upstreamLatency),
  };
}

/**
 * The q-quantile (0..1) from a fixed-bucket histogram, interpolating linearly inside the
 * bucket (the open last bucket reports its lower bound). Null for an empty histogram.
 */
export function percentile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i] ?? 0;
    if (seen + n >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * (rank - seen)) / n;
    }
    seen += n;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export function periodStart(ms: number, granularity: 'minute' | 'hour'): number {
  const size = granularity === 'minute' ? MINUTE_MS : HOUR_MS;
  return Math.floor(ms / size) * size;
}

export function bodiesEqual(a: RollupBody, b: RollupBody): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

import { rollupThroughput, type ThroughputWindow } from '@fq/worker/core';
import type { AnalyticsRollupDoc, Granularity } from '@fq/worker/schema';
import { mergeHistograms, percentile } from './histogram';

export const RANGES = ['15m', '1h', '24h'] as const;
export type RangeId = (typeof RANGES)[number];

export interface RangeSpec {
  id: RangeId;
  label: string;
  granularity: Granularity;
  bucketMs: number;
  buckets: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Short ranges read minute rollups, 24 h reads hour rollups: an open chart costs at most one
 * read per bucket per update, however many jobs run.
 */
export const RANGE_SPECS: Record<RangeId, RangeSpec> = {
  '15m': { id: '15m', label: '15 min', granularity: 'minute', bucketMs: MINUTE, buckets: 15 },
  '1h': { id: '1h', label: '1 h', granularity: 'minute', bucketMs: MINUTE, buckets: 60 },
  '24h': { id: '24h', label: '24 h', granularity: 'hour', bucketMs: HOUR, buckets: 24 },
};

export interface SeriesPoint {
  /** Bucket start (ms). */
  t: number;
  /** True for the bucket that contains `now` (still filling). */
  partial: boolean;
  /** False when no rollup exists for the bucket (a gap, drawn as zero counts). */
  hasData: boolean;
  enqueued: number;
  succeeded: number;
  failed: number;
  deadLettered: number;
  retried: number;
  /**
   * Completed jobs per minute of the bucket (the one definition, `rollupThroughput`); the
   * current bucket over the part of it that has passed, so the line does not dip at its end.
   */
  throughputPerMin: number;
  /** succeeded / terminal outcomes; null when there were none. */
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  upstreamCalls: number;
  upstreamWasted: number;
  /** Failures by error class in this bucket. */
  errors: Record<string, number>;
}

export interface SeriesSummary {
  enqueued: number;
  succeeded: number;
  terminal: number;
  /** Completed jobs per minute over `window` (the one definition, `rollupThroughput`). */
  throughputPerMin: number;
  /** The stated window: the first bucket's start to now. */
  window: ThroughputWindow;
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  upstreamCalls: number;
  upstreamWasted: number;
  /** Wasted upstream calls per successful job; null without successes. */
  wastedPerSuccess: number | null;
  errorClasses: string[];
}

export interface Series {
  range: RangeSpec;
  from: number;
  to: number;
  points: SeriesPoint[];
  summary: SeriesSummary;
  /**
   * When the leader last merged a rollup of this granularity (the newest `updatedAt`): the
   * charts state it, with how far behind now it is. Null without any rollup.
   */
  dataUpTo: number | null;
}

export function bucketStart(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

/** The rollup query limit for a range: one document per bucket plus one for the boundary. */
export function rollupLimit(range: RangeSpec): number {
  return range.buckets + 1;
}

/**
 * Buckets rollups into a gap-filled series over [now - buckets*bucketMs, now]. Rollups of the
 * wrong granularity, or outside the window, are ignored; two rollups for one bucket (should
 * not happen, but a re-merged minute could) are summed.
 */
export function buildSeries(rollups: readonly AnalyticsRollupDoc[], range: RangeSpec, nowMs: number): Series {
  const last = bucketStart(nowMs, range.bucketMs);
  const first = last - (range.buckets - 1) * range.bucketMs;
  const byBucket = new Map<number, AnalyticsRollupDoc[]>();
  let dataUpTo: number | null = null;
  for (const r of rollups) {
    if (r.granularity !== range.granularity) continue;
    dataUpTo = Math.max(dataUpTo ?? r.updatedAt, r.updatedAt);
    const t = bucketStart(r.periodStart, range.bucketMs);
    if (t < first || t > last) continue;
    const list = byBucket.get(t) ?? [];
    list.push(r);
    byBucket.set(t, list);
  }

  const points: SeriesPoint[] = [];
  const inRange: AnalyticsRollupDoc[] = [];
  const classes = new Set<string>();
  for (let t = first; t <= last; t += range.bucketMs) {
    const docs = byBucket.get(t) ?? [];
    inRange.push(...docs);
    const sum = (f: (r: AnalyticsRollupDoc) => number) => docs.reduce((a, r) => a + f(r), 0);
    const succeeded = sum((r) => r.counters.succeeded);
    const failed = sum((r) => r.counters.failed);
    const deadLettered = sum((r) => r.counters.deadLettered);
    const terminal = succeeded + failed + deadLettered;
    const latency = mergeHistograms(docs.map((r) => r.latency));
    const errors: Record<string, number> = {};
    for (const r of docs) {
      for (const [cls, n] of Object.entries(r.failuresByClass)) {
        errors[cls] = (errors[cls] ?? 0) + n;
        if (n > 0) classes.add(cls);
      }
    }
    points.push({
      t,
      partial: t === last,
      hasData: docs.length > 0,
      enqueued: sum((r) => r.counters.enqueued),
      succeeded,
      failed,
      deadLettered,
      retried: sum((r) => r.counters.retried),
      throughputPerMin: rollupThroughput(docs, { from: t, to: Math.min(t + range.bucketMs, nowMs) }).perMin,
      successRate: terminal > 0 ? succeeded / terminal : null,
      p50Ms: percentile(latency, 0.5),
      p95Ms: percentile(latency, 0.95),
      p99Ms: percentile(latency, 0.99),
      upstreamCalls: sum((r) => r.counters.upstreamCalls),
      upstreamWasted: sum((r) => r.counters.upstreamWasted),
      errors,
    });
  }
  const errorClasses = [...classes].sort();
  for (const p of points) for (const cls of errorClasses) p.errors[cls] ??= 0;
  return {
    range,
    from: first,
    to: last + range.bucketMs,
    points,
    summary: summarise(inRange, { from: first, to: nowMs }, errorClasses),
    dataUpTo,
  };
}

function summarise(rollups: readonly AnalyticsRollupDoc[], window: ThroughputWindow, errorClasses: string[]): SeriesSummary {
  const sum = (f: (r: AnalyticsRollupDoc) => number) => rollups.reduce((a, r) => a + f(r), 0);
  const succeeded = sum((r) => r.counters.succeeded);
  const throughput = rollupThroughput(rollups, window);
  const terminal = throughput.completed;
  const latency = mergeHistograms(rollups.map((r) => r.latency));
  const upstreamWasted = sum((r) => r.counters.upstreamWasted);
  return {
    enqueued: sum((r) => r.counters.enqueued),
    succeeded,
    terminal,
    throughputPerMin: throughput.perMin,
    window,
    successRate: terminal > 0 ? succeeded / terminal : null,
    p50Ms: percentile(latency, 0.5),
    p95Ms: percentile(latency, 0.95),
    upstreamCalls: sum((r) => r.counters.upstreamCalls),
    upstreamWasted,
    wastedPerSuccess: succeeded > 0 ? upstreamWasted / succeeded : null,
    errorClasses,
  };
}

/**
 * Points with a value and no valued neighbour: a line through them draws nothing, so the
 * charts put a dot there (a one-point series drew an empty chart).
 */
export function isolatedPoints(values: readonly (number | null | undefined)[]): boolean[] {
  const has = (i: number) => i >= 0 && i < values.length && values[i] !== null && values[i] !== undefined && Number.isFinite(values[i]);
  return values.map((_, i) => has(i) && !has(i - 1) && !has(i + 1));
}

import { LATENCY_BUCKETS_MS } from '@fq/worker/schema';
import { describe, expect, it } from 'vitest';
import { emptyHistogram, mergeHistograms, percentile } from './histogram';
import { RANGE_SPECS, buildSeries, bucketStart, isolatedPoints, rollupLimit } from './series';
import { T0, histogramWith, rollup } from '../../test/factories';

const MIN = 60_000;

describe('histogram maths', () => {
  it('merges by element-wise addition', () => {
    const a = histogramWith({ 100: 2, 1000: 1 });
    const b = histogramWith({ 100: 1, 5000: 4 });
    const m = mergeHistograms([a, b]);
    expect(m.reduce((x, y) => x + y, 0)).toBe(8);
    expect(m[LATENCY_BUCKETS_MS.indexOf(100)]).toBe(3);
  });

  it('interpolates percentiles inside the bucket that holds the rank', () => {
    // 10 samples in the (50, 100] bucket: p50 is halfway through it.
    const h = histogramWith({ 100: 10 });
    expect(percentile(h, 0.5)).toBeCloseTo(75);
    expect(percentile(h, 1)).toBe(100);
    // 90 fast (<=10 ms), 10 slow in (1000, 1500]: p95 is in the slow bucket.
    const mixed = histogramWith({ 10: 90, 1500: 10 });
    expect(percentile(mixed, 0.5)).toBeLessThanOrEqual(10);
    expect(percentile(mixed, 0.95)).toBeCloseTo(1250);
  });

  it('reports the largest bound for the open last bucket and null for empty histograms', () => {
    expect(percentile(emptyHistogram(), 0.5)).toBeNull();
    const h = histogramWith({ 99_999_999: 3 });
    expect(percentile(h, 0.5)).toBe(LATENCY_BUCKETS_MS.at(-1));
    expect(() => percentile(h, 0)).toThrow(RangeError);
  });
});

describe('buildSeries', () => {
  const now = T0 + 30_000; // half-way through the T0 minute

  it('gap-fills a 15 minute range with one point per minute ending at the current bucket', () => {
    const s = buildSeries([], RANGE_SPECS['15m'], now);
    expect(s.points).toHaveLength(15);
    expect(s.points.at(-1)?.t).toBe(T0);
    expect(s.points.at(-1)?.partial).toBe(true);
    expect(s.points[0]?.t).toBe(T0 - 14 * MIN);
    expect(s.points.every((p) => !p.hasData && p.throughputPerMin === 0 && p.successRate === null)).toBe(true);
    expect(s.summary.successRate).toBeNull();
    expect(s.summary.wastedPerSuccess).toBeNull();
  });

  it('computes per-bucket rates, success rate, percentiles and error classes', () => {
    const rollups = [
      rollup({
        periodStart: T0 - 2 * MIN,
        counters: { succeeded: 8, failed: 1, deadLettered: 1, upstreamCalls: 14, upstreamWasted: 4, enqueued: 12 },
        failuresByClass: { overloaded: 3, quota: 1 },
        latency: histogramWith({ 1000: 8 }),
      }),
      rollup({
        periodStart: T0,
        counters: { succeeded: 2, upstreamCalls: 2 },
        latency: histogramWith({ 5000: 2 }),
      }),
    ];
    const s = buildSeries(rollups, RANGE_SPECS['15m'], now);
    const p = s.points.find((x) => x.t === T0 - 2 * MIN)!;
    expect(p.hasData).toBe(true);
    expect(p.throughputPerMin).toBe(10);
    expect(p.successRate).toBeCloseTo(0.8);
    expect(p.p50Ms).toBeGreaterThan(750);
    expect(p.p50Ms).toBeLessThanOrEqual(1000);
    expect(p.errors).toEqual({ overloaded: 3, quota: 1 });
    // every point carries every class seen in the range (stacked charts need that)
    expect(s.points[0]?.errors).toEqual({ overloaded: 0, quota: 0 });
    expect(s.summary.succeeded).toBe(10);
    expect(s.summary.terminal).toBe(12);
    expect(s.summary.successRate).toBeCloseTo(10 / 12);
    // Over the stated window: 14 whole minutes and the half of the current one that has passed.
    expect(s.summary.window).toEqual({ from: T0 - 14 * MIN, to: now });
    expect(s.summary.throughputPerMin).toBeCloseTo(12 / 14.5);
    // The current minute's rate is over its half that has passed (the line used to dip at its end).
    expect(s.points.at(-1)?.throughputPerMin).toBe(4);
    expect(s.summary.wastedPerSuccess).toBeCloseTo(0.4);
    expect(s.summary.errorClasses).toEqual(['overloaded', 'quota']);
    // merged histogram percentile, not an average of per-minute percentiles
    expect(s.summary.p95Ms).toBeGreaterThan(1000);
  });

  it('ignores rollups outside the window or of the other granularity, sums duplicates', () => {
    const s = buildSeries(
      [
        rollup({ periodStart: T0 - 15 * MIN, counters: { succeeded: 100 } }),
        rollup({ periodStart: T0 + MIN, counters: { succeeded: 100 } }),
        rollup({ periodStart: T0, granularity: 'hour', counters: { succeeded: 100 } }),
        rollup({ periodStart: T0 - MIN, counters: { succeeded: 1 } }),
        rollup({ periodStart: T0 - MIN, counters: { succeeded: 2 } }),
      ],
      RANGE_SPECS['15m'],
      now,
    );
    expect(s.summary.succeeded).toBe(3);
    expect(s.points.find((p) => p.t === T0 - MIN)?.succeeded).toBe(3);
  });

  it('uses hour buckets for 24 h and reports rates per minute', () => {
    const hourStart = bucketStart(now, 3_600_000);
    const s = buildSeries(
      [rollup({ periodStart: hourStart - 3_600_000, granularity: 'hour', counters: { succeeded: 120 } })],
      RANGE_SPECS['24h'],
      now,
    );
    expect(s.points).toHaveLength(24);
    expect(s.points.at(-2)?.throughputPerMin).toBe(2);
    expect(s.summary.throughputPerMin).toBeCloseTo(120 / (23 * 60 + 0.5));
    expect(rollupLimit(RANGE_SPECS['24h'])).toBe(25);
  });

  it('states when the newest rollup was merged (the lag the charts show)', () => {
    const s = buildSeries(
      [
        rollup({ periodStart: T0 - 2 * MIN, updatedAt: T0 - MIN }),
        rollup({ periodStart: T0, updatedAt: T0 + 22_000 }),
        rollup({ periodStart: T0, granularity: 'hour', updatedAt: T0 + 29_000 }),
      ],
      RANGE_SPECS['15m'],
      now,
    );
    expect(s.dataUpTo).toBe(T0 + 22_000);
    expect(buildSeries([], RANGE_SPECS['15m'], now).dataUpTo).toBeNull();
  });

  it('the 24 h total equals the sum of the 15 minute totals over the same day, on generated rollups', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const day = bucketStart(T0, 3_600_000) - 23 * 3_600_000;
    const minutes = Array.from({ length: 24 * 60 }, (_, i) =>
      rollup({
        periodStart: day + i * MIN,
        counters: { succeeded: Math.floor(rnd() * 40), failed: Math.floor(rnd() * 3), deadLettered: rnd() < 0.05 ? 1 : 0 },
      }),
    );
    // Hour rollups are the sums of their minutes (the leader writes them in one commit).
    const hours = Array.from({ length: 24 }, (_, h) => {
      const inHour = minutes.slice(h * 60, h * 60 + 60);
      const total = (k: 'succeeded' | 'failed' | 'deadLettered') => inHour.reduce((n, m) => n + m.counters[k], 0);
      return rollup({ periodStart: day + h * 3_600_000, granularity: 'hour', counters: { succeeded: total('succeeded'), failed: total('failed'), deadLettered: total('deadLettered') } });
    });
    const end = day + 24 * 3_600_000 - 1;
    const whole = buildSeries(hours, RANGE_SPECS['24h'], end);
    let quarters = 0;
    let minutesCovered = 0;
    for (let from = day; from < end; from += 15 * MIN) {
      // A 15 minute view opened at the end of its last minute covers exactly [from, from + 15 min).
      const q = buildSeries(minutes, RANGE_SPECS['15m'], from + 15 * MIN - 1);
      expect(q.from).toBe(from);
      quarters += q.summary.terminal;
      minutesCovered += q.summary.throughputPerMin * ((q.summary.window.to - q.summary.window.from) / MIN);
    }
    expect(whole.summary.terminal).toBeGreaterThan(10_000);
    expect(whole.summary.terminal).toBe(quarters);
    // And the rates agree: rate x window length gives back the same jobs at both granularities.
    expect(whole.summary.throughputPerMin * ((whole.summary.window.to - whole.summary.window.from) / MIN)).toBeCloseTo(minutesCovered, 6);
  });
});

describe('isolatedPoints', () => {
  it('marks a value with no valued neighbour, so a one-point series draws a dot', () => {
    expect(isolatedPoints([5])).toEqual([true]);
    expect(isolatedPoints([null, 3, null, 1, 2, undefined])).toEqual([false, true, false, false, false, false]);
    expect(isolatedPoints([])).toEqual([]);
    expect(isolatedPoints([Number.NaN, 4])).toEqual([false, true]);
  });
});

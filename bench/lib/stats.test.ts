import { describe, expect, it } from 'vitest';
import { seededRandom } from '@fq/worker/core';
import { distribution, percentile, poissonGaps, ratio, round } from './stats.js';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = [9, 1, 5, 3, 7, 2, 8, 4, 6, 10];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 95)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile(samples, 101)).toThrow(RangeError);
  });

  it('summarises a distribution, rounding consistently', () => {
    const d = distribution([1.04, 2.06, 3.01], 1);
    expect(d).toEqual({ count: 3, min: 1, p50: 2.1, p95: 3, p99: 3, max: 3, mean: 2 });
    expect(distribution([])).toMatchObject({ count: 0, p50: null, mean: null });
  });

  it('never reports Infinity or NaN as a ratio', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(Number.NaN, 2)).toBeNull();
    expect(round(2.345, 1)).toBe(2.3);
  });

  it('draws Poisson gaps with the requested mean from a seeded source', () => {
    const gaps = poissonGaps(4000, 200, seededRandom(7));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(220);
    expect(poissonGaps(3, 100, seededRandom(1))).toEqual(poissonGaps(3, 100, seededRandom(1)));
  });
});

import { describe, expect, it } from 'vitest';
import { addCountSample, deadLetterRise, type CountSample } from './dead-letter-trend.js';

const W = 60_000;

function feed(points: [number, number][]): CountSample[] {
  let samples: CountSample[] = [];
  for (const [at, count] of points) samples = addCountSample(samples, { at, count }, W);
  return samples;
}

describe('dead-letter trend', () => {
  it('keeps only changes, and only what the window still needs', () => {
    const samples = feed([[0, 1], [1_000, 1], [2_000, 1], [30_000, 2], [90_000, 2], [100_000, 4]]);
    // 0 (count 1) is before the window of the sample at 100 s, and 30 s (count 2) is the count at its start.
    expect(samples).toEqual([{ at: 30_000, count: 2 }, { at: 100_000, count: 4 }]);
  });

  it('measures the rise from the lowest count in the window, counting from the window start', () => {
    const samples = feed([[0, 10], [20_000, 12], [40_000, 15]]);
    expect(deadLetterRise(samples, 40_000, W)).toEqual({ rise: 5, count: 15 });
    // At 70 s the window starts at 10 s, when the count was still 10.
    expect(deadLetterRise(samples, 70_000, W)).toEqual({ rise: 5, count: 15 });
    // At 90 s it starts at 30 s (count 12).
    expect(deadLetterRise(samples, 90_000, W)).toEqual({ rise: 3, count: 15 });
    expect(deadLetterRise(samples, 200_000, W)).toEqual({ rise: 0, count: 15 });
  });

  it('counts dead letters added after a redrive lowered the count', () => {
    const samples = feed([[0, 50], [10_000, 0], [20_000, 4]]);
    expect(deadLetterRise(samples, 20_000, W)).toEqual({ rise: 4, count: 4 });
  });

  it('is zero without samples', () => {
    expect(deadLetterRise([], 0, W)).toEqual({ rise: 0, count: 0 });
  });
});

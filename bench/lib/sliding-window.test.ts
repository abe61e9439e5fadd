import { describe, expect, it } from 'vitest';
import { maxInSlidingWindow, maxOverlap, sampleTimes, sustainedFrom, trailingMean, trailingSums } from './sliding-window.js';

const calls = (...ats: number[]) => ats.map((at) => ({ at, weight: 1 }));

describe('maxInSlidingWindow', () => {
  it('finds the busiest window of the given width, half-open', () => {
    expect(maxInSlidingWindow(calls(0, 10, 20, 59_999, 60_000, 60_001), 60_000)).toEqual({ max: 5, windowStart: 10 });
    expect(maxInSlidingWindow(calls(0, 10, 59_999, 60_000), 60_000)).toEqual({ max: 3, windowStart: 0 });
    // 60 s apart: never in one window.
    expect(maxInSlidingWindow(calls(0, 60_000, 120_000), 60_000).max).toBe(1);
    expect(maxInSlidingWindow(calls(120_000, 0, 30_000, 89_000), 60_000)).toEqual({ max: 2, windowStart: 0 });
  });

  it('sums weights (tokens) and is 0 without events', () => {
    expect(maxInSlidingWindow([{ at: 0, weight: 100 }, { at: 50_000, weight: 80 }, { at: 70_000, weight: 90 }], 60_000).max).toBe(180);
    expect(maxInSlidingWindow([], 60_000)).toEqual({ max: 0, windowStart: null });
    expect(() => maxInSlidingWindow([], 0)).toThrow(RangeError);
  });

  it('agrees with a brute-force count on random events', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const events = Array.from({ length: 300 }, () => ({ at: Math.floor(random() * 600_000), weight: 1 + Math.floor(random() * 5) }));
    // Every window start on a 250 ms grid and at every event.
    const starts = [...Array.from({ length: 2_401 }, (_, i) => i * 250), ...events.map((e) => e.at)];
    const brute = Math.max(...starts.map((start) => events.filter((e) => e.at >= start && e.at < start + 60_000).reduce((s, e) => s + e.weight, 0)));
    expect(maxInSlidingWindow(events, 60_000).max).toBe(brute);
  });
});

describe('trailingSums and sustainedFrom', () => {
  it('counts events in (t - width, t] at each sample', () => {
    const events = calls(0, 1_000, 1_000, 61_000);
    expect(trailingSums(events, 60_000, [0, 999, 1_000, 59_999, 60_000, 61_000, 200_000])).toEqual([1, 1, 3, 3, 2, 1, 0]);
  });

  it('finds the start of the final streak at or above a threshold', () => {
    const samples = [3, 9, 9, 2, 9, 10, 9].map((value, t) => ({ t, value }));
    expect(sustainedFrom(samples, 9)).toBe(4);
    expect(sustainedFrom([...samples, { t: 7, value: 1 }], 9)).toBeNull();
    expect(sustainedFrom([], 1)).toBeNull();
  });

  it('averages each value with the ones before it, zeros before the start', () => {
    expect(trailingMean([4, 4, 4, 0, 8], 2)).toEqual([2, 4, 4, 2, 4]);
    expect(trailingMean([], 3)).toEqual([]);
    expect(() => trailingMean([1], 0)).toThrow(RangeError);
  });

  it('samples a range with a step', () => {
    expect(sampleTimes(0, 3_000, 1_000)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(sampleTimes(0, 2_500, 1_000)).toEqual([0, 1_000, 2_000]);
  });
});

describe('maxOverlap', () => {
  it('counts intervals open at one moment; touching ends do not overlap', () => {
    expect(maxOverlap([{ start: 0, end: 10 }, { start: 10, end: 20 }])).toBe(1);
    expect(maxOverlap([{ start: 0, end: 10 }, { start: 5, end: 20 }, { start: 6, end: 7 }])).toBe(3);
    expect(maxOverlap([{ start: 0, end: Infinity }, { start: 100, end: 101 }])).toBe(2);
    expect(maxOverlap([])).toBe(0);
  });
});

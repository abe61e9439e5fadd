import { describe, expect, it } from 'vitest';
import { completedJobs, MIN_THROUGHPUT_SPAN_MS, rollupThroughput, throughputPerMin } from './throughput.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const bucket = (periodStart: number, succeeded: number, failed = 0, deadLettered = 0) => ({ periodStart, counters: { succeeded, failed, deadLettered } });

describe('throughput: completed jobs per minute over a stated window', () => {
  it('counts succeeded, failed and dead-lettered jobs, not cancelled ones', () => {
    expect(completedJobs({ succeeded: 3, failed: 2, deadLettered: 1 })).toBe(6);
  });

  it('divides by the window as long as it really is, not by whole buckets', () => {
    expect(throughputPerMin(30, { from: T0, to: T0 + 15 * MIN })).toBe(2);
    // Half-way through the 15th minute: 14.5 minutes have passed.
    expect(throughputPerMin(29, { from: T0, to: T0 + 14.5 * MIN })).toBe(2);
    expect(throughputPerMin(0, { from: T0, to: T0 + MIN })).toBe(0);
    expect(throughputPerMin(5, { from: T0, to: T0 })).toBe(0);
    expect(throughputPerMin(5, { from: T0, to: T0 - MIN })).toBe(0);
    // A window of a few milliseconds is measured as one second long.
    expect(throughputPerMin(1, { from: T0, to: T0 + 5 })).toBe(MIN / MIN_THROUGHPUT_SPAN_MS);
  });

  it('the issue case: 433 jobs in 7 minutes are ~62/min over those 7 minutes and 28.87/min over 15', () => {
    const buckets = Array.from({ length: 7 }, (_, i) => bucket(T0 + (8 + i) * MIN, i < 6 ? 62 : 61));
    const fifteen = rollupThroughput(buckets, { from: T0, to: T0 + 15 * MIN });
    expect(fifteen.completed).toBe(433);
    expect(fifteen.perMin).toBeCloseTo(28.87, 2);
    expect(rollupThroughput(buckets, { from: T0 + 8 * MIN, to: T0 + 15 * MIN }).perMin).toBeCloseTo(61.86, 2);
  });

  it('sums the buckets that start inside the window, whatever their size', () => {
    const minutes = [bucket(T0 - MIN, 100), bucket(T0, 4, 1), bucket(T0 + MIN, 2, 0, 1), bucket(T0 + 2 * MIN, 50)];
    const t = rollupThroughput(minutes, { from: T0, to: T0 + 2 * MIN });
    expect(t).toEqual({ completed: 8, perMin: 4, window: { from: T0, to: T0 + 2 * MIN } });
    // The same jobs in one hour bucket give the same rate over the same window.
    const hour = [bucket(T0, 6, 1, 1)];
    expect(rollupThroughput(hour, { from: T0, to: T0 + 2 * MIN }).perMin).toBe(t.perMin);
  });
});

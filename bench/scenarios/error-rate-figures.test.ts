import { describe, expect, it } from 'vitest';
import { fakeCall, fakeLog } from '../lib/call-fixtures.js';
import { errorRateSide } from './error-rate-figures.js';

describe('errorRateSide', () => {
  it('compares goodput with the non-failing capacity (1 - r) x C / service time', () => {
    // Capacity 4, 1.5 s per call, r = 0.25: 2 jobs/s possible. 15 successes answered by 10 s.
    const calls = [
      ...Array.from({ length: 15 }, (_, i) => fakeCall(1_000 + i * 500, 'ok')),
      ...Array.from({ length: 5 }, (_, i) => fakeCall(1_200 + i * 500, 'rejected', { reason: 'error_rate' })),
    ];
    const side = errorRateSide(fakeLog(calls, 1_000), 0.25, 4, 1_500);
    expect(side.windowSec).toBe(8.5);
    expect(side.limitPerSec).toBe(2);
    expect(side.goodputPerSec).toBe(round(15 / 8.5));
    expect(side.goodputShareOfLimit).toBe(round(15 / 8.5 / 2));
    expect(side.wastedCallsPerSuccess).toBe(0.333);
    expect(side.rejectionsByReason).toEqual({ error_rate: 5 });
  });

  it('has no goodput without a success', () => {
    expect(errorRateSide(fakeLog([]), 0.1, 4, 1_500).goodputShareOfLimit).toBeNull();
  });
});

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

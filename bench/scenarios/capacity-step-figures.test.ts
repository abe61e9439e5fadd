import { describe, expect, it } from 'vitest';
import { fakeCall, fakeLog } from '../lib/call-fixtures.js';
import { capacityStepSide } from './capacity-step-figures.js';

describe('capacityStepSide', () => {
  const schedule = [
    { atMs: 0, capacity: 6 },
    { atMs: 3_000, capacity: 2 },
    { atMs: 6_000, capacity: 6 },
  ];

  it('compares successes with the capacity integral up to the last success, phase by phase', () => {
    const start = 10_000;
    // Service 1.5 s. Phase 1 (0-3 s, capacity 6): 12 possible, 10 served; phase 2 (3-6 s,
    // capacity 2): 4 possible, 4 served, 3 refused; phase 3 (6-7.5 s, capacity 6): 6 possible, 6 served.
    const calls = [
      ...Array.from({ length: 10 }, (_, i) => fakeCall(start + (i % 2) * 1_000, 'ok')),
      ...Array.from({ length: 4 }, () => fakeCall(start + 2_000, 'ok')),
      ...Array.from({ length: 3 }, () => fakeCall(start + 3_500, 'rejected')),
      ...Array.from({ length: 6 }, () => fakeCall(start + 6_000, 'ok')),
    ];
    const side = capacityStepSide(fakeLog(calls, start), schedule, 6, 1_500);
    expect(side.windowSec).toBe(7.5);
    expect(side.capacityIntegralJobs).toBe(22);
    expect(side.successes).toBe(20);
    expect(side.goodputShareOfIntegral).toBe(round(20 / 22));
    expect(side.wastedCallsPerSuccess).toBe(0.15);
    expect(side.phases.map((p) => [p.fromSec, p.toSec, p.capacity, p.successes, p.shareOfCapacity])).toEqual([
      [0, 3, 6, 10, round(10 / 12)],
      [3, 6, 2, 4, 1],
      [6, 7.5, 6, 6, 1],
    ]);
  });

  it('has no share without a success', () => {
    const side = capacityStepSide(fakeLog([fakeCall(1_000, 'rejected')]), schedule, 6, 1_500);
    expect(side.goodputShareOfIntegral).toBeNull();
    expect(side.phases).toEqual([]);
  });
});

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

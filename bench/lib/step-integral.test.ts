import { describe, expect, it } from 'vitest';
import { stepIntegral } from './step-integral.js';

describe('stepIntegral', () => {
  const steps = [
    { atMs: 0, value: 6 },
    { atMs: 20_000, value: 2 },
    { atMs: 50_000, value: 6 },
  ];

  it('integrates a capacity 6 -> 2 -> 6 over any range', () => {
    expect(stepIntegral(4, steps, 0, 70_000)).toBe(6 * 20_000 + 2 * 30_000 + 6 * 20_000);
    expect(stepIntegral(4, steps, 10_000, 30_000)).toBe(6 * 10_000 + 2 * 10_000);
    expect(stepIntegral(4, steps, 60_000, 61_000)).toBe(6 * 1_000);
    expect(stepIntegral(4, steps, 25_000, 25_000)).toBe(0);
  });

  it('holds the initial value before the first step and without steps, in any order', () => {
    expect(stepIntegral(4, [{ atMs: 10_000, value: 1 }], 0, 20_000)).toBe(4 * 10_000 + 1 * 10_000);
    expect(stepIntegral(3, [], 0, 1_000)).toBe(3_000);
    expect(stepIntegral(4, [...steps].reverse(), 0, 70_000)).toBe(stepIntegral(4, steps, 0, 70_000));
    expect(stepIntegral(4, steps, -10_000, 0)).toBe(40_000);
  });
});

import { describe, expect, it } from 'vitest';
import { atLeast, atMost, describeFigure, never, ratio, reported } from './goals.js';

describe('goals', () => {
  it('marks a figure met or not against its goal, null when unmeasured', () => {
    expect(atMost(7.9, 8)).toEqual({ value: 7.9, goal: '<= 8', met: true });
    expect(atMost(8.1, 8).met).toBe(false);
    expect(atLeast(150, 150, 'jobs/s')).toEqual({ value: 150, goal: '>= 150', met: true, unit: 'jobs/s' });
    expect(atLeast(null, 150).met).toBeNull();
    expect(reported(3).met).toBeNull();
    expect(never('<= 5', 's')).toEqual({ value: null, goal: '<= 5', met: false, unit: 's' });
  });

  it('divides safely and describes figures for tables', () => {
    expect(ratio(9, 8)).toBe(1.125);
    expect(ratio(1, 0)).toBeNull();
    expect(describeFigure(atMost(9, 8))).toBe('9 (goal <= 8: NOT met)');
    expect(describeFigure(atLeast(160, 150, 'jobs/s'))).toBe('160 jobs/s (goal >= 150: met)');
    expect(describeFigure(reported(2.5, 'ms'))).toBe('2.5 ms');
  });
});

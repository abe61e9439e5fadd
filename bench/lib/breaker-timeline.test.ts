import { describe, expect, it } from 'vitest';
import { firstTransitionTo, notClosedIntervals, notClosedMs, openings } from './breaker-timeline.js';

const history = [
  { from: 'half_open', to: 'open', at: 4_000 },
  { from: 'closed', to: 'open', at: 1_000 },
  { from: 'open', to: 'half_open', at: 3_000 },
  { from: 'open', to: 'half_open', at: 6_000 },
  { from: 'half_open', to: 'closed', at: 6_500 },
  { from: 'closed', to: 'open', at: 9_000 },
];

describe('breaker timeline', () => {
  it('counts openings in a time range and finds transitions', () => {
    expect(openings(history)).toBe(3);
    expect(openings(history, 2_000, 9_000)).toBe(1);
    expect(firstTransitionTo(history, 'closed')).toBe(6_500);
    expect(firstTransitionTo(history, 'open', 5_000)).toBe(9_000);
    expect(firstTransitionTo(history, 'closed', 7_000)).toBeNull();
  });

  it('reads the intervals the breaker was not closed, in any order of the history', () => {
    expect(notClosedIntervals(history)).toEqual([
      { start: 1_000, end: 6_500 },
      { start: 9_000, end: null },
    ]);
    expect(notClosedMs(history, 10_000)).toBe(5_500 + 1_000);
    expect(notClosedIntervals([])).toEqual([]);
  });
});

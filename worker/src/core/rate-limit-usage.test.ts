import { describe, expect, it } from 'vitest';
import { rateLimitUsage } from './rate-limit-usage.js';

const T = 1_700_000_000_000;
const doc = { limit: 10, burst: 5, count: 12, remaining: 3, resetAt: T + 20_000 };

describe('rateLimitUsage', () => {
  it('reports the counts of the current window and the time until it resets', () => {
    expect(rateLimitUsage(doc, T)).toEqual({ used: 12, capacity: 15, remaining: 3, windowEnded: false, resetInMs: 20_000 });
  });

  it('treats a window that ended since the last write as a full allowance', () => {
    expect(rateLimitUsage({ ...doc, remaining: 0 }, T + 20_000)).toEqual({ used: 0, capacity: 15, remaining: 15, windowEnded: true, resetInMs: 0 });
  });

  it('never reports more remaining than the capacity', () => {
    expect(rateLimitUsage({ ...doc, remaining: 40 }, T).remaining).toBe(15);
  });
});

import { describe, expect, it } from 'vitest';
import { T0, budget, rateLimit } from '../../test/factories';
import { budgetUse, userUsage } from './usage';

describe('rate-limit usage', () => {
  it('reports usage inside the current window', () => {
    const u = userUsage(rateLimit({ limit: 10, burst: 5, count: 12, remaining: 3, resetAt: T0 + 20_000 }), T0);
    expect(u).toEqual({ used: 12, capacity: 15, remaining: 3, windowEnded: false, resetInMs: 20_000 });
  });

  it('treats an ended window as a full allowance', () => {
    const u = userUsage(rateLimit({ limit: 10, burst: 5, count: 12, remaining: 0, resetAt: T0 - 1 }), T0);
    expect(u).toMatchObject({ used: 0, remaining: 15, windowEnded: true, resetInMs: 0 });
  });

  it('computes budget shares and null for unlimited budgets', () => {
    expect(budgetUse(budget({ requestsPerMinute: 600, usedRequests: 150, tokensPerMinute: 0, usedTokens: 9 }))).toEqual({
      requestsShare: 0.25,
      tokensShare: null,
    });
  });
});

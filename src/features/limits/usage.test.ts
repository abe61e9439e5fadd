import { describe, expect, it } from 'vitest';
import { budget } from '../../test/factories';
import { budgetUse } from './usage';

describe('budget use', () => {
  it('computes budget shares and null for unlimited budgets', () => {
    expect(budgetUse(budget({ requestsPerMinute: 600, usedRequests: 150, tokensPerMinute: 0, usedTokens: 9 }))).toEqual({
      requestsShare: 0.25,
      tokensShare: null,
    });
  });
});

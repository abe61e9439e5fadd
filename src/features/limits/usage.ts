import type { BudgetDoc } from '@fq/worker/schema';

// A user's rate-limit allowance: `rateLimitUsage` in `@fq/worker/core` (the browser client shows it too).

export interface BudgetUse {
  requestsShare: number | null;
  tokensShare: number | null;
}

/** Share of the per-minute budget used (null = unlimited budget, 0 configured). */
export function budgetUse(doc: BudgetDoc): BudgetUse {
  return {
    requestsShare: doc.requestsPerMinute > 0 ? doc.usedRequests / doc.requestsPerMinute : null,
    tokensShare: doc.tokensPerMinute > 0 ? doc.usedTokens / doc.tokensPerMinute : null,
  };
}

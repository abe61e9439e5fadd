import type { BudgetDoc, RateLimitDoc } from '@fq/worker/schema';

export interface UserUsage {
  used: number;
  capacity: number;
  remaining: number;
  /** The window the counts belong to has ended: the user is back to full allowance. */
  windowEnded: boolean;
  resetInMs: number;
}

/**
 * Per-user usage as of `nowMs` (Firestore time). The document is written only at admission,
 * so a window that ended since the last write means the user's allowance is full again.
 */
export function userUsage(doc: RateLimitDoc, nowMs: number): UserUsage {
  const capacity = doc.limit + doc.burst;
  const windowEnded = doc.resetAt <= nowMs;
  return {
    used: windowEnded ? 0 : doc.count,
    capacity,
    remaining: windowEnded ? capacity : Math.min(capacity, doc.remaining),
    windowEnded,
    resetInMs: Math.max(0, doc.resetAt - nowMs),
  };
}

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

import type { RateLimitDoc } from '../schema/flow.js';

/** A user's admission allowance as the rate-limit document says it is at some time. */
export interface RateLimitUsage {
  used: number;
  /** limit + burst: what a quiet user may send at once. */
  capacity: number;
  remaining: number;
  /** The window the counts belong to has ended: the user is back to full allowance. */
  windowEnded: boolean;
  resetInMs: number;
}

/**
 * The allowance as of `nowMs` (Firestore time). Admission writes the document only when it
 * admits or refuses, so its counts are as of that write; `resetAt` is when the full
 * allowance is back if the user sends nothing more (`core/flow-policy/rate-limit`), so a window that
 * ended since means a full allowance now. Read by the console's limits page and the browser
 * client (`@fq/client`), which both show it.
 */
export function rateLimitUsage(doc: Pick<RateLimitDoc, 'limit' | 'burst' | 'count' | 'remaining' | 'resetAt'>, nowMs: number): RateLimitUsage {
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

import type { FakeCallLog } from '@fq/fake-gemini';
import { callEvents, isSuccess, perSecond, summarizeCalls, type PerSecond } from '../lib/call-log-figures.js';
import { maxInSlidingWindow } from '../lib/sliding-window.js';
import { round } from '../lib/stats.js';

/**
 * The fleet's global budget seen from the upstream (pure): the most calls (every call that
 * reached the fake, whatever its answer) and the most tokens (billed on answered calls, at
 * their arrival) inside any sliding 60 s window, against the configured limits.
 */
export interface BudgetSide {
  calls: number;
  successes: number;
  maxCallsPerMinute: number;
  maxTokensPerMinute: number;
  /** max(0, most calls in a minute - requestsPerMinute). */
  callsOvershoot: number;
  tokensOvershoot: number;
  /** Most in a minute / limit (1.0 = at the limit). */
  callsShareOfLimit: number | null;
  tokensShareOfLimit: number | null;
  /** Start of the busiest window, seconds after the release. */
  busiestCallsWindowAtSec: number | null;
  busiestTokensWindowAtSec: number | null;
  tokensPerSuccess: number | null;
  /** Calls and tokens per second by arrival (JSON only). */
  perSecond: PerSecond;
}

export function budgetSide(log: FakeCallLog, limits: { requestsPerMinute: number; tokensPerMinute: number }): BudgetSide {
  const s = summarizeCalls(log);
  const calls = maxInSlidingWindow(callEvents(log.calls), 60_000);
  const tokens = maxInSlidingWindow(callEvents(log.calls, isSuccess, 'tokens'), 60_000);
  const totalTokens = log.calls.reduce((sum, c) => sum + c.tokens, 0);
  const offset = (t: number | null) => (t === null ? null : round((t - log.startedAt) / 1000, 1));
  return {
    calls: s.calls,
    successes: s.successes,
    maxCallsPerMinute: calls.max,
    maxTokensPerMinute: tokens.max,
    callsOvershoot: Math.max(0, calls.max - limits.requestsPerMinute),
    tokensOvershoot: Math.max(0, tokens.max - limits.tokensPerMinute),
    callsShareOfLimit: limits.requestsPerMinute > 0 ? round(calls.max / limits.requestsPerMinute, 3) : null,
    tokensShareOfLimit: limits.tokensPerMinute > 0 ? round(tokens.max / limits.tokensPerMinute, 3) : null,
    busiestCallsWindowAtSec: offset(calls.windowStart),
    busiestTokensWindowAtSec: offset(tokens.windowStart),
    tokensPerSuccess: s.successes > 0 ? round(totalTokens / s.successes, 1) : null,
    perSecond: perSecond(log),
  };
}

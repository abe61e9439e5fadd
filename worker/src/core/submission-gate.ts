import type { SubmissionGateDoc, SubmissionQuota } from '../schema/submission-gate.js';
import { QueueError } from './errors.js';

/**
 * The step a browser writes to its submission gate with each submission (the rules'
 * `validGateStep` restates this; `tests/rules/submission-gates.test.ts` holds them together):
 *
 * - `open`: a new window, `{windowStart: <commit time>, count: 1}`. Allowed when the user has
 *   no gate yet or the open window has lasted `windowMs`.
 * - `next`: one more in the open window, `count + 1`, allowed while it stays within
 *   `perWindow` (also after `windowMs`: a stale window with room left is still a window).
 * - `throttled`: neither is allowed; nothing should be written.
 *
 * `now` is the caller's estimate of Firestore time, and the rules judge with the commit time,
 * which comes later, so a window is only reopened once it has been over for `marginMs` more:
 * an estimate slightly ahead of the server would otherwise ask for an `open` the rules refuse.
 */
export type GateStep =
  | { kind: 'open'; count: 1 }
  | { kind: 'next'; count: number }
  | { kind: 'throttled'; retryAfterMs: number; resetAt: number };

/** How far ahead of Firestore a client's estimate of its time may be (see `planGateStep`). */
export const GATE_CLOCK_MARGIN_MS = 1_000;

export function planGateStep(
  gate: Pick<SubmissionGateDoc, 'windowStart' | 'count'> | null,
  now: number,
  quota: SubmissionQuota,
  marginMs = GATE_CLOCK_MARGIN_MS,
): GateStep {
  if (!gate) return { kind: 'open', count: 1 };
  const reopenAt = gate.windowStart + quota.windowMs + marginMs;
  if (now >= reopenAt) return { kind: 'open', count: 1 };
  if (gate.count < quota.perWindow) return { kind: 'next', count: gate.count + 1 };
  return { kind: 'throttled', retryAfterMs: reopenAt - now, resetAt: reopenAt };
}

/**
 * A browser submission refused because the user's submission window is full: nothing was
 * written. Retrying after `retryAfterMs` succeeds if nothing else was submitted meanwhile.
 */
export class SubmissionThrottledError extends QueueError {
  constructor(
    readonly userId: string,
    readonly retryAfterMs: number,
    readonly resetAt: number,
    readonly quota: SubmissionQuota,
  ) {
    super(
      'SUBMISSION_THROTTLED',
      `user ${userId} sent ${quota.perWindow} submissions in ${Math.round(quota.windowMs / 100) / 10} s, the most allowed; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
}

import { describe, expect, it } from 'vitest';
import { workerConfigSchema } from '../schema/config.js';
import { submissionQuotaSchema, SUBMISSION_QUOTA_DEFAULTS } from '../schema/submission-gate.js';
import { GATE_CLOCK_MARGIN_MS, planGateStep, SubmissionThrottledError } from './submission-gate.js';

const quota = { perWindow: 3, windowMs: 10_000 };
const T = 1_700_000_000_000;

describe('planGateStep', () => {
  it('opens a window for a user without a gate', () => {
    expect(planGateStep(null, T, quota)).toEqual({ kind: 'open', count: 1 });
  });

  it('counts on inside the open window up to perWindow, then refuses until it has lasted windowMs (plus the clock margin)', () => {
    const gate = { windowStart: T, count: 1 };
    expect(planGateStep(gate, T + 1, quota)).toEqual({ kind: 'next', count: 2 });
    expect(planGateStep({ ...gate, count: 2 }, T + 1, quota)).toEqual({ kind: 'next', count: 3 });
    const full = { ...gate, count: 3 };
    const reopenAt = T + 10_000 + GATE_CLOCK_MARGIN_MS;
    expect(planGateStep(full, T + 4_000, quota)).toEqual({ kind: 'throttled', retryAfterMs: reopenAt - (T + 4_000), resetAt: reopenAt });
    // Just after windowMs the rules would already allow a new window, but a client clock a
    // little ahead of Firestore would be refused: it waits for the margin.
    expect(planGateStep(full, T + 10_000, quota).kind).toBe('throttled');
    expect(planGateStep(full, reopenAt, quota)).toEqual({ kind: 'open', count: 1 });
  });

  it('reopens an old window rather than counting on in it (a fresh window has more room)', () => {
    expect(planGateStep({ windowStart: T, count: 1 }, T + 60_000, quota)).toEqual({ kind: 'open', count: 1 });
    // Inside the margin, a window with room is still counted on: the rules allow that at any age.
    expect(planGateStep({ windowStart: T, count: 1 }, T + 10_500, quota)).toEqual({ kind: 'next', count: 2 });
  });

  it('retrying after retryAfterMs is allowed', () => {
    const full = { windowStart: T, count: 3 };
    const step = planGateStep(full, T + 2_500, quota);
    if (step.kind !== 'throttled') throw new Error('expected throttled');
    expect(planGateStep(full, T + 2_500 + step.retryAfterMs, quota).kind).toBe('open');
    expect(planGateStep(full, T + 2_500 + step.retryAfterMs - 1, quota).kind).toBe('throttled');
  });
});

describe('submission quota', () => {
  it('defaults to the admission rate limit’s sustained rate in windows of 10', () => {
    const config = workerConfigSchema.parse({});
    expect(submissionQuotaSchema.parse({})).toEqual(SUBMISSION_QUOTA_DEFAULTS);
    expect(config.submissionQuota).toEqual(SUBMISSION_QUOTA_DEFAULTS);
    expect((SUBMISSION_QUOTA_DEFAULTS.perWindow * config.rateLimiting.windowSizeMs) / SUBMISSION_QUOTA_DEFAULTS.windowMs).toBe(
      config.rateLimiting.requestsPerMinute,
    );
  });

  it('the refusal is a typed error saying when to retry', () => {
    const error = new SubmissionThrottledError('u1', 2_100, T, quota);
    expect(error.code).toBe('SUBMISSION_THROTTLED');
    expect(error.message).toBe('user u1 sent 3 submissions in 10 s, the most allowed; retry in 3 s');
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideFailure } from './retry-policy.js';

const policy = { baseMs: 1_000, maxMs: 60_000, multiplier: 2 };

describe('backoffDelayMs (full jitter)', () => {
  it('draws uniformly below the exponential cap', () => {
    expect(backoffDelayMs(1, policy, () => 0.999)).toBe(999);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(2_000);
    expect(backoffDelayMs(20, policy, () => 0.999)).toBe(59_940);
    expect(backoffDelayMs(4, policy, () => 0)).toBe(0);
  });

  it('never retries earlier than the upstream asked', () => {
    expect(backoffDelayMs(1, policy, () => 0.1, 30_000)).toBe(30_000);
    expect(backoffDelayMs(6, policy, () => 0.9, 1_000)).toBe(28_800);
  });
});

describe('decideFailure', () => {
  const base = { attempts: 1, maxAttempts: 3, retryAfterMs: null, now: 10_000, backoff: policy, random: () => 0.5 };

  it('retries retryable classes with backoff until attempts run out, then dead-letters', () => {
    expect(decideFailure({ ...base, errorClass: 'overloaded' })).toEqual({ kind: 'retry', delayMs: 500, availableAt: 10_500 });
    expect(decideFailure({ ...base, errorClass: 'quota', retryAfterMs: 7_000 })).toMatchObject({ availableAt: 17_000 });
    expect(decideFailure({ ...base, errorClass: 'timeout', attempts: 3 })).toMatchObject({ kind: 'dead_letter' });
  });

  it('fails permanent classes at once', () => {
    for (const errorClass of ['invalid', 'unauthorized', 'payload'] as const) {
      expect(decideFailure({ ...base, errorClass })).toMatchObject({ kind: 'fail' });
    }
  });
});

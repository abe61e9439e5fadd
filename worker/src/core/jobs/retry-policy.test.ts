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
    expect(decideFailure({ ...base, errorClass: 'overloaded' })).toEqual({
      kind: 'retry',
      delayMs: 500,
      availableAt: 10_500,
      charge: 'attempt',
      busySince: null,
      busyAnswers: 0,
    });
    expect(decideFailure({ ...base, errorClass: 'quota', retryAfterMs: 7_000 })).toMatchObject({ availableAt: 17_000 });
    expect(decideFailure({ ...base, errorClass: 'timeout', attempts: 3 })).toMatchObject({ kind: 'dead_letter' });
  });

  it('fails permanent classes at once', () => {
    for (const errorClass of ['invalid', 'unauthorized', 'payload'] as const) {
      expect(decideFailure({ ...base, errorClass })).toMatchObject({ kind: 'fail' });
    }
  });
});

describe('decideFailure: busy answers and breaker probes', () => {
  const base = { attempts: 3, maxAttempts: 3, retryAfterMs: null, now: 100_000, backoff: policy, random: () => 0.5 };
  const busy = (since: number | null, answers = 0) => ({ since, answers, budgetMs: 60_000 });

  it('retries overloaded and quota answers on the busy budget even with no attempts left', () => {
    expect(decideFailure({ ...base, errorClass: 'overloaded', busy: busy(null) })).toEqual({
      kind: 'retry',
      delayMs: 500,
      availableAt: 100_500,
      charge: 'busy',
      busySince: 100_000,
      busyAnswers: 1,
    });
    // The run keeps its start; its backoff grows with the answers in it.
    expect(decideFailure({ ...base, errorClass: 'quota', busy: busy(70_000, 3) })).toMatchObject({
      kind: 'retry',
      charge: 'busy',
      busySince: 70_000,
      busyAnswers: 4,
      delayMs: 4_000,
    });
  });

  it('caps the wait after a busy answer at busyMaxMs: flow control paces the calls, not the job', () => {
    const capped = { ...policy, busyMaxMs: 1_000 };
    const decide = (answers: number, retryAfterMs: number | null = null) =>
      decideFailure({ ...base, backoff: capped, random: () => 0.999, retryAfterMs, errorClass: 'overloaded', busy: busy(90_000, answers) });
    expect(decide(0)).toMatchObject({ delayMs: 999 });
    expect(decide(8)).toMatchObject({ delayMs: 999 });
    // The upstream's own RetryInfo still wins.
    expect(decide(8, 5_000)).toMatchObject({ delayMs: 5_000 });
    // Ordinary attempts keep the full exponential backoff.
    expect(decideFailure({ ...base, attempts: 6, maxAttempts: 9, backoff: capped, random: () => 0.999, errorClass: 'server' })).toMatchObject({ delayMs: 31_968 });
  });

  it('honours the delay a quota answer asks for', () => {
    expect(decideFailure({ ...base, errorClass: 'quota', retryAfterMs: 20_000, busy: busy(null) })).toMatchObject({ availableAt: 120_000 });
  });

  it('dead-letters once the job has met busy answers for the whole budget, and says so', () => {
    const decision = decideFailure({ ...base, errorClass: 'overloaded', busy: busy(40_000, 9) });
    expect(decision).toMatchObject({ kind: 'dead_letter', charge: 'busy' });
    expect(decision.kind === 'dead_letter' && decision.reason).toMatch(/busy \(overloaded\) for 60 s, over the busy budget of 60 s/);
  });

  it('counts busy answers as attempts when the busy budget is 0', () => {
    expect(decideFailure({ ...base, errorClass: 'overloaded', busy: { since: null, answers: 0, budgetMs: 0 } })).toMatchObject({
      kind: 'dead_letter',
      charge: 'attempt',
    });
  });

  it('ends a busy run on a real failure', () => {
    expect(decideFailure({ ...base, attempts: 1, errorClass: 'server', busy: busy(90_000, 2) })).toMatchObject({
      kind: 'retry',
      charge: 'attempt',
      busySince: null,
      busyAnswers: 0,
    });
  });

  it('charges a failed breaker probe to nothing, whatever the class, and keeps the busy run', () => {
    for (const errorClass of ['server', 'overloaded', 'timeout', 'network'] as const) {
      expect(decideFailure({ ...base, errorClass, isProbe: true, busy: busy(95_000, 1) })).toMatchObject({
        kind: 'retry',
        charge: 'probe',
        busySince: 95_000,
        busyAnswers: 1,
      });
    }
    // A permanent answer is still the job's own failure.
    expect(decideFailure({ ...base, errorClass: 'invalid', isProbe: true })).toMatchObject({ kind: 'fail' });
  });
});

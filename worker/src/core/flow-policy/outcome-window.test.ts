import { describe, expect, it } from 'vitest';
import { upstreamWindowSchema, type UpstreamWindow } from '../../schema/coordination.js';
import { resolveConfig } from '../../schema/config.js';
import { emptyOutcomes, localTripReason, recordOutcome, rollOutcomes, sumWindows, toUpstreamWindow, windowDelta } from './outcome-window.js';
import { emptyHistory, historyTotals, pushDeltas, restartHistory } from './fleet-window.js';

const breaker = resolveConfig({}).circuitBreaker;
const opts = { breaker, assumeAudioSeconds: 10, estimateTokens: (s: number | null) => (s ?? 10) * 36 };
const T0 = 1_700_000_000_000;

describe('local outcome accounting', () => {
  it('counts calls, successes, failures, latency per audio second and tokens', () => {
    let s = emptyOutcomes(T0);
    s = recordOutcome(s, { ok: true, latencyMs: 2_000, audioSeconds: 4, tokens: 150 }, opts);
    s = recordOutcome(s, { ok: true, latencyMs: 3_000, audioSeconds: null, tokens: null }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'overloaded', latencyMs: 10 }, opts);
    // An overload answer after the call was served a while: a failure, counted apart as late.
    s = recordOutcome(s, { ok: false, errorClass: 'overloaded', latencyMs: 1_900, late: true }, opts);
    const w = upstreamWindowSchema.parse(toUpstreamWindow(s));
    expect(w).toEqual({
      windowStart: T0,
      calls: 4,
      successes: 2,
      failuresByClass: { overloaded: 2 },
      latencyPerAudioSecMsSum: 500 + 300,
      tokens: 150 + 360,
      lateOverloads: 1,
      // No outcome carried its time: the outage evidence is left alone.
      health: { lastSuccessAt: null, lastSuccessStartedAt: null, failingSince: null, failingCount: 0, lastFailureAt: null, running: 0 },
    });
  });

  it('tracks the failure streak: a success clears it, ignored and overload classes leave it alone', () => {
    let s = emptyOutcomes(T0);
    for (let i = 0; i < 4; i++) s = recordOutcome(s, { ok: false, errorClass: 'server', latencyMs: 1 }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'invalid', latencyMs: 1 }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'overloaded', latencyMs: 1 }, opts);
    expect(s.streak).toEqual({ server: 4 });
    expect(localTripReason(s, breaker)).toBeNull();
    const tripped = recordOutcome(s, { ok: false, errorClass: 'network', latencyMs: 1 }, opts);
    expect(localTripReason(tripped, breaker)).toMatch(/5 failures in a row/);
    const healed = recordOutcome(s, { ok: true, latencyMs: 1, audioSeconds: 1, tokens: 1 }, opts);
    expect(healed.streak).toEqual({});
  });

  it('rolls the reporting window but keeps the streak', () => {
    let s = recordOutcome(emptyOutcomes(T0), { ok: false, errorClass: 'timeout', latencyMs: 1 }, opts);
    expect(rollOutcomes(s, T0 + 59_999, 60_000)).toBe(s);
    s = rollOutcomes(s, T0 + 60_000, 60_000);
    expect(s).toMatchObject({ windowStart: T0 + 60_000, calls: 0, streak: { timeout: 1 } });
  });
});

describe('fleet aggregation', () => {
  const w = (start: number, calls: number, successes: number, overloaded: number): UpstreamWindow => ({
    windowStart: start,
    calls,
    successes,
    failuresByClass: overloaded ? { overloaded } : ({} as Record<string, number>),
    latencyPerAudioSecMsSum: successes * 100,
    tokens: successes * 10,
    lateOverloads: Math.floor(overloaded / 2),
  });

  it('diffs successive reports of one window and takes a new window whole', () => {
    expect(windowDelta(w(T0, 10, 8, 2), w(T0, 15, 12, 3))).toEqual(w(T0, 5, 4, 1));
    expect(windowDelta(w(T0, 10, 8, 2), w(T0 + 60_000, 3, 3, 0))).toEqual(w(T0 + 60_000, 3, 3, 0));
    expect(windowDelta(null, w(T0, 4, 4, 0))).toEqual(w(T0, 4, 4, 0));
  });

  it('sums deltas over a sliding window and forgets everything before a transition', () => {
    let h = emptyHistory(T0);
    h = pushDeltas(h, T0 + 1_000, [w(T0, 10, 10, 0), w(T0, 5, 0, 5)], 60_000);
    h = pushDeltas(h, T0 + 30_000, [w(T0, 4, 2, 2)], 60_000);
    expect(historyTotals(h, T0 + 30_000, 60_000)).toMatchObject({ calls: 19, successes: 12, failuresByClass: { overloaded: 7 } });
    expect(historyTotals(h, T0 + 61_000, 60_000)).toMatchObject({ calls: 4 });
    h = restartHistory(h, T0 + 40_000);
    expect(historyTotals(h, T0 + 40_000, 60_000)).toMatchObject({ calls: 0, windowStart: T0 + 40_000 });
    expect(sumWindows([], T0).calls).toBe(0);
  });
});

describe('outage evidence', () => {
  const opts = { breaker: resolveConfig({}).circuitBreaker, assumeAudioSeconds: 10, estimateTokens: () => 100 };
  it('tracks the last success and the failures since, leaving quota answers out, across window rolls', () => {
    let s = emptyOutcomes(T0);
    s = recordOutcome(s, { ok: true, latencyMs: 10, audioSeconds: 1, tokens: 1, at: T0 + 1 }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'overloaded', latencyMs: 1, at: T0 + 5 }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'quota', latencyMs: 1, at: T0 + 6 }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'cancelled', latencyMs: 1, at: T0 + 7 }, opts);
    s = recordOutcome(s, { ok: false, errorClass: 'server', latencyMs: 1, at: T0 + 8 }, opts);
    s = rollOutcomes(s, T0 + 120_000, 60_000);
    expect(toUpstreamWindow(s, 2).health).toEqual({ lastSuccessAt: T0 + 1, lastSuccessStartedAt: T0 - 9, failingSince: T0 + 5, failingCount: 2, lastFailureAt: T0 + 8, running: 2 });
    s = recordOutcome(s, { ok: true, latencyMs: 10, audioSeconds: 1, tokens: 1, at: T0 + 120_001 }, opts);
    expect(toUpstreamWindow(s).health).toEqual({
      lastSuccessAt: T0 + 120_001,
      lastSuccessStartedAt: T0 + 119_991,
      failingSince: null,
      failingCount: 0,
      lastFailureAt: null,
      running: 0,
    });
  });

  it('a success of a call admitted before the failures began does not end them: only a later admission does', () => {
    let s = emptyOutcomes(T0);
    // Refused at +100 while a call admitted at 0 runs; that call ends well at +1,500.
    s = recordOutcome(s, { ok: false, errorClass: 'overloaded', latencyMs: 5, at: T0 + 100 }, opts);
    s = recordOutcome(s, { ok: true, latencyMs: 1_500, audioSeconds: 1, tokens: 1, at: T0 + 1_500 }, opts);
    expect(toUpstreamWindow(s).health).toMatchObject({ lastSuccessAt: T0 + 1_500, lastSuccessStartedAt: T0, failingSince: T0 + 100, failingCount: 1 });
    s = recordOutcome(s, { ok: false, errorClass: 'overloaded', latencyMs: 5, at: T0 + 1_600 }, opts);
    expect(toUpstreamWindow(s).health).toMatchObject({ failingSince: T0 + 100, failingCount: 2, lastFailureAt: T0 + 1_600 });
    // Admitted at +1,700, after the run began: the upstream takes calls again.
    s = recordOutcome(s, { ok: true, latencyMs: 1_500, audioSeconds: 1, tokens: 1, at: T0 + 3_200 }, opts);
    expect(toUpstreamWindow(s).health).toMatchObject({ lastSuccessStartedAt: T0 + 1_700, failingSince: null, failingCount: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { callEvents, isSuccess, perSecond, summarizeCalls } from './call-log-figures.js';
import { fakeCall as record, fakeLog as log } from './call-fixtures.js';

describe('summarizeCalls', () => {
  it('counts outcomes, waste and the last success from the log start', () => {
    const s = summarizeCalls(
      log([
        record(1_000, 'ok'),
        record(1_100, 'rejected'),
        record(1_200, 'rejected', { status: 429, reason: 'quota' }),
        record(2_000, 'ok'),
        record(2_100, 'aborted'),
      ]),
    );
    expect(s).toEqual({
      calls: 5,
      successes: 2,
      byStatus: { '503': 1, '429': 1, aborted: 1 },
      byReason: { overload: 1, quota: 1 },
      wastedPerSuccess: 1.5,
      lastSuccessMs: 2_500,
    });
    expect(summarizeCalls(log([])).wastedPerSuccess).toBeNull();
  });

  it('turns calls into events for sliding windows', () => {
    const calls = [record(0, 'ok'), record(5, 'rejected'), record(9, 'ok', { tokens: 70 })];
    expect(callEvents(calls)).toEqual([{ at: 0, weight: 1 }, { at: 5, weight: 1 }, { at: 9, weight: 1 }]);
    expect(callEvents(calls, isSuccess, 'tokens')).toEqual([{ at: 0, weight: 100 }, { at: 9, weight: 70 }]);
  });

  it('counts calls per second of arrival', () => {
    const calls = [record(1_000, 'ok'), record(1_999, 'rejected'), record(3_500, 'ok', { tokens: 7 }), record(3_600, 'aborted')];
    expect(perSecond(log(calls, 1_000))).toEqual({ ok: [1, 0, 1], refused: [1, 0, 0], tokens: [100, 0, 7] });
    expect(perSecond(log([]))).toEqual({ ok: [], refused: [], tokens: [] });
  });
});

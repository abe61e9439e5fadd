import { describe, expect, it } from 'vitest';
import { fakeCall, fakeLog } from '../lib/call-fixtures.js';
import { outageFigures } from './outage-figures.js';

describe('outageFigures', () => {
  const outageStart = 10_000;
  const outageEnd = 40_000;
  const history = [
    { from: 'closed', to: 'open', at: 13_000 },
    { from: 'open', to: 'half_open', at: 30_000 },
    { from: 'half_open', to: 'open', at: 30_300 },
    { from: 'open', to: 'half_open', at: 41_000 },
    { from: 'half_open', to: 'closed', at: 42_700 },
  ];
  const rejected = (at: number) => fakeCall(at, 'rejected', { settledAt: at + 250, reason: 'outage' });

  it('times the opening, counts probes in flight and times the closing after the first good probe', () => {
    const calls = [
      ...[10_100, 10_200, 12_000].map(rejected), // before the opening: not probes
      rejected(30_000),
      fakeCall(41_000, 'ok', { settledAt: 42_500 }),
      fakeCall(50_000, 'ok'),
    ];
    const f = outageFigures({
      outageStart,
      outageEnd,
      history,
      log: fakeLog(calls),
      jobErrors: [{ at: 11_000 }, { at: 12_000, charge: 'busy' }, { at: 30_250, charge: 'probe' }, { at: 60_000 }],
    });
    expect(f.openAfterSec).toBe(3);
    expect(f.callsWhileNotClosed).toBe(2);
    expect(f.probesInFlightMax).toBe(1);
    expect(f.firstSuccessfulProbeAt).toBe(42_500);
    expect(f.closedAfterProbeSec).toBe(0.2);
    expect(f.notClosedSec).toBe(32.7);
    expect(f.errorsDuringOutageByCharge).toEqual({ attempt: 1, busy: 1, probe: 1 });
  });

  it('sees two probes at once, and a breaker that never opened', () => {
    const twoAtOnce = outageFigures({ outageStart, outageEnd, history, log: fakeLog([rejected(30_000), rejected(30_100)]), jobErrors: [] });
    expect(twoAtOnce.probesInFlightMax).toBe(2);
    const never = outageFigures({ outageStart, outageEnd, history: [], log: fakeLog([rejected(11_000)]), jobErrors: [{ at: 11_000 }] });
    expect(never).toMatchObject({ openAfterSec: null, callsWhileNotClosed: 0, closedAfterProbeSec: null, notClosedSec: null, errorsDuringOutageByCharge: { attempt: 1 } });
  });
});

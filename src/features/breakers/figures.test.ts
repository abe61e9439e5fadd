import { describe, expect, it } from 'vitest';
import { T0, breaker } from '../../test/factories';
import { failureFigures } from './figures';

const trip = {
  at: T0,
  rule: 'outage' as const,
  reason: '9 failures and no success in the fleet for 3.2 s, no call in flight (threshold 5)',
  by: 'w1',
  failures: 9,
  calls: 9,
  failuresByClass: { overloaded: 9 },
  since: T0 - 3_200,
};
const emptyWindow = { start: T0, calls: 0, failures: 0, failuresByClass: {} };

describe('failureFigures', () => {
  it('while open: the failures that tripped it, not the restarted window (which read "—" or 0 / 0)', () => {
    expect(failureFigures(breaker({ state: 'open', openedAt: T0, trip, window: null }))).toMatchObject({ kind: 'trip', failures: 9, calls: 9 });
    expect(failureFigures(breaker({ state: 'half_open', openedAt: T0, trip, window: emptyWindow }))).toMatchObject({ kind: 'trip', failures: 9 });
  });

  it('closed again: the current window; with none yet, nothing', () => {
    const window = { start: T0 + 60_000, calls: 40, failures: 1, failuresByClass: { server: 1 } };
    expect(failureFigures(breaker({ state: 'closed', trip, window }))).toEqual({ kind: 'window', failures: 1, calls: 40, failuresByClass: { server: 1 } });
    expect(failureFigures(breaker({ state: 'closed', trip, window: null }))).toBeNull();
  });

  it('forced open after an older trip: the window, since no failures opened it', () => {
    const forced = breaker({ state: 'open', openedAt: T0 + 600_000, override: 'force_open', overrideBy: 'admin', overrideAt: T0 + 600_000, trip, window: emptyWindow });
    expect(failureFigures(forced)).toMatchObject({ kind: 'window', failures: 0, calls: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { T0, breaker, stats } from '../../test/factories';
import { breakerIncidents, deadLetterCount } from './incidents';

describe('breakerIncidents', () => {
  it('lists open and half-open breakers, oldest opening first, since the opening (not the last probe flip)', () => {
    const incidents = breakerIncidents([
      breaker({ model: 'a', state: 'closed' }),
      breaker({ model: 'b', state: 'half_open', since: T0 - 1_000, openedAt: T0 - 90_000 }),
      breaker({ model: 'c', state: 'open', since: T0 - 30_000, openedAt: T0 - 30_000, override: 'force_open', overrideBy: 'admin', overrideAt: T0 - 30_000 }),
    ]);
    expect(incidents).toEqual([
      { model: 'b', state: 'half_open', since: T0 - 90_000, forced: false },
      { model: 'c', state: 'open', since: T0 - 30_000, forced: true },
    ]);
  });

  it('falls back to the last transition without an opening time, and is empty when all are closed', () => {
    expect(breakerIncidents([breaker({ model: 'x', state: 'open', since: T0 - 5_000, openedAt: null })])[0]?.since).toBe(T0 - 5_000);
    expect(breakerIncidents([breaker({ state: 'closed' })])).toEqual([]);
  });
});

describe('deadLetterCount', () => {
  it("is the leader's count, and unknown before the first stats document", () => {
    expect(deadLetterCount(stats({ byStatus: { dead_lettered: 7 } }))).toBe(7);
    expect(deadLetterCount(stats())).toBe(0);
    expect(deadLetterCount(null)).toBeNull();
  });
});

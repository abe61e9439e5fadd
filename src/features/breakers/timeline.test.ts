import { describe, expect, it } from 'vitest';
import { breaker } from '../../test/factories';
import { breakerTimeline } from './timeline';

describe('breakerTimeline', () => {
  const now = 10_000;

  it('is one segment of the current state without history', () => {
    expect(breakerTimeline(breaker({ state: 'closed', history: [] }), now, 1_000)).toEqual([
      { state: 'closed', start: 9_000, end: 10_000, fraction: 1 },
    ]);
  });

  it('splits the window at each transition and clips older ones', () => {
    const b = breaker({
      state: 'closed',
      history: [
        { from: 'closed', to: 'open', at: 2_000, reason: 'failures' },
        { from: 'open', to: 'half_open', at: 6_000, reason: 'probe' },
        { from: 'half_open', to: 'closed', at: 8_000, reason: 'probe ok' },
      ],
    });
    const segs = breakerTimeline(b, now, 5_000);
    expect(segs.map((s) => [s.state, s.start, s.end])).toEqual([
      ['open', 5_000, 6_000],
      ['half_open', 6_000, 8_000],
      ['closed', 8_000, 10_000],
    ]);
    expect(segs.reduce((a, s) => a + s.fraction, 0)).toBeCloseTo(1);
  });
});

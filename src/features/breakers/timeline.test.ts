import { describe, expect, it } from 'vitest';
import { breaker } from '../../test/factories';
import { breakerTimeline, drawTimeline, incidentSummary, MIN_INCIDENT_SHARE, type TimelineSegment } from './timeline';

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

const HOUR = 60 * 60_000;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('drawTimeline', () => {
  // The demo's breaker (recovery 8 s): open 8 s, a probe of 300 ms, closed again, 20 min ago.
  const now = 100 * HOUR;
  const opened = now - 20 * 60_000;
  const demo = breaker({
    state: 'closed',
    history: [
      { from: 'closed', to: 'open', at: opened, reason: '9 failures and no success in the fleet for 3.1 s', by: 'w1' },
      { from: 'open', to: 'half_open', at: opened + 8_000, reason: 'probe by w2', by: 'w2' },
      { from: 'half_open', to: 'closed', at: opened + 8_300, reason: 'probe by w2 succeeded', by: 'w2' },
    ],
  });

  it('draws a short real opening at least MIN_INCIDENT_SHARE wide, where a linear hour drew it under a pixel', () => {
    const segments = breakerTimeline(demo, now, HOUR);
    const open = segments.find((s) => s.state === 'open')!;
    // What the bar used to draw: 8 s of 3600 s, under one pixel of a 500 px bar.
    expect(open.fraction * 500).toBeLessThan(1.2);
    const drawn = drawTimeline(segments);
    expect(drawn.map((s) => s.state)).toEqual(['closed', 'open', 'half_open', 'closed']);
    for (const s of drawn.filter((d) => d.state !== 'closed')) expect(s.drawn).toBeCloseTo(MIN_INCIDENT_SHARE);
    expect(sum(drawn.map((s) => s.drawn))).toBeCloseTo(1);
    // The closed stretches give up the width in proportion to their length.
    expect(drawn[0]!.drawn / drawn[3]!.drawn).toBeCloseTo(segments[0]!.fraction / segments[3]!.fraction);
    // Real times stay for the tooltip.
    expect(drawn[1]).toMatchObject({ start: opened, end: opened + 8_000 });
  });

  it('leaves incidents already wider than the minimum as they are', () => {
    const segs: TimelineSegment[] = [
      { state: 'closed', start: 0, end: 600, fraction: 0.6 },
      { state: 'open', start: 600, end: 1_000, fraction: 0.4 },
    ];
    expect(drawTimeline(segs).map((s) => s.drawn)).toEqual([0.6, 0.4]);
  });

  it('shares the whole bar among incidents when their minimums alone would overflow it', () => {
    const flaps: TimelineSegment[] = Array.from({ length: 60 }, (_, i) => ({ state: i % 2 ? 'closed' : 'open', start: i, end: i + 1, fraction: 1 / 60 }));
    const drawn = drawTimeline(flaps, 0.05);
    expect(sum(drawn.map((s) => s.drawn))).toBeCloseTo(1);
    expect(drawn.filter((s) => s.state === 'closed').every((s) => s.drawn === 0)).toBe(true);
  });
});

describe('incidentSummary', () => {
  it('counts openings from closed (probe flaps inside one incident are one) and the time not closed', () => {
    const segs: TimelineSegment[] = [
      { state: 'open', start: 0, end: 10, fraction: 0 },
      { state: 'half_open', start: 10, end: 11, fraction: 0 },
      { state: 'open', start: 11, end: 30, fraction: 0 },
      { state: 'closed', start: 30, end: 100, fraction: 0 },
      { state: 'open', start: 100, end: 108, fraction: 0 },
      { state: 'closed', start: 108, end: 200, fraction: 0 },
    ];
    expect(incidentSummary(segs)).toEqual({ openings: 2, notClosedMs: 38 });
    expect(incidentSummary([{ state: 'closed', start: 0, end: 1, fraction: 1 }])).toEqual({ openings: 0, notClosedMs: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import { createServerClock } from './server-clock.js';

describe('server clock offset', () => {
  it('takes the minimum of local - server over samples (delay is never negative)', () => {
    const clock = createServerClock();
    expect(clock.estimate()).toBeNull();
    expect(clock.serverNow(1_000)).toBe(1_000);
    // browser clock 30 s ahead; deliveries take 400, 120, 900 ms
    clock.observe(100_000, 130_400);
    clock.observe(105_000, 135_120);
    clock.observe(110_000, 140_900);
    expect(clock.estimate()).toEqual({ offsetMs: 30_120, samples: 3 });
    expect(clock.serverNow(200_000)).toBe(169_880);
  });

  it('handles a browser clock that is behind', () => {
    const clock = createServerClock();
    clock.observe(50_000, 40_050);
    expect(clock.estimate()?.offsetMs).toBe(-9_950);
  });

  it('ages out old samples so a corrected clock is picked up', () => {
    const clock = createServerClock({ maxSampleAgeMs: 60_000 });
    clock.observe(0, 5_000);
    clock.observe(100_000, 100_200);
    expect(clock.estimate()?.offsetMs).toBe(200);
    let calls = 0;
    clock.subscribe(() => (calls += 1));
    clock.observe(200_000, 200_300);
    expect(clock.estimate()).toEqual({ offsetMs: 300, samples: 1 });
    expect(calls).toBe(1);
    clock.observe(Number.NaN, 1);
    expect(clock.estimate()?.samples).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { chaosSchedule } from './fault-schedule.js';

describe('chaos schedule', () => {
  const options = { seed: 5, durationMs: 60_000, killEveryMs: 6_000, faultEveryMs: 3_000 };

  it('is the same for the same seed and different for another', () => {
    expect(chaosSchedule(options)).toEqual(chaosSchedule(options));
    expect(chaosSchedule({ ...options, seed: 6 })).not.toEqual(chaosSchedule(options));
  });

  it('spreads kills and faults over the run, in time order, with every kind of fault', () => {
    const schedule = chaosSchedule(options);
    const kills = schedule.filter((s) => s.action.kind === 'kill-worker');
    expect(kills.length).toBeGreaterThanOrEqual(60 / 9);
    expect(kills.length).toBeLessThanOrEqual(60 / 3);
    expect(schedule.every((s, i) => i === 0 || s.atMs >= schedule[i - 1]!.atMs)).toBe(true);
    expect(schedule.every((s) => s.atMs > 0 && s.atMs < 60_000)).toBe(true);
    const kinds = new Set(chaosSchedule({ ...options, durationMs: 600_000 }).map((s) => s.action.kind));
    expect([...kinds].sort()).toEqual(['drop-streams', 'fail-commits', 'kill-worker', 'upstream-429', 'upstream-503']);
  });

  it('leaves the counted 503 bursts out when asked (an error rate replaces them), the rest unchanged', () => {
    const long = { ...options, durationMs: 600_000 };
    const without = chaosSchedule({ ...long, upstream503Bursts: false });
    expect(without.some((s) => s.action.kind === 'upstream-503')).toBe(false);
    expect(without).toEqual(chaosSchedule(long).filter((s) => s.action.kind !== 'upstream-503'));
  });
});

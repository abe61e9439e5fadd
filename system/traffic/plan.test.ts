import { describe, expect, it } from 'vitest';
import { seededRandom } from '@fq/worker/core';
import { TrafficSchedule, nextGapMs, trafficOptionsSchema, weightedPick, type TrafficEvent } from './plan.js';

const NO_EXTRAS = { burst: { everyMs: 0, jobs: 1 }, episodes: { everyMs: 0, durationMs: 1, kinds: ['capacity' as const], capacity: 1 } };

/** Runs the schedule on a fake clock, one tick every `tickMs`. */
function run(schedule: TrafficSchedule, fromMs: number, toMs: number, tickMs = 250): TrafficEvent[] {
  const events: TrafficEvent[] = [];
  for (let t = fromMs; t <= toMs; t += tickMs) events.push(...schedule.due(t));
  return events;
}

describe('TrafficSchedule', () => {
  it('produces Poisson arrivals near the configured rate', () => {
    const schedule = new TrafficSchedule({ ratePerSec: 2, ...NO_EXTRAS }, seededRandom(7), 0);
    const events = run(schedule, 0, 600_000);
    const jobs = events.filter((e) => e.kind === 'enqueue');
    // 1,200 expected; a Poisson count has sd ~35, so +-10% is far outside chance.
    expect(jobs.length).toBeGreaterThan(1_080);
    expect(jobs.length).toBeLessThan(1_320);
    expect(jobs.every((e) => e.at <= 600_000)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = run(new TrafficSchedule({ ratePerSec: 3 }, seededRandom(11), 0), 0, 200_000);
    const b = run(new TrafficSchedule({ ratePerSec: 3 }, seededRandom(11), 0), 0, 200_000);
    expect(a).toEqual(b);
    const c = run(new TrafficSchedule({ ratePerSec: 3 }, seededRandom(12), 0), 0, 200_000);
    expect(c).not.toEqual(a);
  });

  it('spreads jobs over users and priorities by weight, audio within bounds', () => {
    const schedule = new TrafficSchedule(
      {
        ratePerSec: 10,
        users: [
          { id: 'heavy', weight: 3 },
          { id: 'light', weight: 1 },
        ],
        priorityWeights: { urgent: 0, high: 1, normal: 1, low: 0 },
        audioSeconds: { min: 2, max: 4 },
        ...NO_EXTRAS,
      },
      seededRandom(3),
      0,
    );
    const jobs = run(schedule, 0, 300_000).filter((e) => e.kind === 'enqueue');
    const heavy = jobs.filter((j) => j.userId === 'heavy').length;
    expect(heavy / jobs.length).toBeGreaterThan(0.7);
    expect(heavy / jobs.length).toBeLessThan(0.8);
    expect(new Set(jobs.map((j) => j.priority))).toEqual(new Set(['high', 'normal']));
    expect(jobs.every((j) => j.audioSeconds >= 2 && j.audioSeconds <= 4 && j.text.length > 0)).toBe(true);
  });

  it('sends a burst of low-priority jobs from one user every burst interval', () => {
    const schedule = new TrafficSchedule({ ratePerSec: 0.01, burst: { everyMs: 30_000, jobs: 12 }, episodes: NO_EXTRAS.episodes }, seededRandom(5), 0);
    const bursts = run(schedule, 0, 95_000).filter((e) => e.kind === 'enqueue' && e.burst);
    expect(bursts).toHaveLength(36);
    for (const at of [30_000, 60_000, 90_000]) {
      const batch = bursts.filter((e) => e.at === at);
      expect(batch).toHaveLength(12);
      expect(new Set(batch.map((e) => (e.kind === 'enqueue' ? e.userId : '')))).toHaveProperty('size', 1);
      expect(batch.every((e) => e.kind === 'enqueue' && e.priority === 'low')).toBe(true);
    }
  });

  it('cycles overload episodes through their kinds and ends each after its duration', () => {
    const schedule = new TrafficSchedule(
      { ratePerSec: 0.01, burst: NO_EXTRAS.burst, episodes: { everyMs: 60_000, durationMs: 20_000, kinds: ['capacity', 'outage'], capacity: 1 } },
      seededRandom(5),
      0,
    );
    const episodes = run(schedule, 0, 199_000, 1_000).filter((e) => e.kind === 'episode_start' || e.kind === 'episode_end');
    expect(episodes.map((e) => [e.kind, e.episode, e.at])).toEqual([
      ['episode_start', 'capacity', 60_000],
      ['episode_end', 'capacity', 80_000],
      ['episode_start', 'outage', 120_000],
      ['episode_end', 'outage', 140_000],
      ['episode_start', 'capacity', 180_000],
    ]);
    expect(schedule.activeEpisode).toBe('capacity');
  });

  it('rate 0 ends a running episode and stops everything; a new rate starts again', () => {
    const schedule = new TrafficSchedule(
      { ratePerSec: 1, burst: { everyMs: 10_000, jobs: 3 }, episodes: { everyMs: 5_000, durationMs: 4_000, kinds: ['outage'], capacity: 0 } },
      seededRandom(9),
      0,
    );
    run(schedule, 0, 6_000);
    expect(schedule.activeEpisode).toBe('outage');
    schedule.setRate(0, 6_000);
    expect(schedule.due(6_100)).toEqual([{ kind: 'episode_end', at: 6_100, episode: 'outage' }]);
    expect(run(schedule, 6_200, 100_000)).toEqual([]);
    schedule.setRate(5, 100_000);
    expect(run(schedule, 100_000, 110_000).filter((e) => e.kind === 'enqueue').length).toBeGreaterThan(20);
  });

  it('takes the named lock periodically (first soon after the start), once per period even after a stall, never at rate 0', () => {
    const lock = { name: 'nightly', everyMs: 30_000, holdMs: 12_000, ttlMs: 9_000, purpose: 'demo' };
    const schedule = new TrafficSchedule({ ratePerSec: 0.01, ...NO_EXTRAS, lock }, seededRandom(3), 0);
    const takes = run(schedule, 0, 100_000, 1_000).filter((e) => e.kind === 'lock');
    expect(takes).toEqual([5_000, 35_000, 65_000, 95_000].map((at) => ({ kind: 'lock', at, name: 'nightly', holdMs: 12_000, ttlMs: 9_000, purpose: 'demo' })));
    expect(schedule.due(1_000_000).filter((e) => e.kind === 'lock')).toHaveLength(1);
    schedule.setRate(0, 1_000_000);
    expect(run(schedule, 1_000_000, 1_200_000, 1_000)).toEqual([]);
    const never = new TrafficSchedule({ ratePerSec: 1, ...NO_EXTRAS, lock: { ...lock, everyMs: 0 } }, seededRandom(3), 0);
    expect(run(never, 0, 200_000, 1_000).some((e) => e.kind === 'lock')).toBe(false);
    expect(() => trafficOptionsSchema.parse({ ratePerSec: 1, lock: { ...lock, holdMs: 30_000 } })).toThrow(/holdMs must be shorter than everyMs/);
  });

  it('catches up at most a few seconds of arrivals after a stall', () => {
    const schedule = new TrafficSchedule({ ratePerSec: 20, ...NO_EXTRAS }, seededRandom(1), 0);
    const afterStall = schedule.due(3_600_000).filter((e) => e.kind === 'enqueue');
    expect(afterStall.length).toBeLessThan(20 * 5 * 1.5);
    expect(afterStall.length).toBeGreaterThan(50);
  });

  it('refuses inconsistent options with a clear message', () => {
    expect(() => trafficOptionsSchema.parse({ ratePerSec: 1, audioSeconds: { min: 5, max: 1 } })).toThrow(/min must not exceed max/);
    expect(() => trafficOptionsSchema.parse({ ratePerSec: 1, episodes: { everyMs: 10, durationMs: 20, kinds: ['outage'], capacity: 0 } })).toThrow(
      /shorter than everyMs/,
    );
    expect(() => trafficOptionsSchema.parse({ ratePerSec: -1 })).toThrow();
  });
});

describe('helpers', () => {
  it('weightedPick follows the weights and skips zero weights', () => {
    const random = seededRandom(2);
    const picks = Array.from({ length: 4_000 }, () => weightedPick(['a', 'b', 'c'], (x) => ({ a: 1, b: 3, c: 0 })[x] ?? 0, random));
    expect(picks.filter((p) => p === 'c')).toHaveLength(0);
    const b = picks.filter((p) => p === 'b').length / picks.length;
    expect(b).toBeGreaterThan(0.7);
    expect(b).toBeLessThan(0.8);
  });

  it('nextGapMs has the mean of an exponential distribution', () => {
    const random = seededRandom(4);
    const gaps = Array.from({ length: 20_000 }, () => nextGapMs(4, random));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(240);
    expect(mean).toBeLessThan(260);
  });
});

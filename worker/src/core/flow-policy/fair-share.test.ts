import { describe, expect, it } from 'vitest';
import type { Priority } from '../../schema/job.js';
import { resolveConfig } from '../../schema/config.js';
import { estimateJobCostMs, fairRank, plainRank, systemVirtualTime } from './fair-share.js';

const config = resolveConfig({});
const aging = config.priorityAgingMs;
const fair = config.fairScheduling;
const T0 = 1_700_000_000_000;

interface SimJob {
  user: string;
  rank: number;
  seq: number;
  admittedAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/**
 * A fleet of `slots` workers that always claim the lowest-rank queued job (ties by admission
 * order) as soon as a slot is free: the claim query of the real engine, work-conserving by
 * construction. Each job takes `serviceMs`. Arrivals are admitted when they arrive, with the
 * queue head as it stands then (as the engine's admission sees it).
 */
function simulate(
  arrivals: { at: number; user: string; weight: number; priority?: Priority }[],
  slots: number,
  serviceMs: number,
  options: { costMs?: number; head?: boolean; maxLagMs?: number } = {},
): SimJob[] {
  const vt = new Map<string, number | null>();
  const jobs: (SimJob & { priority: Priority })[] = [];
  const pending = [...arrivals].sort((a, b) => a.at - b.at);
  const free = Array.from({ length: slots }, () => pending[0]?.at ?? 0);
  let seq = 0;
  const admitUntil = (t: number) => {
    while (pending.length > 0 && (pending[0] as { at: number }).at <= t) {
      const a = pending.shift() as (typeof pending)[number];
      const queued = jobs.filter((j) => j.startedAt === undefined);
      const head = queued.length > 0 ? queued.reduce((x, y) => (y.rank < x.rank ? y : x)) : null;
      const priority = a.priority ?? 'normal';
      const r = fairRank(vt.get(a.user) ?? null, {
        now: a.at,
        ...(options.head === false ? {} : { systemVirtualTime: systemVirtualTime(head, a.at, aging, options.maxLagMs ?? fair.maxLagMs) }),
        priority,
        agingMs: aging,
        costMs: options.costMs ?? serviceMs / slots,
        weight: a.weight,
        maxLeadMs: fair.maxLeadMs,
      });
      vt.set(a.user, r.virtualTime);
      jobs.push({ user: a.user, rank: r.rank, seq: seq++, admittedAt: a.at, priority });
    }
  };
  const total = arrivals.length;
  let started = 0;
  while (started < total) {
    free.sort((a, b) => a - b);
    let slotAt = free[0] as number;
    admitUntil(slotAt);
    let ready = jobs.filter((j) => j.startedAt === undefined);
    if (ready.length === 0) {
      slotAt = (pending[0] as { at: number }).at;
      admitUntil(slotAt);
      ready = jobs.filter((j) => j.startedAt === undefined);
    }
    const next = ready.reduce((a, b) => (b.rank < a.rank || (b.rank === a.rank && b.seq < a.seq) ? b : a));
    next.startedAt = slotAt;
    next.finishedAt = slotAt + serviceMs;
    free[0] = next.finishedAt;
    started += 1;
  }
  return jobs;
}

function servedBy(jobs: SimJob[], user: string, until: number): number {
  return jobs.filter((j) => j.user === user && (j.startedAt as number) < until).length;
}

describe('fairRank', () => {
  it('starts a first job at now plus its aging offset', () => {
    const r = fairRank(null, { now: T0, priority: 'high', agingMs: aging, costMs: 500, weight: 1, maxLeadMs: 60_000 });
    expect(r).toEqual({ rank: T0 + aging.high, start: T0, virtualTime: T0 + 500 });
  });

  it('spreads one user\'s batch over virtual time, scaled by weight', () => {
    let vt: number | null = null;
    const ranks: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = fairRank(vt, { now: T0, priority: 'normal', agingMs: aging, costMs: 1_000, weight: 2, maxLeadMs: 600_000 });
      ranks.push(r.rank - T0 - aging.normal);
      vt = r.virtualTime;
    }
    expect(ranks).toEqual([0, 500, 1_000, 1_500]);
  });

  it('an idle user banks no credit: virtual time in the past restarts at now', () => {
    const r = fairRank(T0 - 3_600_000, { now: T0, priority: 'low', agingMs: aging, costMs: 100, weight: 1, maxLeadMs: 1 });
    expect(r.start).toBe(T0);
  });

  it('bounds how far ahead of now a user can run', () => {
    const r = fairRank(T0 + 10_000_000, { now: T0, priority: 'normal', agingMs: aging, costMs: 100, weight: 1, maxLeadMs: 60_000 });
    expect(r.start).toBe(T0 + 60_000);
    expect(r.rank).toBe(T0 + 60_000 + aging.normal);
  });

  it('rejects weights and costs that would corrupt the order', () => {
    const base = { now: T0, priority: 'normal' as const, agingMs: aging, costMs: 1, weight: 1, maxLeadMs: 1 };
    expect(() => fairRank(null, { ...base, weight: 0 })).toThrow(RangeError);
    expect(() => fairRank(null, { ...base, weight: Number.NaN })).toThrow(RangeError);
    expect(() => fairRank(null, { ...base, costMs: -1 })).toThrow(RangeError);
  });

  it('keeps priority meaningful between users', () => {
    const heavy = fairRank(null, { now: T0, priority: 'urgent', agingMs: aging, costMs: 1_000, weight: 1, maxLeadMs: 600_000 });
    const light = fairRank(null, { now: T0, priority: 'low', agingMs: aging, costMs: 1_000, weight: 1, maxLeadMs: 600_000 });
    expect(heavy.rank).toBeLessThan(light.rank);
    expect(plainRank(T0, 'low', aging)).toBe(T0 + aging.low);
  });
});

describe('fair scheduling in a simulated fleet', () => {
  const service = 2_000;
  const slots = 4;

  it('a heavy user cannot starve a light one who arrives later', () => {
    const arrivals = [
      ...Array.from({ length: 400 }, () => ({ at: T0, user: 'heavy', weight: 1 })),
      ...Array.from({ length: 10 }, (_, i) => ({ at: T0 + 30_000 + i, user: 'light', weight: 1 })),
    ];
    const jobs = simulate(arrivals, slots, service);
    const light = jobs.filter((j) => j.user === 'light');
    // With two backlogged users the light one gets about half the fleet: its 10 jobs start
    // within ~20 service slots of arriving, not after the heavy user's 400-job backlog.
    const lastLightStart = Math.max(...light.map((j) => j.startedAt as number));
    expect(lastLightStart - (T0 + 30_000)).toBeLessThanOrEqual((2 * 10 * service) / slots + service);
    const heavyDone = Math.max(...jobs.filter((j) => j.user === 'heavy').map((j) => j.finishedAt as number));
    expect(lastLightStart).toBeLessThan(heavyDone - 100 * service / slots);
  });

  it('stays fair when the configured cost is far off the fleet\'s real speed', () => {
    for (const costMs of [(service / slots) / 10, (service / slots) * 10]) {
      const arrivals = [
        ...Array.from({ length: 300 }, () => ({ at: T0, user: 'heavy', weight: 1 })),
        ...Array.from({ length: 10 }, (_, i) => ({ at: T0 + 60_000 + i, user: 'light', weight: 1 })),
      ];
      const jobs = simulate(arrivals, slots, service, { costMs });
      const lastLightStart = Math.max(...jobs.filter((j) => j.user === 'light').map((j) => j.startedAt as number));
      expect(lastLightStart - (T0 + 60_000)).toBeLessThanOrEqual((2 * 10 * service) / slots + service);
    }
    // Anchored to the wall clock instead (plain VirtualClock), a too-small cost lets the
    // heavy backlog's ranks fall behind real time: the light user waits for most of it.
    const arrivals = [
      ...Array.from({ length: 300 }, () => ({ at: T0, user: 'heavy', weight: 1 })),
      ...Array.from({ length: 10 }, (_, i) => ({ at: T0 + 60_000 + i, user: 'light', weight: 1 })),
    ];
    const wallClock = simulate(arrivals, slots, service, { costMs: (service / slots) / 10, head: false });
    const lastLight = Math.max(...wallClock.filter((j) => j.user === 'light').map((j) => j.startedAt as number));
    expect(lastLight - (T0 + 60_000)).toBeGreaterThan(35 * service); // ~all 180 heavy jobs left at +60 s
  });

  it('low priority never starves behind a steady stream of newcomers', () => {
    const arrivals = [
      { at: T0, user: 'patient', weight: 1, priority: 'low' as const },
      // More urgent one-off users than the fleet can serve, for a long time.
      ...Array.from({ length: 3_000 }, (_, i) => ({ at: T0 + i * 200, user: `u${i}`, weight: 1, priority: 'urgent' as const })),
    ];
    const jobs = simulate(arrivals, slots, service, { maxLagMs: 300_000 });
    const low = jobs.find((j) => j.user === 'patient') as SimJob;
    expect((low.startedAt as number) - T0).toBeLessThanOrEqual(aging.low + 300_000 + service);
  });

  it('shares capacity in proportion to tier weights while users are backlogged', () => {
    const arrivals = [
      ...Array.from({ length: 300 }, () => ({ at: T0, user: 'a', weight: 1 })),
      ...Array.from({ length: 300 }, () => ({ at: T0, user: 'b', weight: 2 })),
      ...Array.from({ length: 300 }, () => ({ at: T0, user: 'c', weight: 1 })),
    ];
    const jobs = simulate(arrivals, slots, service);
    const horizon = T0 + 200 * service / slots; // 200 jobs served, all three still backlogged
    const a = servedBy(jobs, 'a', horizon);
    const b = servedBy(jobs, 'b', horizon);
    const c = servedBy(jobs, 'c', horizon);
    expect(a + b + c).toBe(200);
    expect(Math.abs(a - c)).toBeLessThanOrEqual(2);
    expect(b / a).toBeGreaterThan(1.9);
    expect(b / a).toBeLessThan(2.1);
  });

  it('is work-conserving: a lone user gets the whole fleet whatever its ranks', () => {
    const arrivals = Array.from({ length: 200 }, () => ({ at: T0, user: 'solo', weight: 0.25 }));
    const jobs = simulate(arrivals, slots, service);
    const end = Math.max(...jobs.map((j) => j.finishedAt as number));
    expect(end).toBe(T0 + (200 / slots) * service);
  });

  it('an idle share goes to whoever waits, and fairness resumes when the other user returns', () => {
    const arrivals = [
      ...Array.from({ length: 200 }, () => ({ at: T0, user: 'a', weight: 1 })),
      ...Array.from({ length: 40 }, (_, i) => ({ at: T0 + 40_000 + i, user: 'b', weight: 1 })),
    ];
    const jobs = simulate(arrivals, slots, service);
    // Before b arrives, a has the whole fleet.
    expect(servedBy(jobs, 'a', T0 + 40_000)).toBe((40_000 / service) * slots);
    // After b arrives, the two alternate while both wait.
    const window = jobs.filter((j) => (j.startedAt as number) >= T0 + 42_000 && (j.startedAt as number) < T0 + 60_000);
    const bShare = window.filter((j) => j.user === 'b').length / window.length;
    expect(bShare).toBeGreaterThan(0.4);
    expect(bShare).toBeLessThan(0.6);
  });
});

describe('systemVirtualTime', () => {
  it('is the head job\'s start tag, never ahead of now nor more than maxLag behind', () => {
    expect(systemVirtualTime(null, T0, aging, 1_000)).toBe(T0);
    expect(systemVirtualTime({ rank: T0 - 500 + aging.high, priority: 'high' }, T0, aging, 1_000)).toBe(T0 - 500);
    expect(systemVirtualTime({ rank: T0 - 5_000 + aging.low, priority: 'low' }, T0, aging, 1_000)).toBe(T0 - 1_000);
    expect(systemVirtualTime({ rank: T0 + 9_000 + aging.normal, priority: 'normal' }, T0, aging, 1_000)).toBe(T0);
  });
});

describe('estimateJobCostMs', () => {
  it('charges a fixed part plus audio length, with a default for unknown lengths', () => {
    expect(estimateJobCostMs(60, fair)).toBe(fair.costMsPerJob + 60 * fair.costMsPerAudioSecond);
    expect(estimateJobCostMs(null, fair)).toBe(fair.costMsPerJob + fair.defaultAudioSeconds * fair.costMsPerAudioSecond);
    expect(estimateJobCostMs(Number.NaN, fair)).toBe(estimateJobCostMs(null, fair));
  });
});

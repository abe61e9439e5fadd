import { describe, expect, it } from 'vitest';
import { adjustBucket, allocate, allocateSlices, bucketFor, bucketRoom, estimateCallTokens, takeFromBucket, type ServerDemand } from './budget.js';
import { seededRandom } from '../ids.js';

const T0 = 1_700_000_000_000;

describe('token estimates', () => {
  it('charges about 32 tokens per audio second plus prompt and transcript', () => {
    expect(estimateCallTokens(60, 32)).toBe(60 * 36 + 40);
    expect(estimateCallTokens(null, 32, 10)).toBe(10 * 36 + 40);
  });
});

describe('rate buckets', () => {
  it('spends up to its burst, then refills at the per-minute rate', () => {
    let b = bucketFor(60, 5, T0); // 1 per second, holds 5
    for (let i = 0; i < 5; i++) {
      const t = takeFromBucket(b, T0, 1);
      expect(t.ok).toBe(true);
      b = t.bucket;
    }
    const refused = takeFromBucket(b, T0, 1);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.waitMs).toBe(1_000);
    expect(takeFromBucket(b, T0 + 1_000, 1).ok).toBe(true);
    expect(bucketRoom(b, T0 + 3_000, 1)).toBe(3);
  });

  it('holds a full bucket back when the last minute already spent the budget, until that minute has room', () => {
    let b = bucketFor(6, 30, T0); // 6 a minute, holds 3
    for (let i = 0; i < 3; i++) b = (takeFromBucket(b, T0, 1) as { bucket: typeof b }).bucket;
    // Refilled to 3 by T0 + 30 s, but 6 in one minute is the budget: 3 more, then wait.
    for (let i = 0; i < 3; i++) {
      const t = takeFromBucket(b, T0 + 30_000, 1);
      expect(t.ok).toBe(true);
      b = t.bucket;
    }
    const refill = takeFromBucket(b, T0 + 59_000, 1);
    expect(refill).toMatchObject({ ok: false });
    expect(!refill.ok && refill.waitMs).toBe(1_001);
    expect(bucketRoom(b, T0 + 59_000, 1)).toBe(0);
    expect(takeFromBucket(b, T0 + 60_001, 1).ok).toBe(true);
  });

  it('uses the whole budget: a steady demand above it gets the full rate', () => {
    let b = bucketFor(30, 5, T0);
    let granted = 0;
    for (let now = T0; now < T0 + 600_000; now += 250) {
      const t = takeFromBucket(b, now, 1);
      b = t.bucket;
      if (t.ok) granted += 1;
    }
    // 10 minutes at 30 a minute, plus the first burst.
    expect(granted).toBeGreaterThanOrEqual(300);
    expect(granted).toBeLessThanOrEqual(302);
  });

  it('never lets more than the budget through in any 60 s window (quotas are sliding minutes)', () => {
    const random = seededRandom(9);
    for (const [perMinute, burst] of [[60, 5], [600, 10], [5_000, 2], [30, 30]] as const) {
      let b = bucketFor(perMinute, burst, T0);
      const spent: { at: number; cost: number }[] = [];
      let now = T0;
      for (let i = 0; i < 5_000; i++) {
        now += Math.floor(random() * (60_000 / perMinute) * 2);
        const cost = 1 + Math.floor(random() * 3);
        const t = takeFromBucket(b, now, cost);
        b = t.bucket;
        if (t.ok) spent.push({ at: now, cost });
        // The real cost is known later, sometimes below the estimate. (A cost above it was
        // spent before it is learned: it counts in the log from then on, and this bound holds
        // only as far as the estimate does.)
        if (t.ok && random() < 0.3) b = adjustBucket(b, now, -1);
      }
      let start = 0;
      let inWindow = 0;
      for (const s of spent) {
        inWindow += s.cost;
        while (spent[start]!.at <= s.at - 60_000) inWindow -= spent[start++]!.cost;
        expect(inWindow).toBeLessThanOrEqual(perMinute + 1e-9);
      }
    }
  });

  it('lets an oversized call through from a full bucket (debt), and corrects to the real cost', () => {
    let b = bucketFor(600, 5, T0); // holds 50 tokens
    const big = takeFromBucket(b, T0, 500);
    expect(big.ok).toBe(true);
    b = big.bucket;
    expect(b.level).toBe(-450);
    expect(takeFromBucket(b, T0 + 1_000, 10).ok).toBe(false);
    b = adjustBucket(b, T0 + 1_000, -400); // it cost 400 less than estimated
    expect(b.level).toBeCloseTo(-40, 5);
  });

  it('is unlimited at 0 per minute and keeps its level across slice changes', () => {
    const free = bucketFor(0, 5, T0);
    expect(takeFromBucket(free, T0, 1e9).ok).toBe(true);
    expect(bucketRoom(free, T0, 1)).toBe(Infinity);
    const b = takeFromBucket(bucketFor(60, 5, T0), T0, 5).bucket;
    expect(bucketFor(120, 5, T0, b).level).toBeCloseTo(0, 5);
  });
});

describe('allocate', () => {
  it('is max-min fair on demand and never exceeds the total', () => {
    const out = allocate(10, [
      { id: 'a', demand: 2, cap: 100 },
      { id: 'b', demand: 20, cap: 100 },
      { id: 'c', demand: 20, cap: 100 },
    ], true);
    expect(out).toEqual({ a: 2, b: 4, c: 4 });
  });

  it('is work-conserving: leftover goes to whoever can still take it', () => {
    const out = allocate(12, [
      { id: 'a', demand: 1, cap: 4 },
      { id: 'b', demand: 1, cap: 100 },
    ], true);
    expect(out.a).toBe(4);
    expect(out.b).toBe(8);
  });

  it('respects caps and rounds fairly with rotation', () => {
    const entries = ['a', 'b', 'c'].map((id) => ({ id, demand: 10, cap: 10 }));
    expect(Object.values(allocate(4, entries, true, 0)).sort()).toEqual([1, 1, 2]);
    const firsts = new Set([0, 1, 2].map((r) => Object.entries(allocate(4, entries, true, r)).find(([, v]) => v === 2)?.[0]));
    expect(firsts.size).toBe(3);
    expect(allocate(100, entries, true)).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('holds its invariants on random inputs', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(random() * 8);
      const entries = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, demand: Math.floor(random() * 20), cap: 1 + Math.floor(random() * 16) }));
      const total = Math.floor(random() * 80);
      const out = allocate(total, entries, true, trial);
      const sum = Object.values(out).reduce((a, b) => a + b, 0);
      const capSum = entries.reduce((a, e) => a + e.cap, 0);
      expect(sum).toBeLessThanOrEqual(total);
      expect(sum).toBe(Math.min(total, capSum)); // work-conserving
      for (const e of entries) {
        expect(out[e.id]).toBeLessThanOrEqual(e.cap);
        // nobody with unmet demand gets less than anyone else's share minus rounding
        const need = Math.min(e.demand, e.cap);
        if ((out[e.id] as number) < need) {
          for (const other of entries) expect(Math.min(out[other.id] as number, Math.min(other.demand, other.cap))).toBeLessThanOrEqual((out[e.id] as number) + 1);
        }
      }
    }
  });
});

describe('allocateSlices', () => {
  const server = (id: string, over: Partial<ServerDemand> = {}): ServerDemand => ({
    serverId: id,
    inFlight: 0,
    concurrencyLimit: 4,
    maxConcurrency: 8,
    requestsLastMinute: 0,
    tokensLastMinute: 0,
    slice: null,
    ...over,
  });

  it('gives saturated servers more concurrency and splits the request budget by use', () => {
    const out = allocateSlices(
      [
        server('busy', { inFlight: 4, concurrencyLimit: 4, requestsLastMinute: 95, slice: { requestsPerMinute: 100, tokensPerMinute: 0, concurrency: 4 } }),
        server('idle', { inFlight: 0, concurrencyLimit: 4, requestsLastMinute: 5, slice: { requestsPerMinute: 100, tokensPerMinute: 0, concurrency: 4 } }),
      ],
      { concurrency: 10, requestsPerMinute: 200, tokensPerMinute: 0 },
    );
    expect(out.concurrency.busy).toBe(8);
    expect(out.concurrency.idle).toBe(2);
    expect((out.requestsPerMinute.busy as number) + (out.requestsPerMinute.idle as number)).toBeCloseTo(200, 5);
    expect(out.requestsPerMinute.busy).toBeGreaterThan(140);
    expect(out.tokensPerMinute).toEqual({ busy: 0, idle: 0 });
  });

  it('splits evenly between servers it knows nothing about yet', () => {
    const out = allocateSlices([server('a'), server('b')], { concurrency: 6, requestsPerMinute: 60, tokensPerMinute: 6_000 }, 0);
    expect(out.concurrency).toEqual({ a: 3, b: 3 });
    expect(out.requestsPerMinute).toEqual({ a: 30, b: 30 });
    expect(out.tokensPerMinute).toEqual({ a: 3_000, b: 3_000 });
  });
});

describe('stable allocation', () => {
  const idle = (id: string, slice: ServerDemand['slice'] = null): ServerDemand => ({
    serverId: id,
    inFlight: 0,
    concurrencyLimit: 4,
    maxConcurrency: 8,
    requestsLastMinute: 0,
    tokensLastMinute: 0,
    slice,
  });

  it('gives the same split to the same demand, tick after tick (nothing for the leader to rewrite)', () => {
    const budget = { concurrency: 8, requestsPerMinute: 100, tokensPerMinute: 0 };
    let servers = ['a', 'b', 'c'].map((id) => idle(id));
    const first = allocateSlices(servers, budget);
    expect(Object.values(first.concurrency).reduce((x, y) => x + y, 0)).toBe(8);
    for (let tick = 0; tick < 10; tick++) {
      servers = servers.map((s) => ({
        ...s,
        slice: { concurrency: first.concurrency[s.serverId]!, requestsPerMinute: first.requestsPerMinute[s.serverId]!, tokensPerMinute: 0 },
      }));
      const next = allocateSlices(servers, budget);
      expect(next.concurrency).toEqual(first.concurrency);
    }
  });

  it('keeps integer remainders with the entries that held them on equal fractions', () => {
    const entries = ['a', 'b', 'c'].map((id) => ({ id, demand: 10, cap: 10 }));
    // 8 over 3: 2 each, two remainders; whoever held them keeps them, whatever the rotation.
    for (let rotate = 0; rotate < 3; rotate++) {
      expect(allocate(8, entries, true, rotate, { a: 2, b: 3, c: 3 })).toEqual({ a: 2, b: 3, c: 3 });
      expect(allocate(8, entries, true, rotate, { a: 3, b: 2, c: 3 })).toEqual({ a: 3, b: 2, c: 3 });
    }
    // A larger fraction still wins over a held remainder.
    expect(allocate(3, [{ id: 'a', demand: 1.5, cap: 10 }, { id: 'b', demand: 1.2, cap: 10 }, { id: 'c', demand: 0.3, cap: 10 }], true, 0, { c: 1 })).toMatchObject({ a: 2 });
  });
});

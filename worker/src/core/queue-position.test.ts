import { describe, expect, it } from 'vitest';
import {
  drainPerMs,
  estimateWaitMs,
  headPositionUpdates,
  pausedFromStats,
  positionBucket,
  positionWriteReason,
  refinePosition,
  shownWaitMs,
  type HeadJob,
} from './queue-position.js';

const now = 1_700_000_000_000;

describe('positionBucket', () => {
  it('floors positions to 0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, ...', () => {
    const cases: [number, number][] = [
      [0, 0], [1, 1], [2, 2], [3, 3], [4, 3], [5, 5], [9, 5], [10, 10], [19, 10], [20, 20], [49, 20], [50, 50],
      [99, 50], [100, 100], [199, 100], [200, 200], [499, 200], [500, 500], [999, 500], [1_000, 1_000], [12_345, 10_000], [70_000, 50_000],
    ];
    for (const [ahead, floor] of cases) expect(positionBucket(ahead), `bucket(${ahead})`).toBe(floor);
  });

  it('a job moving from n to the head crosses O(log n) bucket boundaries', () => {
    for (const n of [10, 100, 1_000, 10_000, 100_000]) {
      let crossings = 0;
      for (let p = n; p > 0; p--) if (positionBucket(p) !== positionBucket(p - 1)) crossings += 1;
      // 0-3 one by one, then three boundaries per decade.
      expect(crossings).toBe(4 + 3 * Math.log10(n) - 2);
      expect(crossings).toBeLessThanOrEqual(2 * Math.log2(n) + 1);
    }
  });
});

describe('ETA', () => {
  it('uses the observed completion rate, else a prior on the fleet concurrency', () => {
    expect(drainPerMs({ throughputPerMin: 120, fleetConcurrency: 8, avgServiceMs: 4_000 }, 4)).toBeCloseTo(2 / 1_000);
    expect(drainPerMs({ throughputPerMin: 0, fleetConcurrency: 8, avgServiceMs: null }, 4)).toBeCloseTo(8 / 5_000);
    expect(drainPerMs(null, 4)).toBeCloseTo(4 / 5_000);
    // Next in line waits for one completion; ten ahead for eleven.
    expect(estimateWaitMs(0, 2 / 1_000)).toBe(500);
    expect(estimateWaitMs(10, 2 / 1_000)).toBe(5_500);
  });

  it('a stored estimate counts down from its time', () => {
    expect(shownWaitMs({ position: 4, estimatedWaitMs: 60_000, positionAt: now }, now + 15_000)).toBe(45_000);
    expect(shownWaitMs({ position: 4, estimatedWaitMs: 60_000, positionAt: now }, now + 90_000)).toBe(0);
    expect(shownWaitMs({ position: 4, estimatedWaitMs: null, positionAt: now }, now)).toBeNull();
  });
});

describe('positionWriteReason', () => {
  const stored = { position: 40, estimatedWaitMs: 100_000, positionAt: now };

  it('writes a job without a position, and on every bucket crossing (either way)', () => {
    expect(positionWriteReason({ position: null, estimatedWaitMs: null, positionAt: null }, { position: 7, estimatedWaitMs: 1 }, now)).toBe('new');
    expect(positionWriteReason(stored, { position: 21, estimatedWaitMs: 100_000 }, now)).toBeNull();
    expect(positionWriteReason(stored, { position: 19, estimatedWaitMs: 100_000 }, now)).toBe('bucket');
    expect(positionWriteReason(stored, { position: 50, estimatedWaitMs: 100_000 }, now)).toBe('bucket');
  });

  it('writes the ETA only when what the client shows (counted down) is more than 20% and 5 s off', () => {
    // 30 s later the client shows 70 s: an estimate of 60-84 s is close enough.
    expect(positionWriteReason(stored, { position: 30, estimatedWaitMs: 60_000 }, now + 30_000)).toBeNull();
    expect(positionWriteReason(stored, { position: 30, estimatedWaitMs: 84_000 }, now + 30_000)).toBeNull();
    expect(positionWriteReason(stored, { position: 30, estimatedWaitMs: 90_000 }, now + 30_000)).toBe('eta');
    expect(positionWriteReason(stored, { position: 30, estimatedWaitMs: 50_000 }, now + 30_000)).toBe('eta');
    // Near the head 20% is a second or two: not worth a write.
    const near = { position: 2, estimatedWaitMs: 6_000, positionAt: now };
    expect(positionWriteReason(near, { position: 2, estimatedWaitMs: 9_000 }, now)).toBeNull();
    // Paused (no ETA) and resumed both count.
    expect(positionWriteReason(stored, { position: 30, estimatedWaitMs: null }, now)).toBe('eta');
    expect(positionWriteReason({ ...stored, estimatedWaitMs: null }, { position: 30, estimatedWaitMs: 5_000 }, now)).toBe('eta');
  });
});

describe('headPositionUpdates', () => {
  const head = (ids: [string, HeadJob['priority'], number | null][]): HeadJob[] =>
    ids.map(([id, priority, position]) => ({ id, priority, position, estimatedWaitMs: position === null ? null : (position + 1) * 1_000, positionAt: now }));

  it('counts claimable jobs ahead and writes only the jobs whose bucket changed', () => {
    const updates = headPositionUpdates(head([['a', 'normal', 1], ['b', 'normal', 2], ['c', 'low', 9], ['d', 'low', null]]), {
      paused: [],
      perMs: 1 / 1_000,
      now,
    });
    expect(updates).toEqual([
      { id: 'a', position: 0, estimatedWaitMs: 1_000, reason: 'bucket' },
      { id: 'b', position: 1, estimatedWaitMs: 2_000, reason: 'bucket' },
      { id: 'c', position: 2, estimatedWaitMs: 3_000, reason: 'bucket' },
      { id: 'd', position: 3, estimatedWaitMs: 4_000, reason: 'new' },
    ]);
    expect(headPositionUpdates(head([['a', 'normal', 0], ['b', 'normal', 1]]), { paused: [], perMs: 1 / 1_000, now })).toEqual([]);
  });

  it('paused priorities hold nobody back and get no ETA', () => {
    const updates = headPositionUpdates(head([['p', 'low', null], ['q', 'high', null], ['r', 'low', null], ['s', 'high', null]]), {
      paused: ['low'],
      perMs: 1 / 1_000,
      now,
    });
    expect(updates.map((u) => [u.id, u.position, u.estimatedWaitMs])).toEqual([
      ['p', 0, null],
      ['q', 0, 1_000],
      ['r', 1, null],
      ['s', 1, 2_000],
    ]);
    expect(pausedFromStats({ paused: true, pausedPriorities: [] })).toEqual(['urgent', 'high', 'normal', 'low']);
    expect(pausedFromStats({ paused: false, pausedPriorities: ['low', 'high'] })).toEqual(['high', 'low']);
  });
});

describe('refinePosition (clients, between writes)', () => {
  it('counts down at the completion rate, never below the stored bucket floor', () => {
    const mark = { position: 45, estimatedWaitMs: 45_000, positionAt: now };
    const at = (ms: number) => refinePosition(mark, { now: now + ms, throughputPerMin: 60, positionWindow: 100 });
    expect(at(0)).toEqual({ position: 45, estimatedWaitMs: 45_000 });
    expect(at(10_000)).toEqual({ position: 35, estimatedWaitMs: 35_000 });
    // Below 20 the leader would have written: the client stops at the floor and waits for it.
    expect(at(40_000)).toEqual({ position: 20, estimatedWaitMs: 5_000 });
  });

  it('a job beyond the leader window counts down to the window, where it gets its first write', () => {
    const deep = { position: 3_000, estimatedWaitMs: 3_000_000, positionAt: now };
    expect(refinePosition(deep, { now: now + 600_000, throughputPerMin: 60, positionWindow: 100 }).position).toBe(2_400);
    expect(refinePosition(deep, { now: now + 3_600_000, throughputPerMin: 60, positionWindow: 100 }).position).toBe(100);
    expect(refinePosition({ position: null, estimatedWaitMs: null, positionAt: null }, { now, throughputPerMin: 60, positionWindow: 100 })).toEqual({
      position: null,
      estimatedWaitMs: null,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { foundLevel, splitAtFoundLevel, stableSplit, unacknowledgedCuts } from './found-capacity.js';

const previous = { a: { concurrency: 3, cuts: 2 }, b: { concurrency: 3, cuts: 0 }, c: { concurrency: 2 } };

describe('where the servers found the edge', () => {
  it('takes the cuts the last allocation did not echo, at what each server had taken', () => {
    const cuts = unacknowledgedCuts(
      [
        { serverId: 'a', cuts: 2, limit: 1 }, // echoed already: old news
        { serverId: 'b', cuts: 1, limit: 1 },
        { serverId: 'c', cuts: 1, limit: 0 },
        { serverId: 'd', cuts: 4, limit: 2 }, // no slice yet: nothing to compare with
        { serverId: 'e', cuts: undefined, limit: 1 }, // an older worker reports no cuts
      ],
      previous,
    );
    expect(cuts).toEqual({ b: 1, c: 0 });
    // A report above the server's slice cannot raise it.
    expect(unacknowledgedCuts([{ serverId: 'b', cuts: 1, limit: 7 }], previous)).toEqual({ b: 3 });
  });

  it('sums the cut servers where they stopped and every other server at its slice', () => {
    expect(foundLevel(['a', 'b', 'c'], previous, { b: 1, c: 0 })).toBe(3 + 1 + 0);
    expect(foundLevel(['a', 'b', 'c', 'new'], previous, {})).toBe(8);
  });

  it('splits so that no slice rises while another falls, trimming the largest uncut slices first', () => {
    expect(splitAtFoundLevel(['a', 'b', 'c'], previous, { b: 1, c: 0 }, 4)).toEqual({ a: 3, b: 1, c: 0 });
    // Over the total (the limiter also steps at least one down): the largest uncut slice gives.
    expect(splitAtFoundLevel(['a', 'b', 'c'], previous, { c: 1 }, 6)).toEqual({ a: 2, b: 3, c: 1 });
    expect(splitAtFoundLevel(['a', 'b', 'c'], previous, { b: 3 }, 5)).toEqual({ a: 1, b: 2, c: 2 });
    for (const total of [0, 1, 2, 3, 7]) {
      const split = splitAtFoundLevel(['a', 'b', 'c'], previous, { b: 2 }, total);
      expect(Object.values(split).reduce((x, y) => x + y, 0)).toBe(Math.min(total, 7));
      for (const id of ['a', 'b', 'c'] as const) expect(split[id]).toBeLessThanOrEqual(id === 'b' ? 2 : previous[id].concurrency);
    }
  });
});

describe('splitting a changed limit without moving units in use', () => {
  const prev = { a: { concurrency: 2 }, b: { concurrency: 2 }, c: { concurrency: 1 } };
  const busy = (serverId: string) => ({ serverId, wants: 8 });

  it('a raise adds to the smallest slice of a server that wants more; nobody loses a unit', () => {
    expect(stableSplit([busy('a'), busy('b'), busy('c')], prev, 6)).toEqual({ a: 2, b: 2, c: 2 });
    expect(stableSplit([busy('a'), busy('b'), busy('c')], prev, 7)).toEqual({ a: 3, b: 2, c: 2 });
    // A server that wants no more gets none while another wants it.
    expect(stableSplit([busy('a'), busy('b'), { serverId: 'c', wants: 1 }], prev, 6)).toEqual({ a: 3, b: 2, c: 1 });
  });

  it('the same limit keeps the same split however stale the reports (a demand split moved units each heartbeat)', () => {
    expect(stableSplit([busy('a'), { serverId: 'b', wants: 3 }, busy('c')], prev, 5)).toEqual({ a: 2, b: 2, c: 1 });
  });

  it('a fall and a server short of units take first what a server does not want', () => {
    expect(stableSplit([busy('a'), { serverId: 'b', wants: 1 }, busy('c')], prev, 4)).toEqual({ a: 2, b: 1, c: 1 });
    expect(stableSplit([busy('a'), { serverId: 'b', wants: 0 }, busy('c')], prev, 5)).toEqual({ a: 3, b: 0, c: 2 });
    // Nobody spare: the largest slice gives.
    expect(stableSplit([busy('a'), busy('b'), busy('c')], prev, 3)).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('a newcomer while the limit stands still gets one unit an allocation from the largest slice until the split is even', () => {
    // 3 + 2 and a newcomer: one move makes it 2 + 2 + 1, and there it stays.
    let slices: Record<string, number> = { a: 3, b: 2 };
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      slices = stableSplit([busy('a'), busy('b'), busy('c')], Object.fromEntries(Object.entries(slices).map(([k, v]) => [k, { concurrency: v }])), 5);
      seen.push(`${slices.a}${slices.b}${slices.c}`);
    }
    expect(seen).toEqual(['221', '221', '221', '221']);
  });
});


import { describe, expect, it } from 'vitest';
import { JOB_SHARDS, polledShards, rendezvousDelayMs, rendezvousRank } from './rendezvous.js';

describe('rendezvous', () => {
  const members = ['w1', 'w2', 'w3', 'w4', 'w5'];

  it('gives every job one first server and a full order that all members agree on', () => {
    const firsts = new Map<string, number>();
    for (let j = 0; j < 500; j++) {
      const job = `job-${j}`;
      const ranks = members.map((m) => rendezvousRank(m, members, job));
      expect([...ranks].sort()).toEqual([0, 1, 2, 3, 4]);
      const first = members[ranks.indexOf(0)]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    // Spread: each of 5 servers goes first for roughly a fifth of the jobs.
    for (const m of members) expect(firsts.get(m) ?? 0).toBeGreaterThan(60);
  });

  it('keeps the order of the others when a member leaves (only its jobs move)', () => {
    const without = members.filter((m) => m !== 'w3');
    for (let j = 0; j < 200; j++) {
      const job = `job-${j}`;
      for (const m of without) {
        const before = rendezvousRank(m, members, job)!;
        const after = rendezvousRank(m, without, job)!;
        const w3Before = rendezvousRank('w3', members, job)!;
        expect(after).toBe(before > w3Before ? before - 1 : before);
      }
    }
  });

  it('has no turn for a server outside the members, and agrees with the unranked delay on order', () => {
    expect(rendezvousRank('w9', members, 'job')).toBeNull();
    const byDelay = [...members].sort((a, b) => rendezvousDelayMs(a, 'job-7', 100) - rendezvousDelayMs(b, 'job-7', 100));
    expect(byDelay.map((m) => rendezvousRank(m, members, 'job-7'))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('polledShards', () => {
  const fleet = (n: number) => Array.from({ length: n }, (_, i) => `w${String(i).padStart(2, '0')}`);

  it.each([1, 2, 3, 5, 8, 12, 16])('splits the shards over %i members without overlap or gap', (n) => {
    const members = fleet(n);
    const all = members.flatMap((m) => polledShards(m, members)).sort((a, b) => a - b);
    expect(all).toEqual([...Array(JOB_SHARDS).keys()]);
  });

  it('gives every member of a larger fleet one shard and every shard at most ceil(n / JOB_SHARDS) pollers', () => {
    const members = fleet(20);
    const per = new Map<number, number>();
    for (const m of members) {
      const shards = polledShards(m, members);
      expect(shards).toHaveLength(1);
      per.set(shards[0]!, (per.get(shards[0]!) ?? 0) + 1);
    }
    expect(per.size).toBe(JOB_SHARDS);
    expect(Math.max(...per.values())).toBe(2);
  });

  it('is the same whatever order the members are listed in, and empty for a non-member', () => {
    const members = fleet(5);
    expect(polledShards('w03', [...members].reverse())).toEqual(polledShards('w03', members));
    expect(polledShards('stranger', members)).toEqual([]);
  });
});

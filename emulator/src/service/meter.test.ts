import { describe, expect, it } from 'vitest';
import { Meter, chargesByCollection, collectionIdOf } from './meter.js';

const conn = (id: string) => ({ id });

describe('Meter breakdown', () => {
  it('names the collection of document and collection paths', () => {
    expect(collectionIdOf('jobs/j1')).toBe('jobs');
    expect(collectionIdOf('jobs/j1/chunks/c0')).toBe('chunks');
    expect(collectionIdOf('jobs/j1/chunks')).toBe('chunks');
    expect(collectionIdOf('')).toBe('(none)');
  });

  it('splits a charge by collection and puts a minimum charge on the fallback', () => {
    expect(chargesByCollection('reads', ['a/1', 'b/2', 'a/3'], 3, 'x')).toEqual([
      ['a', { reads: 2 }],
      ['b', { reads: 1 }],
    ]);
    expect(chargesByCollection('reads', [], 1, 'jobs')).toEqual([['jobs', { reads: 1 }]]);
    expect(chargesByCollection('reads', [], 1, '')).toEqual([['(none)', { reads: 1 }]]);
  });

  it('counts by call and by collection, per project and per connection, next to the totals', () => {
    const meter = new Meter(() => new Date('2026-01-01T00:00:00Z'));
    meter.record('p', '(default)', conn('c1'), { reads: 3 }, { call: 'query', collections: [['jobs', { reads: 3 }]] });
    meter.record('p', '(default)', conn('c1'), { writes: 2, deletes: 1 }, {
      call: 'commit',
      collections: [
        ['jobs', { writes: 1, deletes: 1 }],
        ['chunks', { writes: 1 }],
      ],
    });
    meter.record('p', 'other', conn('c2'), { reads: 2 }, { call: 'listen', collections: chargesByCollection('reads', ['jobs/a', 'jobs/b'], 2, 'jobs') });
    // No detail: totals only (callers outside the service).
    meter.record('p', '(default)', conn('c2'), { reads: 1 });
    // Nothing billed: nothing recorded.
    meter.record('p', '(default)', conn('c3'), {}, { call: 'get', collections: [] });

    const m = meter.snapshot('p');
    expect(m).toMatchObject({ reads: 6, writes: 2, deletes: 1 });
    expect(m.databases).toEqual({ '(default)': { reads: 4, writes: 2, deletes: 1 }, other: { reads: 2, writes: 0, deletes: 0 } });
    expect(m.byCall).toEqual({
      query: { reads: 3, writes: 0, deletes: 0 },
      commit: { reads: 0, writes: 2, deletes: 1 },
      listen: { reads: 2, writes: 0, deletes: 0 },
    });
    expect(m.byCollection).toEqual({
      jobs: { reads: 5, writes: 1, deletes: 1 },
      chunks: { reads: 0, writes: 1, deletes: 0 },
    });
    expect(m.connections.map((c) => c.id)).toEqual(['c1', 'c2']);
    const c1 = m.connections.find((c) => c.id === 'c1')!;
    expect(c1.byCall).toEqual({ query: { reads: 3, writes: 0, deletes: 0 }, commit: { reads: 0, writes: 2, deletes: 1 } });
    expect(c1.byCollection).toEqual({ jobs: { reads: 3, writes: 1, deletes: 1 }, chunks: { reads: 0, writes: 1, deletes: 0 } });
    const c2 = m.connections.find((c) => c.id === 'c2')!;
    expect(c2).toMatchObject({ reads: 3, byCall: { listen: { reads: 2 } }, byCollection: { jobs: { reads: 2 } } });

    // The snapshot is a copy.
    m.byCall.query!.reads = 99;
    expect(meter.snapshot('p').byCall.query!.reads).toBe(3);
    meter.reset('p');
    expect(meter.snapshot('p')).toMatchObject({ reads: 0, byCall: {}, byCollection: {}, connections: [] });
  });
});

import { describe, expect, it } from 'vitest';
import type { StoredDocument, Value } from '../model/index.js';
import { collectionOf } from '../model/index.js';
import { Store } from '../store/index.js';
import type { Database } from '../store/index.js';
import { INDEX_THRESHOLD, runQuery } from './evaluate.js';
import { parseStructuredQuery } from './parse.js';

const ROOT = 'projects/p/databases/(default)/documents';

function seed(db: Database, docs: Record<string, Record<string, Value>>): void {
  let t = 1000n;
  for (const [path, fields] of Object.entries(docs)) {
    t += 1000n;
    const doc: StoredDocument = { path, fields, createTime: t, updateTime: t };
    db.applyChanges(t, [{ path, collectionPath: collectionOf(path), before: null, after: doc }]);
  }
}

const int = (n: number): Value => ({ integerValue: String(n) });
const str = (s: string): Value => ({ stringValue: s });
const field = (fieldPath: string) => ({ fieldPath });
const eq = (f: string, value: Value) => ({ fieldFilter: { field: field(f), op: 'EQUAL', value } });

function run(db: Database, structuredQuery: Record<string, unknown>, parent = ''): string[] {
  return runQuery(db, parseStructuredQuery(structuredQuery, parent)).docs.map((d) => d.path);
}

/** A small deterministic PRNG so the equivalence test is reproducible. */
function rng(seedValue: number): () => number {
  let s = seedValue;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('query evaluation', () => {
  const store = new Store();
  const db = store.database({ projectId: 'p', databaseId: '(default)' });
  seed(db, {
    'c/a': { n: int(3), s: str('x'), arr: { arrayValue: { values: [int(1), int(2)] } } },
    'c/b': { n: int(1), s: str('y') },
    'c/c': { n: { doubleValue: 2.5 }, s: str('x') },
    'c/d': { s: { nullValue: null } },
    'c/e': { n: { doubleValue: 'NaN' } },
    'c/a/sub/z': { n: int(0) },
    'other/q': { n: int(1) },
  });

  it('orders by name by default and excludes other collections', () => {
    expect(run(db, { from: [{ collectionId: 'c' }] })).toEqual(['c/a', 'c/b', 'c/c', 'c/d', 'c/e']);
  });

  it('excludes documents missing an ordered field; NaN sorts first among numbers', () => {
    expect(run(db, { from: [{ collectionId: 'c' }], orderBy: [{ field: field('n') }] })).toEqual(['c/e', 'c/b', 'c/c', 'c/a']);
  });

  it('applies cursors against the full order (explicit + __name__)', () => {
    const q = { from: [{ collectionId: 'c' }], orderBy: [{ field: field('s') }] };
    expect(run(db, { ...q, startAt: { values: [str('x')], before: false } })).toEqual(['c/b']);
    expect(run(db, { ...q, startAt: { values: [str('x'), { referenceValue: `${ROOT}/c/a` }], before: false } })).toEqual(['c/c', 'c/b']);
    expect(run(db, { ...q, endAt: { values: [str('x')], before: true } })).toEqual(['c/d']);
  });

  it('matches array-contains and in with numeric equality', () => {
    expect(run(db, { from: [{ collectionId: 'c' }], where: { fieldFilter: { field: field('arr'), op: 'ARRAY_CONTAINS', value: { doubleValue: 2 } } } })).toEqual(['c/a']);
    expect(run(db, { from: [{ collectionId: 'c' }], where: { fieldFilter: { field: field('n'), op: 'IN', value: { arrayValue: { values: [int(1), { doubleValue: 3 }] } } } } })).toEqual(['c/a', 'c/b']);
  });

  it('runs collection group and kindless all-descendants queries', () => {
    expect(run(db, { from: [{ collectionId: 'sub', allDescendants: true }] })).toEqual(['c/a/sub/z']);
    expect(run(db, { from: [{ allDescendants: true }] }, 'c/a')).toEqual(['c/a/sub/z']);
  });

  it('rejects invalid queries', () => {
    expect(() => parseStructuredQuery({ from: [] }, '')).toThrow(/exactly one collection/);
    expect(() => parseStructuredQuery({ from: [{ collectionId: 'c' }], startAt: { values: [int(1), int(2)] } }, '')).toThrow(/Too many cursor values/);
    expect(() => parseStructuredQuery({ from: [{ collectionId: 'c' }], where: { fieldFilter: { field: field('a'), op: 'NOT_IN', value: { arrayValue: { values: [] } } } } }, '')).toThrow(/non-empty array/);
  });

  it('keeps indexes in step with later writes: unchanged keys, moved keys, deletes, timestamps', () => {
    const big = new Store().database({ projectId: 'p', databaseId: '(default)' });
    const random = rng(7);
    const statuses = ['queued', 'running', 'done'];
    const at = (s: number): Value => ({ timestampValue: new Date(1_700_000_000_000 + s * 1000).toISOString().replace('.000Z', `.${String(s % 1000).padStart(3, '0')}Z`) });
    const current = new Map<string, StoredDocument>();
    let t = 1000n;
    const write = (path: string, fields: Record<string, Value> | null): void => {
      t += 1000n;
      const before = current.get(path) ?? null;
      const after: StoredDocument | null = fields ? { path, fields, createTime: before?.createTime ?? t, updateTime: t } : null;
      big.applyChanges(t, [{ path, collectionPath: collectionOf(path), before, after }]);
      if (after) current.set(path, after);
      else current.delete(path);
    };
    for (let i = 0; i < INDEX_THRESHOLD * 2; i++) {
      write(`jobs/j${String(i).padStart(4, '0')}`, { status: str(statuses[i % 3]!), due: at(Math.floor(random() * 100)), beat: int(0) });
    }
    const query = (status: string) => ({ from: [{ collectionId: 'jobs' }], where: eq('status', str(status)), orderBy: [{ field: field('due'), direction: 'ASCENDING' }] });
    // Builds the indexes, then writes through them.
    for (const status of statuses) expect(runQuery(big, parseStructuredQuery(query(status), '')).stats.plan).toContain('status ASC');
    for (let n = 0; n < 600; n++) {
      const path = `jobs/j${String(Math.floor(random() * INDEX_THRESHOLD * 2)).padStart(4, '0')}`;
      const doc = current.get(path);
      const r = random();
      if (!doc) write(path, { status: str('queued'), due: at(Math.floor(random() * 100)), beat: int(0) });
      else if (r < 0.5) write(path, { ...doc.fields, beat: int(n) }); // indexed fields unchanged
      else if (r < 0.7) write(path, { ...doc.fields, due: at(Math.floor(random() * 100)) });
      else if (r < 0.85) write(path, { ...doc.fields, status: str(statuses[Math.floor(random() * 3)]!) });
      else if (r < 0.95) write(path, null);
      else write(path, { status: doc.fields.status! }); // leaves the due index
    }
    for (const status of statuses) {
      const indexed = runQuery(big, parseStructuredQuery(query(status), ''));
      expect(indexed.stats.plan).toContain('status ASC');
      const viaScan = runQuery(big, parseStructuredQuery(query(status), ''), { readTime: 10n ** 30n });
      expect(indexed.docs.map((d) => d.path)).toEqual(viaScan.docs.map((d) => d.path));
      expect(indexed.docs.map((d) => d.updateTime)).toEqual(viaScan.docs.map((d) => d.updateTime));
    }
  });

  it('answers indexed queries exactly like a full scan (large collection)', () => {
    const big = new Store().database({ projectId: 'p', databaseId: '(default)' });
    const random = rng(42);
    const docs: Record<string, Record<string, Value>> = {};
    const statuses = ['queued', 'running', 'done'];
    for (let i = 0; i < INDEX_THRESHOLD * 4; i++) {
      const fields: Record<string, Value> = { status: str(statuses[Math.floor(random() * 3)]!), rank: int(Math.floor(random() * 50)) };
      if (random() < 0.1) delete fields.rank;
      if (random() < 0.2) fields.rank = { doubleValue: Math.floor(random() * 50) + 0.5 };
      docs[`jobs/j${String(i).padStart(4, '0')}`] = fields;
    }
    seed(big, docs);
    const all = Object.entries(docs).map(([path, fields]) => ({ path, fields }));
    for (const status of statuses) {
      for (const desc of [false, true]) {
        const q = {
          from: [{ collectionId: 'jobs' }],
          where: eq('status', str(status)),
          orderBy: [{ field: field('rank'), direction: desc ? 'DESCENDING' : 'ASCENDING' }],
          limit: 20,
        };
        const indexed = runQuery(big, parseStructuredQuery(q, ''));
        expect(indexed.stats.plan).toContain('status ASC');
        // Reference answer: filter, sort by (rank, name) in the requested direction, slice.
        const num = (v: Value | undefined): number => (v && 'integerValue' in v ? Number(v.integerValue) : v && 'doubleValue' in v ? Number(v.doubleValue) : NaN);
        const expected = all
          .filter((d) => (d.fields.status as { stringValue: string }).stringValue === status && d.fields.rank !== undefined)
          .sort((a, b) => (num(a.fields.rank) - num(b.fields.rank) || (a.path < b.path ? -1 : 1)) * (desc ? -1 : 1))
          .slice(0, 20)
          .map((d) => d.path);
        expect(indexed.docs.map((d) => d.path)).toEqual(expected);
        expect(indexed.stats.documentsScanned).toBeLessThanOrEqual(20);
        // Cursor + offset through the index agree with the scan path (point-in-time read = scan).
        const withCursor = { ...q, startAt: { values: [int(25)], before: true }, offset: 3 };
        const viaIndex = runQuery(big, parseStructuredQuery(withCursor, '')).docs.map((d) => d.path);
        const viaScan = runQuery(big, parseStructuredQuery(withCursor, ''), { readTime: 10n ** 30n }).docs.map((d) => d.path);
        expect(viaIndex).toEqual(viaScan);
      }
      // Equalities ordered by name only (a count of queued jobs) read the matching range.
      for (const desc of [false, true]) {
        const q = { from: [{ collectionId: 'jobs' }], where: eq('status', str(status)), orderBy: [{ field: field('__name__'), direction: desc ? 'DESCENDING' : 'ASCENDING' }] };
        const indexed = runQuery(big, parseStructuredQuery(q, ''));
        const viaScan = runQuery(big, parseStructuredQuery(q, ''), { readTime: 10n ** 30n });
        expect(indexed.docs.map((d) => d.path)).toEqual(viaScan.docs.map((d) => d.path));
        expect(indexed.stats.plan).toContain('status ASC');
        expect(indexed.stats.documentsScanned).toBe(indexed.docs.length);
        const limited = runQuery(big, parseStructuredQuery({ ...q, limit: 5, offset: 2 }, '')).docs.map((d) => d.path);
        expect(limited).toEqual(viaScan.docs.slice(2, 7).map((d) => d.path));
      }
    }
  });
});

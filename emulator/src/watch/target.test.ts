import { describe, expect, it } from 'vitest';
import type { StoredDocument, Value } from '../model/index.js';
import { collectionOf } from '../model/index.js';
import { parseStructuredQuery } from '../query/index.js';
import type { DocumentChange } from '../store/index.js';
import { Store } from '../store/index.js';
import type { TargetSpec } from './target.js';
import { applyChanges, diffResults, evaluateTarget, windowUnaffected } from './target.js';

const str = (s: string): Value => ({ stringValue: s });
const int = (n: number): Value => ({ integerValue: String(n) });

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('limited query targets', () => {
  // The queue's head: documents enter and leave a `status == queued orderBy rank limit N` window.
  for (const [limit, desc, population] of [
    [8, false, 40],
    [8, true, 40],
    [32, false, 300],
    [5, false, 6],
  ] as const) {
    it(`keep exactly the results and diffs of a full re-evaluation (limit ${limit}, ${desc ? 'desc' : 'asc'}, ${population} docs)`, () => {
      const store = new Store();
      const db = store.database({ projectId: 'p', databaseId: '(default)' });
      const random = rng(limit * 7 + population + (desc ? 1 : 0));
      const spec: TargetSpec = {
        kind: 'query',
        query: parseStructuredQuery(
          {
            from: [{ collectionId: 'jobs' }],
            where: { fieldFilter: { field: { fieldPath: 'status' }, op: 'EQUAL', value: str('queued') } },
            orderBy: [{ field: { fieldPath: 'rank' }, direction: desc ? 'DESCENDING' : 'ASCENDING' }],
            limit,
          },
          '',
        ),
      };
      const results = evaluateTarget(db, spec);
      let skipped = 0;
      for (let step = 0; step < 1500; step++) {
        const t = store.clock.next();
        const changes: DocumentChange[] = [];
        const n = 1 + Math.floor(random() * 3);
        const used = new Set<string>();
        for (let k = 0; k < n; k++) {
          const path = `${random() < 0.9 ? 'jobs' : 'other'}/j${Math.floor(random() * population)}`;
          if (used.has(path)) continue;
          used.add(path);
          const before = db.get(path);
          const r = random();
          let after: StoredDocument | null = null;
          if (r > 0.15) {
            const status = r < 0.5 ? 'queued' : r < 0.75 ? 'running' : 'done';
            const fields: Record<string, Value> = { status: str(status), rank: int(Math.floor(random() * 20)) };
            if (random() < 0.05) delete fields.rank;
            after = { path, fields, createTime: before?.createTime ?? t, updateTime: t };
          }
          if (!before && !after) continue;
          changes.push({ path, collectionPath: collectionOf(path), before, after });
        }
        const previous = new Map(results);
        // What a full re-evaluation sees: apply first, then compare.
        db.applyChanges(t, changes);
        const relevant = changes.filter((c) => c.collectionPath === 'jobs');
        if (relevant.length > 0 && windowUnaffected(spec.query, previous, relevant)) skipped++;
        const diff = applyChanges(db, spec, results, changes);
        const fresh = evaluateTarget(db, spec);
        expect([...results.keys()]).toEqual([...fresh.keys()]);
        const expected = diffResults(previous, fresh, db);
        expect(diff.changed.map((d) => d.path).sort()).toEqual(expected.changed.map((d) => d.path).sort());
        expect(diff.deleted.sort()).toEqual(expected.deleted.sort());
        expect(diff.removed.sort()).toEqual(expected.removed.sort());
      }
      // The shortcut is taken (the test would be vacuous otherwise).
      expect(skipped).toBeGreaterThan(100);
    });
  }
});

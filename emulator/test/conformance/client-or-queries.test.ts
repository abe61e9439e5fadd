/**
 * OR queries and multiple inequalities, ported from firebase-js-sdk
 * packages/firestore/test/integration/api/query.test.ts ("OR Queries", both the
 * production and the emulator-only groups) and composite_index_query.test.ts
 * ("Multiple Inequality", "OR Queries"), run with the Node client SDK.
 */
import type { Query } from 'firebase/firestore';
import { FieldPath, and, documentId, getAggregateFromServer, getCountFromServer, getDocs, limit, limitToLast, or, orderBy, query, where, count, sum, average } from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { failure, toIds, useClient, withDocs } from './harness.js';

const env = useClient('conf-or');

const ids = async (q: Query): Promise<string[]> => toIds(await getDocs(q));

const ab = { doc1: { a: 1, b: 0 }, doc2: { a: 2, b: 1 }, doc3: { a: 3, b: 2 }, doc4: { a: 1, b: 3 }, doc5: { a: 1, b: 1 } };
const sparse = { doc1: { a: 1, b: 0 }, doc2: { b: 1 }, doc3: { a: 3, b: 2 }, doc4: { a: 1, b: 3 }, doc5: { a: 1 }, doc6: { a: 2 } };
const arrays = { doc1: { a: 1, b: [0] }, doc2: { b: [1] }, doc3: { a: 3, b: [2, 7], c: 10 }, doc4: { a: 1, b: [3, 7] }, doc5: { a: 1 }, doc6: { a: 2, c: 20 } };

describe('query.test.ts: OR queries', () => {
  it('can use query overloads', async () => {
    const c = await withDocs(env, ab);
    expect(await ids(query(c, where('a', '==', 1)))).toEqual(['doc1', 'doc4', 'doc5']);
    expect(await ids(query(c, where('a', '==', 1), where('b', '==', 3)))).toEqual(['doc4']);
    expect(await ids(query(c, and(where('a', '==', 1), where('b', '==', 3))))).toEqual(['doc4']);
    expect(await ids(query(c, where('a', '==', 1), limit(2)))).toEqual(['doc1', 'doc4']);
    expect(await ids(query(c, or(where('a', '==', 1), where('b', '==', 1)), limit(2)))).toEqual(['doc1', 'doc2']);
    expect(await ids(query(c, limit(2)))).toEqual(['doc1', 'doc2']);
    expect(await ids(query(c, limit(2), orderBy('b', 'desc')))).toEqual(['doc4', 'doc3']);
    expect(await ids(query(c, where('a', '==', 1), limit(2), orderBy('b', 'desc')))).toEqual(['doc4', 'doc5']);
  });

  it('can use or queries (equalities, nested AND/OR, limits)', async () => {
    const c = await withDocs(env, ab);
    expect(await ids(query(c, or(where('a', '==', 1), where('b', '==', 1))))).toEqual(['doc1', 'doc2', 'doc4', 'doc5']);
    expect(await ids(query(c, or(and(where('a', '==', 1), where('b', '==', 0)), and(where('a', '==', 3), where('b', '==', 2)))))).toEqual(['doc1', 'doc3']);
    expect(await ids(query(c, and(where('a', '==', 1), or(where('b', '==', 0), where('b', '==', 3)))))).toEqual(['doc1', 'doc4']);
    expect(await ids(query(c, and(or(where('a', '==', 2), where('b', '==', 2)), or(where('a', '==', 3), where('b', '==', 3)))))).toEqual(['doc3']);
    expect(await ids(query(c, or(where('a', '==', 2), where('b', '==', 1)), limit(1)))).toEqual(['doc2']);
  });

  it('can use or queries with one inequality, limit and limitToLast', async () => {
    const c = await withDocs(env, ab);
    // a > 2 || b == 1: implicitly ordered by a, then __name__.
    expect(await ids(query(c, or(where('a', '>', 2), where('b', '==', 1))))).toEqual(['doc5', 'doc2', 'doc3']);
    expect(await ids(query(c, or(where('a', '==', 1), where('b', '>', 0)), limit(2)))).toEqual(['doc1', 'doc2']);
    expect(await ids(query(c, or(where('a', '==', 1), where('b', '>', 0)), limitToLast(2), orderBy('b')))).toEqual(['doc3', 'doc4']);
    expect(await ids(query(c, or(where('a', '==', 2), where('b', '==', 1)), limit(1), orderBy('a')))).toEqual(['doc5']);
    expect(await ids(query(c, or(where('a', '==', 2), where('b', '==', 1)), limitToLast(1), orderBy('a')))).toEqual(['doc2']);
  });

  it('can use or queries with in and not-in', async () => {
    const c = await withDocs(env, sparse);
    expect(await ids(query(c, or(where('a', '==', 2), where('b', 'in', [2, 3]))))).toEqual(['doc3', 'doc4', 'doc6']);
    // a == 2 || b not-in [2, 3]: implicit order by b excludes documents without b.
    expect(await ids(query(c, or(where('a', '==', 2), where('b', 'not-in', [2, 3]))))).toEqual(['doc1', 'doc2']);
  });

  it('can use or queries with array membership', async () => {
    const c = await withDocs(env, { doc1: { a: 1, b: [0] }, doc2: { b: [1] }, doc3: { a: 3, b: [2, 7] }, doc4: { a: 1, b: [3, 7] }, doc5: { a: 1 }, doc6: { a: 2 } });
    expect(await ids(query(c, or(where('a', '==', 2), where('b', 'array-contains', 7))))).toEqual(['doc3', 'doc4', 'doc6']);
    expect(await ids(query(c, or(where('a', '==', 2), where('b', 'array-contains-any', [0, 3]))))).toEqual(['doc1', 'doc4', 'doc6']);
  });

  it('supports using in with array-contains-any', async () => {
    const c = await withDocs(env, arrays);
    expect(await ids(query(c, or(where('a', 'in', [2, 3]), where('b', 'array-contains-any', [0, 7]))))).toEqual(['doc1', 'doc3', 'doc4', 'doc6']);
    expect(await ids(query(c, and(where('a', 'in', [2, 3]), where('b', 'array-contains-any', [0, 7]))))).toEqual(['doc3']);
    expect(await ids(query(c, or(and(where('a', 'in', [2, 3]), where('c', '==', 10)), where('b', 'array-contains-any', [0, 7]))))).toEqual([
      'doc1',
      'doc3',
      'doc4',
    ]);
    expect(await ids(query(c, and(where('a', 'in', [2, 3]), or(where('b', 'array-contains-any', [0, 7]), where('c', '==', 20)))))).toEqual([
      'doc3',
      'doc6',
    ]);
  });

  it('supports using in with array-contains', async () => {
    const c = await withDocs(env, arrays);
    expect(await ids(query(c, or(where('a', 'in', [2, 3]), where('b', 'array-contains', 3))))).toEqual(['doc3', 'doc4', 'doc6']);
    expect(await ids(query(c, and(where('a', 'in', [2, 3]), where('b', 'array-contains', 7))))).toEqual(['doc3']);
    expect(await ids(query(c, or(where('a', 'in', [2, 3]), and(where('b', 'array-contains', 3), where('a', '==', 1)))))).toEqual([
      'doc3',
      'doc4',
      'doc6',
    ]);
    expect(await ids(query(c, and(where('a', 'in', [2, 3]), or(where('b', 'array-contains', 7), where('a', '==', 1)))))).toEqual(['doc3']);
  });

  it('supports order by equality', async () => {
    const c = await withDocs(env, arrays);
    expect(await ids(query(c, where('a', '==', 1), orderBy('a')))).toEqual(['doc1', 'doc4', 'doc5']);
    expect(await ids(query(c, where('a', 'in', [2, 3]), orderBy('a')))).toEqual(['doc6', 'doc3']);
  });

  it('supports multiple in ops (same and different fields, nested)', async () => {
    const c = await withDocs(env, sparse);
    expect(await ids(query(c, or(where('a', 'in', [2, 3]), where('b', 'in', [0, 2])), orderBy('a')))).toEqual(['doc1', 'doc6', 'doc3']);
    expect(await ids(query(c, and(where('a', 'in', [2, 3]), where('b', 'in', [0, 2])), orderBy('a')))).toEqual(['doc3']);
    expect(await ids(query(c, and(where('a', 'in', [1, 2, 3]), where('a', 'in', [0, 1, 4]))))).toEqual(['doc1', 'doc4', 'doc5']);
    expect(await ids(query(c, and(where('a', 'in', [2, 3]), where('a', 'in', [0, 1, 4]))))).toEqual([]);
    expect(await ids(query(c, or(where('a', 'in', [0, 3]), where('a', 'in', [0, 2]))))).toEqual(['doc3', 'doc6']);
    expect(await ids(query(c, and(where('a', 'in', [1, 3]), or(where('a', 'in', [0, 2]), and(where('b', '>=', 1), where('a', 'in', [1, 3]))))))).toEqual([
      'doc3',
      'doc4',
    ]);
    expect(await ids(query(c, and(where('b', 'in', [0, 3]), or(where('b', 'in', [1]), and(where('b', 'in', [2, 3]), where('a', 'in', [1, 3]))))))).toEqual([
      'doc4',
    ]);
  });
});

describe('composite_index_query.test.ts: multiple inequality', () => {
  const kv = { doc1: { key: 'a', sort: 0, v: 0 }, doc2: { key: 'b', sort: 3, v: 1 }, doc3: { key: 'c', sort: 1, v: 3 }, doc4: { key: 'd', sort: 2, v: 2 } };

  it('can use multiple inequality filters (with in, not-in, orderBy, limit, limitToLast)', async () => {
    const c = await withDocs(env, kv);
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '<=', 2), where('v', '>', 2)))).toEqual(['doc3']);
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '<=', 2), where('sort', '>', 1)))).toEqual(['doc4']);
    expect(await ids(query(c, where('key', '>=', 'a'), where('sort', '<=', 2), where('v', 'in', [2, 3, 4]), where('sort', 'in', [2, 3])))).toEqual(['doc4']);
    expect(await ids(query(c, where('key', '>=', 'a'), where('sort', '<=', 2), where('v', 'not-in', [2, 4, 5])))).toEqual(['doc1', 'doc3']);
    const byV = [where('key', '>=', 'a'), where('sort', '<=', 2), orderBy('v', 'desc')] as const;
    expect(await ids(query(c, ...byV))).toEqual(['doc3', 'doc4', 'doc1']);
    expect(await ids(query(c, ...byV, limit(2)))).toEqual(['doc3', 'doc4']);
    expect(await ids(query(c, ...byV, limitToLast(2)))).toEqual(['doc4', 'doc1']);
  });

  it('can use on special values (NaN, null, missing fields)', async () => {
    const c = await withDocs(env, {
      doc1: { key: 'a', sort: 0, v: 0 },
      doc2: { key: 'b', sort: NaN, v: 1 },
      doc3: { key: 'c', sort: null, v: 3 },
      doc4: { key: 'd', v: 0 },
      doc5: { key: 'e', sort: 1 },
      doc6: { key: 'f', sort: 1, v: 1 },
    });
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '<=', 2)))).toEqual(['doc5', 'doc6']);
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '<=', 2), where('v', '<=', 1)))).toEqual(['doc6']);
  });

  it('can use with array membership', async () => {
    const c = await withDocs(env, {
      doc1: { key: 'a', sort: 0, v: [0] },
      doc2: { key: 'b', sort: 1, v: [0, 1, 3] },
      doc3: { key: 'c', sort: 1, v: [] },
      doc4: { key: 'd', sort: 2, v: [1] },
      doc5: { key: 'e', sort: 3, v: [2, 4] },
      doc6: { key: 'f', sort: 4, v: [NaN] },
      doc7: { key: 'g', sort: 4, v: [null] },
    });
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '>=', 1), where('v', 'array-contains', 0)))).toEqual(['doc2']);
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '>=', 1), where('v', 'array-contains-any', [0, 1])))).toEqual(['doc2', 'doc4']);
  });

  it('can use with nested fields and fields with special characters', async () => {
    const data = (n: number) => ({ name: 'room ' + n, metadata: { createdAt: n }, field: 'field ' + n, 'field.dot': n, 'field\\slash': n });
    const c = await withDocs(env, { doc1: data(400), doc2: data(200), doc3: data(100), doc4: data(300) });
    expect(await ids(query(c, where('metadata.createdAt', '<=', 500), where('metadata.createdAt', '>', 100), where('name', '!=', 'room 200'), orderBy('name')))).toEqual([
      'doc4',
      'doc1',
    ]);
    expect(
      await ids(query(c, where('field', '>=', 'field 100'), where(new FieldPath('field.dot'), '!=', 300), where('field\\slash', '<', 400), orderBy('name', 'desc'))),
    ).toEqual(['doc2', 'doc3']);
  });

  it('can use with nested composite filters (implicit order: key, sort, v, __name__)', async () => {
    const c = await withDocs(env, {
      doc1: { key: 'a', sort: 0, v: 5 },
      doc2: { key: 'aa', sort: 4, v: 4 },
      doc3: { key: 'c', sort: 3, v: 3 },
      doc4: { key: 'b', sort: 2, v: 2 },
      doc5: { key: 'b', sort: 2, v: 1 },
      doc6: { key: 'b', sort: 0, v: 0 },
    });
    const f = or(and(where('key', '==', 'b'), where('sort', '<=', 2)), and(where('key', '!=', 'b'), where('v', '>', 4)));
    expect(await ids(query(c, f))).toEqual(['doc1', 'doc6', 'doc5', 'doc4']);
    expect(await ids(query(c, f, orderBy('sort', 'desc'), orderBy('key')))).toEqual(['doc5', 'doc4', 'doc1', 'doc6']);
    const g = and(
      or(and(where('key', '==', 'b'), where('sort', '<=', 4)), and(where('key', '!=', 'b'), where('v', '>=', 4))),
      or(and(where('key', '>', 'b'), where('sort', '>=', 1)), and(where('key', '<', 'b'), where('v', '>', 0))),
    );
    expect(await ids(query(c, g))).toEqual(['doc1', 'doc2']);
  });

  it('orders inequality fields lexicographically, whatever the filter order', async () => {
    const c = await withDocs(env, {
      doc1: { key: 'a', sort: 0, v: 5 },
      doc2: { key: 'aa', sort: 4, v: 4 },
      doc3: { key: 'b', sort: 3, v: 3 },
      doc4: { key: 'b', sort: 2, v: 2 },
      doc5: { key: 'b', sort: 2, v: 1 },
      doc6: { key: 'b', sort: 0, v: 0 },
    });
    expect(await ids(query(c, where('key', '!=', 'a'), where('sort', '>', 1), where('v', 'in', [1, 2, 3, 4])))).toEqual(['doc2', 'doc4', 'doc5', 'doc3']);
    expect(await ids(query(c, where('sort', '>', 1), where('key', '!=', 'a'), where('v', 'in', [1, 2, 3, 4])))).toEqual(['doc2', 'doc4', 'doc5', 'doc3']);
  });

  it('can use multiple explicit order by fields (implicit ones follow the last direction)', async () => {
    const c = await withDocs(env, {
      doc1: { key: 'a', sort: 5, v: 0 },
      doc2: { key: 'aa', sort: 4, v: 0 },
      doc3: { key: 'b', sort: 3, v: 1 },
      doc4: { key: 'b', sort: 2, v: 1 },
      doc5: { key: 'bb', sort: 1, v: 1 },
      doc6: { key: 'c', sort: 0, v: 2 },
    });
    const w = [where('key', '>', 'a'), where('sort', '>=', 1)] as const;
    expect(await ids(query(c, ...w, orderBy('v')))).toEqual(['doc2', 'doc4', 'doc3', 'doc5']);
    expect(await ids(query(c, ...w, orderBy('v'), orderBy('sort')))).toEqual(['doc2', 'doc5', 'doc4', 'doc3']);
    expect(await ids(query(c, ...w, orderBy('v', 'desc')))).toEqual(['doc5', 'doc3', 'doc4', 'doc2']);
    expect(await ids(query(c, ...w, orderBy('v', 'desc'), orderBy('sort')))).toEqual(['doc5', 'doc4', 'doc3', 'doc2']);
  });

  it('can use in aggregate queries', async () => {
    const c = await withDocs(env, {
      doc1: { key: 'a', sort: 5, v: 0 },
      doc2: { key: 'aa', sort: 4, v: 0 },
      doc3: { key: 'b', sort: 3, v: 1 },
      doc4: { key: 'b', sort: 2, v: 1 },
      doc5: { key: 'bb', sort: 1, v: 1 },
    });
    expect((await getCountFromServer(query(c, where('key', '>', 'a'), where('sort', '>=', 1), orderBy('v')))).data().count).toBe(4);
    const agg = await getAggregateFromServer(query(c, where('key', '>', 'a'), where('sort', '>=', 1), where('v', '!=', 0)), {
      count: count(),
      sum: sum('sort'),
      avg: average('v'),
    });
    expect(agg.data()).toEqual({ count: 3, sum: 6, avg: 1 });
  });

  it('can use the document ID in a multiple inequality query (ordered last)', async () => {
    const c = await withDocs(env, { doc1: { key: 'a', sort: 5 }, doc2: { key: 'aa', sort: 4 }, doc3: { key: 'b', sort: 3 }, doc4: { key: 'b', sort: 2 }, doc5: { key: 'bb', sort: 1 } });
    expect(await ids(query(c, where('sort', '>=', 1), where('key', '!=', 'a'), where(documentId(), '<', 'doc5')))).toEqual(['doc2', 'doc4', 'doc3']);
    expect(await ids(query(c, where(documentId(), '<', 'doc5'), where('sort', '>=', 1), where('key', '!=', 'a')))).toEqual(['doc2', 'doc4', 'doc3']);
    expect(await ids(query(c, where(documentId(), '<', 'doc5'), where('sort', '>=', 1), where('key', '!=', 'a'), orderBy('sort', 'desc')))).toEqual([
      'doc2',
      'doc3',
      'doc4',
    ]);
  });

  it('same results as the local engine for AND / OR / not-in combinations', async () => {
    const c = await withDocs(env, ab);
    expect(await ids(query(c, where('a', '!=', 1), where('b', '<', 2)))).toEqual(['doc2']);
    expect(await ids(query(c, and(where('a', '<', 3), where('b', 'not-in', [2, 3]))))).toEqual(['doc1', 'doc5', 'doc2']);
    expect(await ids(query(c, where('b', '!=', 0), where('a', '<', 3), limit(2)))).toEqual(['doc5', 'doc4']);
    expect(await ids(query(c, where('a', '<', 3), where('b', '!=', 0), orderBy('b', 'desc'), limit(2)))).toEqual(['doc4', 'doc2']);
    expect(await ids(query(c, or(where('a', '>', 2), where('b', '<', 1))))).toEqual(['doc1', 'doc3']);
  });

  it('rejects an inequality query whose orderBy puts fields after the document key', async () => {
    const c = await withDocs(env, {});
    const err = await failure(getDocs(query(c, where('key', '!=', 42), orderBy(documentId()))));
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toMatch(/order by clause cannot contain more fields after the key/i);
  });

  it('rejects an equality on the key when other fields carry the inequalities', async () => {
    const c = await withDocs(env, {});
    const err = await failure(getDocs(query(c, where('key', '!=', 42), where(documentId(), '==', 'doc1'))));
    expect(err.code).toBe('invalid-argument');
    expect(err.message).toContain('Equality on key is not allowed if there are other inequality fields and key does not appear in inequalities.');
  });
});

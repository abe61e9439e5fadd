/**
 * Ported from firebase-js-sdk packages/firestore/test/integration/api/query.test.ts
 * (the non-OR part; OR queries live in client-or-queries.test.ts), run with the Node client SDK.
 */
import type { DocumentChange, QuerySnapshot } from 'firebase/firestore';
import {
  Bytes,
  GeoPoint,
  Timestamp,
  addDoc,
  collection,
  collectionGroup,
  deleteDoc,
  doc,
  documentId,
  endAt,
  endBefore,
  getDocs,
  limit,
  limitToLast,
  onSnapshot,
  orderBy,
  query,
  setDoc,
  startAfter,
  startAt,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { Events, randomId, toData, toIds, useClient, withDocs } from './harness.js';

const env = useClient('conf-query');

const sorted4 = { a: { k: 'a', sort: 0 }, b: { k: 'b', sort: 1 }, c: { k: 'c', sort: 1 }, d: { k: 'd', sort: 2 } };

function change(c: DocumentChange): [string, string, number, number] {
  return [c.doc.id, c.type, c.oldIndex, c.newIndex];
}

describe('query.test.ts: limits', () => {
  it('can issue limit queries', async () => {
    const coll = await withDocs(env, { a: { k: 'a' }, b: { k: 'b' }, c: { k: 'c' } });
    expect(toData(await getDocs(query(coll, limit(2))))).toEqual([{ k: 'a' }, { k: 'b' }]);
  });

  it('can issue limit queries using descending sort order', async () => {
    const coll = await withDocs(env, sorted4);
    expect(toData(await getDocs(query(coll, orderBy('sort', 'desc'), limit(2))))).toEqual([
      { k: 'd', sort: 2 },
      { k: 'c', sort: 1 },
    ]);
  });

  it('can issue limitToLast queries using descending sort order', async () => {
    const coll = await withDocs(env, sorted4);
    expect(toData(await getDocs(query(coll, orderBy('sort', 'desc'), limitToLast(2))))).toEqual([
      { k: 'b', sort: 1 },
      { k: 'a', sort: 0 },
    ]);
  });

  it('can listen to limitToLast queries', async () => {
    const coll = await withDocs(env, sorted4);
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(query(coll, orderBy('sort', 'desc'), limitToLast(2)), events.push, events.fail);
    expect(toData(await events.next())).toEqual([{ k: 'b', sort: 1 }, { k: 'a', sort: 0 }]);
    await addDoc(coll, { k: 'e', sort: -1 });
    expect(toData(await events.next())).toEqual([{ k: 'a', sort: 0 }, { k: 'e', sort: -1 }]);
    unsub();
  });

  it('can listen/unlisten/relisten to mirror queries (limit and limitToLast share a target)', async () => {
    const coll = await withDocs(env, sorted4);
    const lim = new Events<QuerySnapshot>();
    const last = new Events<QuerySnapshot>();
    const limQ = query(coll, orderBy('sort', 'asc'), limit(2));
    const lastQ = query(coll, orderBy('sort', 'desc'), limitToLast(2));
    let unlim = onSnapshot(limQ, lim.push, lim.fail);
    let unlast = onSnapshot(lastQ, last.push, last.fail);
    expect(toData(await lim.next())).toEqual([{ k: 'a', sort: 0 }, { k: 'b', sort: 1 }]);
    expect(toData(await last.next())).toEqual([{ k: 'b', sort: 1 }, { k: 'a', sort: 0 }]);

    unlim();
    unlim = onSnapshot(limQ, lim.push, lim.fail);
    expect(toData(await lim.next())).toEqual([{ k: 'a', sort: 0 }, { k: 'b', sort: 1 }]);

    await addDoc(coll, { k: 'e', sort: -1 });
    expect(toData(await lim.next())).toEqual([{ k: 'e', sort: -1 }, { k: 'a', sort: 0 }]);
    expect(toData(await last.next())).toEqual([{ k: 'a', sort: 0 }, { k: 'e', sort: -1 }]);

    unlast();
    await updateDoc(doc(coll, 'a'), { k: 'a', sort: -2 });
    unlast = onSnapshot(lastQ, last.push, last.fail);
    expect(toData(await lim.next())).toEqual([{ k: 'a', sort: -2 }, { k: 'e', sort: -1 }]);
    expect(toData(await last.next())).toEqual([{ k: 'e', sort: -1 }, { k: 'a', sort: -2 }]);
    unlim();
    unlast();
  });

  it('can issue limitToLast queries with cursors', async () => {
    const coll = await withDocs(env, sorted4);
    const run = async (...c: Parameters<typeof query>[1][]) => toData(await getDocs(query(coll, orderBy('sort'), ...c, limitToLast(3))));
    expect(await run(endBefore(2))).toEqual([{ k: 'a', sort: 0 }, { k: 'b', sort: 1 }, { k: 'c', sort: 1 }]);
    expect(await run(endAt(1))).toEqual([{ k: 'a', sort: 0 }, { k: 'b', sort: 1 }, { k: 'c', sort: 1 }]);
    expect(await run(startAt(2))).toEqual([{ k: 'd', sort: 2 }]);
    expect(await run(startAfter(0))).toEqual([{ k: 'b', sort: 1 }, { k: 'c', sort: 1 }, { k: 'd', sort: 2 }]);
    expect(await run(startAfter(-1))).toEqual([{ k: 'b', sort: 1 }, { k: 'c', sort: 1 }, { k: 'd', sort: 2 }]);
  });
});

describe('query.test.ts: ordering and simple filters', () => {
  it('key order is descending for descending inequality (42 == 42.0)', async () => {
    const coll = await withDocs(env, { a: { foo: 42 }, b: { foo: 42.0 }, c: { foo: 42 }, d: { foo: 21 }, e: { foo: 21 }, f: { foo: 66 }, g: { foo: 66 } });
    expect(toIds(await getDocs(query(coll, where('foo', '>', 21.0), orderBy('foo', 'desc'))))).toEqual(['g', 'f', 'c', 'b', 'a']);
  });

  it('can use unary filters', async () => {
    const coll = await withDocs(env, { a: { null: null, nan: NaN }, b: { null: null, nan: 0 }, c: { null: false, nan: NaN } });
    expect(toData(await getDocs(query(coll, where('null', '==', null), where('nan', '==', NaN))))).toEqual([{ null: null, nan: NaN }]);
  });

  it('can filter on infinity', async () => {
    const coll = await withDocs(env, { a: { inf: Infinity }, b: { inf: -Infinity } });
    expect(toData(await getDocs(query(coll, where('inf', '==', Infinity))))).toEqual([{ inf: Infinity }]);
  });

  it('maintains correct DocumentChange indices', async () => {
    const coll = await withDocs(env, { a: { order: 1 }, b: { order: 2 }, c: { order: 3 } });
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(query(coll, orderBy('order')), events.push, events.fail);
    expect((await events.next()).docChanges().map(change)).toEqual([
      ['a', 'added', -1, 0],
      ['b', 'added', -1, 1],
      ['c', 'added', -1, 2],
    ]);
    await setDoc(doc(coll, 'b'), { order: 4 });
    expect((await events.next()).docChanges().map(change)).toEqual([['b', 'modified', 1, 2]]);
    await deleteDoc(doc(coll, 'c'));
    expect((await events.next()).docChanges().map(change)).toEqual([['c', 'removed', 1, -1]]);
    unsub();
  });

  it('can issue queries with Dates differing in milliseconds', async () => {
    const d1 = new Date();
    d1.setMilliseconds(0);
    const d2 = new Date(d1.getTime() + 1);
    const d3 = new Date(d1.getTime() + 2);
    const coll = await withDocs(env, { '1': { id: '1', date: d1 }, '2': { id: '2', date: d2 }, '3': { id: '3', date: d3 } });
    const [r1, r2] = await Promise.all([getDocs(query(coll, where('date', '>', d1))), getDocs(query(coll, where('date', '>', d2)))]);
    expect(toData(r1)).toEqual([
      { id: '2', date: Timestamp.fromDate(d2) },
      { id: '3', date: Timestamp.fromDate(d3) },
    ]);
    expect(toData(r2)).toEqual([{ id: '3', date: Timestamp.fromDate(d3) }]);
  });

  it('can explicitly sort by document ID', async () => {
    const coll = await withDocs(env, { b: { key: 'b' }, a: { key: 'a' }, c: { key: 'c' } });
    expect(toData(await getDocs(query(coll, orderBy(documentId()))))).toEqual([{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
  });

  it('can query by document ID, with strings and with references', async () => {
    const coll = await withDocs(env, { aa: { key: 'aa' }, ab: { key: 'ab' }, ba: { key: 'ba' }, bb: { key: 'bb' } });
    expect(toIds(await getDocs(query(coll, where(documentId(), '==', 'ab'))))).toEqual(['ab']);
    expect(toIds(await getDocs(query(coll, where(documentId(), '>', 'aa'), where(documentId(), '<=', 'ba'))))).toEqual(['ab', 'ba']);
    expect(toIds(await getDocs(query(coll, where(documentId(), '==', doc(coll, 'ab')))))).toEqual(['ab']);
    expect(toIds(await getDocs(query(coll, where(documentId(), '>', doc(coll, 'aa')), where(documentId(), '<=', doc(coll, 'ba')))))).toEqual([
      'ab',
      'ba',
    ]);
  });

  it('can use filter with nested field', async () => {
    const coll = await withDocs(env, { a: {}, b: { map: {} }, c: { map: { nested: {} } }, d: { map: { nested: 'foo' } } });
    await getDocs(coll);
    expect(toData(await getDocs(query(coll, where('map.nested', '==', 'foo'))))).toEqual([{ map: { nested: 'foo' } }]);
  });

  it('can query custom types (reference, geo point, bytes, timestamp, nested in maps and arrays)', async () => {
    const coll = collection(env.db, randomId());
    const data = {
      ref: doc(env.db, 'f/c'),
      geoPoint: new GeoPoint(0, 0),
      buffer: Bytes.fromBase64String('Zm9v'),
      time: Timestamp.now(),
      array: [doc(env.db, 'f/c'), new GeoPoint(0, 0), Bytes.fromBase64String('Zm9v'), Timestamp.now()],
    };
    await addDoc(coll, { data });
    for (let i = 0; i < 2; i++) {
      const events = new Events<QuerySnapshot>();
      const unsub = onSnapshot(query(coll, where('data', '==', data)), events.push, events.fail);
      expect((await events.next()).size).toBe(1);
      unsub();
    }
  });
});

describe('query.test.ts: != / in / not-in / array membership with null and NaN', () => {
  const zips = {
    a: { zip: NaN },
    b: { zip: 91102 },
    c: { zip: 98101 },
    d: { zip: '98101' },
    e: { zip: [98101] },
    f: { zip: [98101, 98102] },
    g: { zip: ['98101', { zip: 98101 }] },
    h: { zip: { code: 500 } },
    i: { code: 500 },
    j: { zip: null },
  };
  const without = (...ids: string[]): string[] => Object.keys(zips).filter((k) => !ids.includes(k));

  it('can use != filters (ordered by value; missing and null never match)', async () => {
    const coll = await withDocs(env, zips);
    expect(toIds(await getDocs(query(coll, where('zip', '!=', 98101))))).toEqual(without('c', 'i', 'j'));
    expect(toIds(await getDocs(query(coll, where('zip', '!=', { code: 500 }))))).toEqual(without('h', 'i', 'j'));
    expect(toIds(await getDocs(query(coll, where('zip', '!=', null))))).toEqual(without('i', 'j'));
    expect(toIds(await getDocs(query(coll, where('zip', '!=', NaN))))).toEqual(without('a', 'i', 'j'));
  });

  it('can use NOT_IN filters', async () => {
    const coll = await withDocs(env, { ...zips, d: { zip: 98103 } });
    // Arrays as list elements: in-array-operands.test.ts.
    expect(toIds(await getDocs(query(coll, where('zip', 'not-in', [98101, 98103]))))).toEqual(without('c', 'd', 'i', 'j'));
    expect(toIds(await getDocs(query(coll, where('zip', 'not-in', [{ code: 500 }]))))).toEqual(without('h', 'i', 'j'));
    expect(toIds(await getDocs(query(coll, where('zip', 'not-in', [null]))))).toEqual([]);
    expect(toIds(await getDocs(query(coll, where('zip', 'not-in', [NaN]))))).toEqual(without('a', 'i', 'j'));
    expect(toIds(await getDocs(query(coll, where('zip', 'not-in', [NaN, 98101]))))).toEqual(without('a', 'c', 'i', 'j'));
  });

  it('can use IN filters (null and NaN never match)', async () => {
    const coll = await withDocs(env, {
      a: { zip: 98101 },
      b: { zip: 91102 },
      c: { zip: 98103 },
      d: { zip: [98101] },
      e: { zip: ['98101', { zip: 98101 }] },
      f: { zip: { code: 500 } },
      g: { zip: [98101, 98102] },
      h: { zip: null },
      i: { zip: NaN },
    });
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [98101, 98103]))))).toEqual(['a', 'c']);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [{ code: 500 }]))))).toEqual(['f']);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [null]))))).toEqual([]);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [98101, null]))))).toEqual(['a']);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [NaN]))))).toEqual([]);
    expect(toIds(await getDocs(query(coll, where('zip', 'in', [98101, NaN]))))).toEqual(['a']);
  });

  it('can use array-contains filters', async () => {
    const coll = await withDocs(env, {
      a: { array: [42] },
      b: { array: ['a', 42, 'c'] },
      c: { array: [41.999, '42', { a: [42] }] },
      d: { array: [42], array2: ['bingo'] },
      e: { array: [null] },
      f: { array: [NaN] },
    });
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains', 42))))).toEqual(['a', 'b', 'd']);
    expect(toIds(await getDocs(query(coll, where('zip', 'array-contains', null))))).toEqual([]);
    expect(toIds(await getDocs(query(coll, where('zip', 'array-contains', NaN))))).toEqual([]);
  });

  it('can use array-contains-any filters (null and NaN never match)', async () => {
    const coll = await withDocs(env, {
      a: { array: [42] },
      b: { array: ['a', 42, 'c'] },
      c: { array: [41.999, '42', { a: [42] }] },
      d: { array: [42], array2: ['bingo'] },
      e: { array: [43] },
      f: { array: [{ a: 42 }] },
      g: { array: 42 },
      h: { array: [null] },
      i: { array: [NaN] },
    });
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains-any', [42, 43]))))).toEqual(['a', 'b', 'd', 'e']);
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains-any', [{ a: 42 }]))))).toEqual(['f']);
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains-any', [null]))))).toEqual([]);
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains-any', [43, null]))))).toEqual(['e']);
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains-any', [NaN]))))).toEqual([]);
    expect(toIds(await getDocs(query(coll, where('array', 'array-contains-any', [43, NaN]))))).toEqual(['e']);
  });

  it('can use !=, IN and NOT_IN filters by document ID', async () => {
    const coll = await withDocs(env, { aa: { key: 'aa' }, ab: { key: 'ab' }, ba: { key: 'ba' }, bb: { key: 'bb' } });
    expect(toIds(await getDocs(query(coll, where(documentId(), '!=', 'aa'))))).toEqual(['ab', 'ba', 'bb']);
    expect(toIds(await getDocs(query(coll, where(documentId(), 'in', ['aa', 'ab']))))).toEqual(['aa', 'ab']);
    expect(toIds(await getDocs(query(coll, where(documentId(), 'not-in', ['aa', 'ab']))))).toEqual(['ba', 'bb']);
  });
});

describe('query.test.ts: collection groups', () => {
  async function seed(paths: string[]): Promise<void> {
    const batch = writeBatch(env.db);
    for (const p of paths) batch.set(doc(env.db, p), { x: 1 });
    await batch.commit();
  }

  it('can query collection groups (exact id match at any depth)', async () => {
    const cg = 'b' + randomId();
    await seed([
      `abc/123/${cg}/cg-doc1`,
      `abc/123/${cg}/cg-doc2`,
      `${cg}/cg-doc3`,
      `${cg}/cg-doc4`,
      `def/456/${cg}/cg-doc5`,
      `${cg}/virtual-doc/nested-coll/not-cg-doc`,
      `x${cg}/not-cg-doc`,
      `${cg}x/not-cg-doc`,
      `abc/123/${cg}x/not-cg-doc`,
      `abc/123/x${cg}/not-cg-doc`,
      `abc/${cg}`,
    ]);
    expect(toIds(await getDocs(collectionGroup(env.db, cg)))).toEqual(['cg-doc1', 'cg-doc2', 'cg-doc3', 'cg-doc4', 'cg-doc5']);
  });

  const nested = (cg: string): string[] => [
    `a/a/${cg}/cg-doc1`,
    `a/b/a/b/${cg}/cg-doc2`,
    `a/b/${cg}/cg-doc3`,
    `a/b/c/d/${cg}/cg-doc4`,
    `a/c/${cg}/cg-doc5`,
    `${cg}/cg-doc6`,
    'a/b/nope/nope',
  ];

  it('can query collection groups with startAt / endAt by arbitrary documentId', async () => {
    const cg = 'b' + randomId();
    await seed(nested(cg));
    const byName = query(collectionGroup(env.db, cg), orderBy(documentId()));
    expect(toIds(await getDocs(query(byName, startAt('a/b'), endAt('a/b0'))))).toEqual(['cg-doc2', 'cg-doc3', 'cg-doc4']);
    expect(toIds(await getDocs(query(byName, startAfter('a/b'), endBefore(`a/b/${cg}/cg-doc3`))))).toEqual(['cg-doc2']);
  });

  it('can query collection groups with where filters on arbitrary documentId', async () => {
    const cg = 'b' + randomId();
    await seed(nested(cg));
    const group = collectionGroup(env.db, cg);
    expect(toIds(await getDocs(query(group, where(documentId(), '>=', 'a/b'), where(documentId(), '<=', 'a/b0'))))).toEqual([
      'cg-doc2',
      'cg-doc3',
      'cg-doc4',
    ]);
    expect(toIds(await getDocs(query(group, where(documentId(), '>', 'a/b'), where(documentId(), '<', `a/b/${cg}/cg-doc3`))))).toEqual(['cg-doc2']);
  });
});

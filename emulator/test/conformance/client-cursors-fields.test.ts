/**
 * Ported from firebase-js-sdk packages/firestore/test/integration/api/cursor.test.ts and
 * fields.test.ts, run with the Node client SDK.
 */
import {
  FieldPath,
  Timestamp,
  collection,
  doc,
  documentId,
  endAt,
  endBefore,
  getDoc,
  getDocs,
  limit,
  orderBy,
  query,
  setDoc,
  startAfter,
  startAt,
  updateDoc,
  where,
} from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { randomId, toData, toIds, useClient, withDocs } from './harness.js';

const env = useClient('conf-cursor');
/** ignoreUndefinedProperties: fields.test.ts "`undefined` properties". */
const lenient = useClient('conf-undef', { ignoreUndefinedProperties: true });

const sortDocs = {
  a: { k: 'a', sort: 1 },
  b: { k: 'b', sort: 2 },
  c: { k: 'c', sort: 2 },
  d: { k: 'd', sort: 2 },
  e: { k: 'e', sort: 0 },
  f: { k: 'f', nosort: 1 },
};

describe('cursor.test.ts', () => {
  it('can page through items', async () => {
    const coll = await withDocs(env, { a: { v: 'a' }, b: { v: 'b' }, c: { v: 'c' }, d: { v: 'd' }, e: { v: 'e' }, f: { v: 'f' } });
    let page = await getDocs(query(coll, limit(2)));
    expect(toData(page)).toEqual([{ v: 'a' }, { v: 'b' }]);
    page = await getDocs(query(coll, limit(3), startAfter(page.docs[page.docs.length - 1]!)));
    expect(toData(page)).toEqual([{ v: 'c' }, { v: 'd' }, { v: 'e' }]);
    page = await getDocs(query(coll, limit(1), startAfter(page.docs[page.docs.length - 1]!)));
    expect(toData(page)).toEqual([{ v: 'f' }]);
    page = await getDocs(query(coll, limit(3), startAfter(page.docs[page.docs.length - 1]!)));
    expect(toData(page)).toEqual([]);
  });

  it('can be created from documents (documents without the field never show up)', async () => {
    const coll = await withDocs(env, sortDocs);
    const c = await getDoc(doc(coll, 'c'));
    expect(c.data()).toEqual({ k: 'c', sort: 2 });
    expect(toIds(await getDocs(query(coll, orderBy('sort'), startAt(c))))).toEqual(['c', 'd']);
    expect(toIds(await getDocs(query(coll, orderBy('sort'), endBefore(c))))).toEqual(['e', 'a', 'b']);
  });

  it('can be created from values', async () => {
    const coll = await withDocs(env, sortDocs);
    expect(toIds(await getDocs(query(coll, orderBy('sort'), startAt(2))))).toEqual(['b', 'c', 'd']);
    expect(toIds(await getDocs(query(coll, orderBy('sort'), endBefore(2))))).toEqual(['e', 'a']);
  });

  it('can be created using document id (relative to a subcollection)', async () => {
    const path = `${randomId('parent')}/${randomId('p')}/sub-collection`;
    for (const k of ['a', 'b', 'c', 'd', 'e']) await setDoc(doc(env.setup, path, k), { k });
    const snap = await getDocs(query(collection(env.db, path), orderBy(documentId()), startAt('b'), endBefore('d')));
    expect(toData(snap)).toEqual([{ k: 'b' }, { k: 'c' }]);
  });

  it('can be used with reference values', async () => {
    const coll = await withDocs(env, {
      a: { k: '1a', ref: doc(env.setup, '1/a') },
      b: { k: '1b', ref: doc(env.setup, '1/b') },
      c: { k: '2a', ref: doc(env.setup, '2/a') },
      d: { k: '2b', ref: doc(env.setup, '2/b') },
      e: { k: '3a', ref: doc(env.setup, '3/a') },
    });
    const snap = await getDocs(query(coll, orderBy('ref'), startAfter(doc(env.db, '1/a')), endAt(doc(env.db, '2/b'))));
    expect(snap.docs.map((d) => d.get('k'))).toEqual(['1b', '2a', '2b']);
  });

  it('can be used in descending queries', async () => {
    const coll = await withDocs(env, { ...sortDocs, d: { k: 'd', sort: 3 } });
    const q = query(coll, orderBy('sort', 'desc'), orderBy(documentId(), 'desc'));
    expect(toIds(await getDocs(query(q, startAt(2))))).toEqual(['c', 'b', 'a', 'e']);
    expect(toIds(await getDocs(query(q, endBefore(2))))).toEqual(['d']);
  });

  const ts = (seconds: number, micros: number): Timestamp => new Timestamp(seconds, micros * 1000);

  it('can accept Timestamps as bounds', async () => {
    const coll = await withDocs(env, {
      a: { timestamp: ts(100, 2) },
      b: { timestamp: ts(100, 5) },
      c: { timestamp: ts(100, 3) },
      d: { timestamp: ts(100, 1) },
      e: { timestamp: ts(100, 5) },
      f: { timestamp: ts(100, 4) },
    });
    expect(toIds(await getDocs(query(coll, orderBy('timestamp'), startAfter(ts(100, 2)), endAt(ts(100, 5)))))).toEqual(['c', 'f', 'b', 'e']);
  });

  it('can accept Timestamps in where clause', async () => {
    const coll = await withDocs(env, {
      a: { timestamp: ts(100, 7) },
      b: { timestamp: ts(100, 4) },
      c: { timestamp: ts(100, 8) },
      d: { timestamp: ts(100, 5) },
      e: { timestamp: ts(100, 6) },
    });
    expect(toIds(await getDocs(query(coll, where('timestamp', '>=', ts(100, 5)), where('timestamp', '<', ts(100, 8)))))).toEqual(['d', 'e', 'a']);
  });

  it('truncates Timestamps to microseconds (stored and in filters)', async () => {
    const nanos = new Timestamp(0, 123456789);
    const coll = await withDocs(env, { a: { timestamp: nanos } });
    expect(toIds(await getDocs(query(coll, where('timestamp', '==', nanos))))).toEqual(['a']);
    expect(toIds(await getDocs(query(coll, where('timestamp', '==', new Timestamp(0, 123456000)))))).toEqual(['a']);
    expect(toIds(await getDocs(query(coll, where('timestamp', '==', new Timestamp(0, 123000000)))))).toEqual([]);
  });
});

describe('fields.test.ts: nested fields', () => {
  const data = (n = 1) => ({ name: 'room ' + n, metadata: { createdAt: n, deep: { field: 'deep-field-' + n } } });

  it('can be written with set() and read with get(<string | FieldPath>)', async () => {
    const ref = doc(env.db, randomId(), 'd');
    await setDoc(ref, data());
    const snap = await getDoc(ref);
    expect(snap.data()).toEqual(data());
    expect(snap.get('metadata.deep.field')).toBe('deep-field-1');
    expect(snap.get(new FieldPath('metadata', 'deep', 'field'))).toBe('deep-field-1');
    expect(snap.get('metadata.nofield')).toBeUndefined();
    expect(snap.get(new FieldPath('nometadata', 'nofield'))).toBeUndefined();
  });

  it('can be updated with update(<string>) and update(<FieldPath>)', async () => {
    const expected = { name: 'room 1', metadata: { createdAt: 1, deep: { field: 100 }, added: 200 } };
    const a = doc(env.db, randomId(), 'a');
    await setDoc(a, data());
    await updateDoc(a, { 'metadata.deep.field': 100, 'metadata.added': 200 });
    expect((await getDoc(a)).data()).toEqual(expected);
    const b = doc(env.db, randomId(), 'b');
    await setDoc(b, data());
    await updateDoc(b, new FieldPath('metadata', 'deep', 'field'), 100, new FieldPath('metadata', 'added'), 200);
    expect((await getDoc(b)).data()).toEqual(expected);
  });

  it('can be used in where() and orderBy() (inequality adds an implicit sort)', async () => {
    const coll = await withDocs(env, { '1': data(300), '2': data(100), '3': data(200) });
    expect(toData(await getDocs(query(coll, where('metadata.createdAt', '>=', 200))))).toEqual([data(200), data(300)]);
    expect(toData(await getDocs(query(coll, where(new FieldPath('metadata', 'createdAt'), '>=', 200))))).toEqual([data(200), data(300)]);
    expect(toData(await getDocs(query(coll, orderBy('metadata.createdAt'))))).toEqual([data(100), data(200), data(300)]);
    expect(toData(await getDocs(query(coll, orderBy(new FieldPath('metadata', 'createdAt')))))).toEqual([data(100), data(200), data(300)]);
  });
});

describe('fields.test.ts: fields with special characters', () => {
  const data = (n = 1) => ({ field: 'field ' + n, 'field.dot': n, 'field\\slash': n });

  it('can be written with set(), read and updated', async () => {
    const ref = doc(env.db, randomId(), 'd');
    await setDoc(ref, data());
    const snap = await getDoc(ref);
    expect(snap.data()).toEqual(data());
    expect(snap.get(new FieldPath('field.dot'))).toBe(1);
    expect(snap.get('field\\slash')).toBe(1);
    await updateDoc(ref, new FieldPath('field.dot'), 100, 'field\\slash', 200);
    expect((await getDoc(ref)).data()).toEqual({ field: 'field 1', 'field.dot': 100, 'field\\slash': 200 });
  });

  it('can be used in query filters and orderBy', async () => {
    const coll = await withDocs(env, { '1': data(300), '2': data(100), '3': data(200) });
    expect(toData(await getDocs(query(coll, where(new FieldPath('field.dot'), '>=', 200))))).toEqual([data(200), data(300)]);
    expect(toData(await getDocs(query(coll, where('field\\slash', '>=', 200))))).toEqual([data(200), data(300)]);
    expect(toData(await getDocs(query(coll, orderBy(new FieldPath('field.dot')))))).toEqual([data(100), data(200), data(300)]);
    expect(toData(await getDocs(query(coll, orderBy('field\\slash'))))).toEqual([data(100), data(200), data(300)]);
  });

  it('can be used in multiple inequality query filters', async () => {
    const coll = await withDocs(env, { '1': data(300), '2': data(100), '3': data(200) });
    expect(toData(await getDocs(query(coll, where('field', '>=', 'field 200'), where(new FieldPath('field.dot'), '!=', 300))))).toEqual([data(200)]);
    expect(toData(await getDocs(query(coll, where('field', '<=', 'field 200'), where('field\\slash', '>=', 200))))).toEqual([data(200)]);
  });
});

describe('fields.test.ts: timestamps and undefined properties', () => {
  it('returns Timestamps truncated to microseconds, top level and nested', async () => {
    const ref = doc(env.db, randomId(), 'd');
    await setDoc(ref, { timestamp: new Timestamp(100, 123456789), nested: { timestamp2: new Timestamp(100, 123456789) } });
    const snap = await getDoc(ref);
    expect(snap.get('timestamp')).toEqual(new Timestamp(100, 123456000));
    expect(snap.get('nested.timestamp2')).toEqual(new Timestamp(100, 123456000));
  });

  it('ignores undefined properties in set(), set(merge), update(), where() and startAt()', async () => {
    const ref = doc(lenient.db, randomId(), 'd');
    await setDoc(ref, { foo: 'foo', bar: undefined });
    expect((await getDoc(ref)).data()).toEqual({ foo: 'foo' });
    await setDoc(ref, { foo: 'foo', bar: 'unchanged' });
    await setDoc(ref, { foo: 'foo', bar: undefined }, { merge: true });
    expect((await getDoc(ref)).data()).toEqual({ foo: 'foo', bar: 'unchanged' });
    await setDoc(ref, {});
    await updateDoc(ref, { a: { foo: 'foo', bar: undefined } });
    await updateDoc(ref, 'b', { foo: 'foo', bar: undefined });
    expect((await getDoc(ref)).data()).toEqual({ a: { foo: 'foo' }, b: { foo: 'foo' } });

    const coll = collection(lenient.db, randomId());
    await setDoc(doc(coll, 'doc1'), { nested: { foo: 'foo' } });
    expect((await getDocs(query(coll, where('nested', '==', { foo: 'foo', bar: undefined })))).size).toBe(1);
    expect((await getDocs(query(coll, orderBy('nested'), startAt({ foo: 'foo', bar: undefined })))).size).toBe(1);
  });
});

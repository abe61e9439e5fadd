/**
 * Ported from googleapis/nodejs-firestore dev/system-test/firestore.ts ("Firestore class",
 * "CollectionReference class", "DocumentReference class", "Query class" and their watch
 * groups), run with firebase-admin 13 (gRPC).
 */
import type { CollectionReference, DocumentData, DocumentSnapshot, QuerySnapshot, Timestamp as TimestampType } from 'firebase-admin/firestore';
import { FieldPath, FieldValue, GeoPoint, Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { Events, codeOf, failure, randomId, useAdmin } from './harness.js';

const env = useAdmin('conf-admin');
const col = (): CollectionReference => env.db.collection(randomId('node_'));
const data = (snap: QuerySnapshot): DocumentData[] => snap.docs.map((d) => d.data());

async function addDocs(coll: CollectionReference, ...docs: DocumentData[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, d] of docs.entries()) {
    await coll.doc(`doc${i}`).set(d);
    ids.push(`doc${i}`);
  }
  return ids;
}

describe('firestore.ts: Firestore and CollectionReference classes', () => {
  it('getAll() reads several documents, with and without a field mask', async () => {
    const c = col();
    await Promise.all([c.doc('doc1').set({ foo: 'a', bar: 'b' }), c.doc('doc2').set({ foo: 'a', bar: 'b' })]);
    expect(await env.db.getAll(c.doc('doc1'), c.doc('doc2'))).toHaveLength(2);
    const masked = await env.db.getAll(c.doc('doc1'), c.doc('doc2'), { fieldMask: ['foo'] });
    expect(masked.map((d) => d.data())).toEqual([{ foo: 'a' }, { foo: 'a' }]);
  });

  it('add() creates a document with an auto id', async () => {
    const ref = await col().add({ foo: 'a' });
    expect(ref.id).toHaveLength(20);
    expect((await ref.get()).get('foo')).toBe('a');
  });

  it('lists missing documents (a parent that only has subcollections)', async () => {
    const c = col();
    await env.db.batch().set(c.doc('a'), {}).set(c.doc('b/b/b'), {}).set(c.doc('c'), {}).commit();
    const refs = await c.listDocuments();
    const docs = await env.db.getAll(...refs);
    expect(docs.filter((d) => d.exists).map((d) => d.id).sort()).toEqual(['a', 'c']);
    expect(docs.filter((d) => !d.exists).map((d) => d.id)).toEqual(['b']);
  });
});

describe('firestore.ts: DocumentReference class', () => {
  it('round-trips every supported type, NaN and BigInt-sized integers', async () => {
    const c = col();
    const all = {
      stringValue: 'a',
      trueValue: true,
      falseValue: false,
      integerValue: 10,
      largeIntegerValue: 1234567890000,
      doubleValue: 0.1,
      infinityValue: Infinity,
      negativeInfinityValue: -Infinity,
      objectValue: { foo: 'bar', '😀': '😜' },
      emptyObject: {},
      dateValue: new Timestamp(479978400, 123000000),
      zeroDateValue: new Timestamp(0, 0),
      arrayValue: ['foo', 42, 'bar'],
      emptyArray: [],
      nilValue: null,
      geoPointValue: new GeoPoint(50.1430847, -122.947778),
      zeroGeoPointValue: new GeoPoint(0, 0),
      bytesValue: Buffer.from([0x01, 0x02]),
      nanValue: NaN,
    };
    await c.doc('doc').set({ ...all, pathValue: env.db.doc('col1/ref1') });
    const got = (await c.doc('doc').get()).data()!;
    expect((got.pathValue as { path: string }).path).toBe('col1/ref1');
    delete got.pathValue;
    expect(got).toEqual(all);
  });

  it('create() fails with ALREADY_EXISTS on an existing document; update() with NOT_FOUND on a missing one', async () => {
    const ref = col().doc();
    await ref.create({ foo: 'a' });
    expect((await ref.get()).get('foo')).toBe('a');
    expect(await codeOf(ref.create({ foo: 'b' }))).toBe(6);
    const err = await failure(col().doc().update({ foo: 'b' }));
    expect(err.code).toBe(5);
    expect(err.message).toMatch(/No document to update/);
  });

  it('supports server timestamps in set(), update() with dotted paths and set(merge)', async () => {
    const ref = col().doc('doc');
    await ref.set({ a: 'bar', b: { remove: 'bar' }, d: { keep: 'bar' }, f: FieldValue.serverTimestamp() });
    const setTime = (await ref.get()).get('f') as TimestampType;
    expect(setTime).toBeInstanceOf(Timestamp);
    await ref.update({ a: FieldValue.serverTimestamp(), b: { c: FieldValue.serverTimestamp() }, 'd.e': FieldValue.serverTimestamp() });
    const snap = await ref.get();
    const t = snap.get('a') as TimestampType;
    expect(snap.data()).toEqual({ a: t, b: { c: t }, d: { e: t, keep: 'bar' }, f: setTime });
    const merged = col().doc('m');
    await merged.set({ a: 'b' });
    await merged.set({ c: FieldValue.serverTimestamp() }, { merge: true });
    const m = await merged.get();
    expect(m.data()).toEqual({ a: 'b', c: m.get('c') as TimestampType });
  });

  it('supports increment() via update and set(merge), arrayUnion() and arrayRemove() on nested paths', async () => {
    const ref = col().doc('doc');
    await ref.set({ sum: 1 });
    await ref.update({ sum: FieldValue.increment(1) });
    await ref.set({ sum: FieldValue.increment(1) }, { merge: true });
    expect((await ref.get()).data()).toEqual({ sum: 3 });
    await ref.set({ a: [], b: ['foo'], c: { d: ['foo'] } });
    await ref.update({ a: FieldValue.arrayUnion('foo', 'bar'), b: FieldValue.arrayUnion('foo', 'bar'), 'c.d': FieldValue.arrayUnion('foo', 'bar') });
    expect((await ref.get()).data()).toEqual({ a: ['foo', 'bar'], b: ['foo', 'bar'], c: { d: ['foo', 'bar'] } });
    await ref.set({ a: [], b: ['foo', 'foo', 'baz'], c: { d: ['foo', 'bar', 'baz'] } });
    await ref.update({ a: FieldValue.arrayRemove('foo'), b: FieldValue.arrayRemove('foo'), 'c.d': FieldValue.arrayRemove('foo', 'bar') });
    expect((await ref.get()).data()).toEqual({ a: [], b: ['baz'], c: { d: ['baz'] } });
  });

  it('set() with merge keeps dotted keys literal; update() honours lastUpdateTime', async () => {
    const ref = col().doc('doc');
    await ref.set({ 'a.1': 'foo', nested: { 'b.1': 'bar' } });
    await ref.set({ 'a.2': 'foo', nested: { 'b.2': 'bar' } }, { merge: true });
    expect((await ref.get()).data()).toEqual({ 'a.1': 'foo', 'a.2': 'foo', nested: { 'b.1': 'bar', 'b.2': 'bar' } });
    const res = await ref.set({ foo: 'a' });
    await ref.update({ foo: 'b' }, { lastUpdateTime: res.writeTime });
    expect((await ref.get()).get('foo')).toBe('b');
    expect(await codeOf(ref.update({ foo: 'c' }, { lastUpdateTime: res.writeTime }))).toBe(9);
  });

  it('deletes, deletes missing documents, and fails delete({exists: true}) on a missing one', async () => {
    const ref = col().doc('doc');
    await ref.set({ foo: 'a' });
    await ref.delete();
    expect((await ref.get()).exists).toBe(false);
    await env.db.collection('col').doc().delete();
    const err = await failure(col().doc().delete({ exists: true }));
    expect(err.message).toContain('No document to update');
  });

  it('supports non-alphanumeric field names', async () => {
    const ref = col().doc('doc');
    await ref.set({ '!.\\`': { '!.\\`': 'value' } });
    expect((await ref.get()).data()).toEqual({ '!.\\`': { '!.\\`': 'value' } });
    await ref.update(new FieldPath('!.\\`', '!.\\`'), 'new-value');
    expect((await ref.get()).data()).toEqual({ '!.\\`': { '!.\\`': 'new-value' } });
  });

  it('lists collections in order', async () => {
    const c = col();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    await Promise.all(ids.map((id) => c.doc(`doc/${id}/doc`).create({})));
    expect((await c.doc('doc').listCollections()).map((r) => r.id)).toEqual(ids);
  });

  it('adds and deletes fields sequentially (set, merge, update, delete sentinels)', async () => {
    const ref = col().doc('doc');
    const steps: Array<[() => Promise<unknown>, DocumentData | null]> = [
      [() => ref.create({}), {}],
      [() => ref.delete(), null],
      [() => ref.create({ a: { b: 'c' } }), { a: { b: 'c' } }],
      [() => ref.set({}, { merge: true }), { a: { b: 'c' } }],
      [() => ref.set({}), {}],
      [() => ref.set({ a: { b: 'c' } }), { a: { b: 'c' } }],
      [() => ref.set({ a: { d: 'e' } }, { merge: true }), { a: { b: 'c', d: 'e' } }],
      [() => ref.set({ a: { d: FieldValue.delete() } }, { merge: true }), { a: { b: 'c' } }],
      [() => ref.set({ a: { b: FieldValue.delete() } }, { merge: true }), { a: {} }],
      [() => ref.set({ a: { e: 'foo' } }, { merge: true }), { a: { e: 'foo' } }],
      [() => ref.set({ f: 'foo' }, { merge: true }), { a: { e: 'foo' }, f: 'foo' }],
      [() => ref.set({ f: { g: 'foo' } }, { merge: true }), { a: { e: 'foo' }, f: { g: 'foo' } }],
      [() => ref.update({ 'f.h': 'foo' }), { a: { e: 'foo' }, f: { g: 'foo', h: 'foo' } }],
      [() => ref.update({ 'f.g': FieldValue.delete() }), { a: { e: 'foo' }, f: { h: 'foo' } }],
      [() => ref.update({ 'f.h': FieldValue.delete() }), { a: { e: 'foo' }, f: {} }],
      [() => ref.update({ f: FieldValue.delete() }), { a: { e: 'foo' } }],
      [() => ref.update({ 'i.j': {} }), { a: { e: 'foo' }, i: { j: {} } }],
      [() => ref.update({ 'i.j': { k: 'foo' } }), { a: { e: 'foo' }, i: { j: { k: 'foo' } } }],
      [() => ref.update({ 'i.j': { l: {} } }), { a: { e: 'foo' }, i: { j: { l: {} } } }],
      [() => ref.update({ i: FieldValue.delete() }), { a: { e: 'foo' } }],
      [() => ref.update({ a: FieldValue.delete() }), {}],
    ];
    for (const [action, expected] of steps) {
      await action();
      const snap = await ref.get();
      expect(snap.exists ? snap.data() : null).toEqual(expected);
    }
  });

  it('adds and deletes fields with server timestamps', async () => {
    const ref = col().doc('doc');
    const st = FieldValue.serverTimestamp;
    const actions = [
      () => ref.create({ time: st(), a: { b: st() } }),
      () => ref.set({ time: st(), a: { c: st() } }),
      () => ref.set({ time: st(), a: { d: st() } }, { merge: true }),
      () => ref.set({ time: st(), e: st() }, { merge: true }),
      () => ref.set({ time: st(), e: { f: st() } }, { merge: true }),
      () => ref.update({ time: st(), 'g.h': st() }),
      () => ref.update({ time: st(), 'g.j': { k: st() } }),
    ];
    const expected = [
      (t: unknown[]) => ({ time: t[0], a: { b: t[0] } }),
      (t: unknown[]) => ({ time: t[1], a: { c: t[1] } }),
      (t: unknown[]) => ({ time: t[2], a: { c: t[1], d: t[2] } }),
      (t: unknown[]) => ({ time: t[3], a: { c: t[1], d: t[2] }, e: t[3] }),
      (t: unknown[]) => ({ time: t[4], a: { c: t[1], d: t[2] }, e: { f: t[4] } }),
      (t: unknown[]) => ({ time: t[5], a: { c: t[1], d: t[2] }, e: { f: t[4] }, g: { h: t[5] } }),
      (t: unknown[]) => ({ time: t[6], a: { c: t[1], d: t[2] }, e: { f: t[4] }, g: { h: t[5], j: { k: t[6] } } }),
    ];
    const times: unknown[] = [];
    for (let i = 0; i < actions.length; i++) {
      await actions[i]!();
      const snap = await ref.get();
      times.push(snap.get('time'));
      expect(snap.data()).toEqual(expected[i]!(times));
    }
  });
});

describe('firestore.ts: DocumentReference watch', () => {
  it('handles changing and deleting a doc (create time kept, read and update times advance)', async () => {
    const ref = col().doc('doc');
    const events = new Events<DocumentSnapshot>();
    const unsub = ref.onSnapshot(events.push, events.fail);
    expect((await events.next()).exists).toBe(false);
    await ref.set({ foo: 'a' });
    const first = await events.next();
    expect(first.get('foo')).toBe('a');
    await ref.set({ foo: 'b' });
    const second = await events.next();
    expect(second.get('foo')).toBe('b');
    expect(second.createTime!.isEqual(first.createTime!)).toBe(true);
    expect(second.readTime.toMillis()).toBeGreaterThanOrEqual(first.readTime.toMillis());
    expect(second.updateTime! > first.updateTime!).toBe(true);
    await ref.delete();
    expect((await events.next()).exists).toBe(false);
    unsub();
  });

  it('handles multiple streams on the same doc', async () => {
    const ref = col().doc();
    const a = new Events<DocumentSnapshot>();
    const b = new Events<DocumentSnapshot>();
    const ua = ref.onSnapshot(a.push, a.fail);
    const ub = ref.onSnapshot(b.push, b.fail);
    expect([(await a.next()).exists, (await b.next()).exists]).toEqual([false, false]);
    await ref.set({ foo: 'foo' });
    expect([(await a.next()).exists, (await b.next()).exists]).toEqual([true, true]);
    await ref.delete();
    expect([(await a.next()).exists, (await b.next()).exists]).toEqual([false, false]);
    ua();
    ub();
  });

  it('handles more than 100 concurrent listeners', async () => {
    const c = col();
    const seen = Array.from({ length: 150 }, () => new Events<number>());
    const unsubs = seen.map((e, i) => c.where('i', '>', i).onSnapshot((s) => e.push(s.size), e.fail));
    for (const e of seen) expect(await e.next()).toBe(0);
    await c.doc('doc').set({ i: 1337 });
    for (const e of seen) expect(await e.next()).toBe(1);
    unsubs.forEach((u) => u());
  });
});

describe('firestore.ts: Query class', () => {
  it('select() with fields and with none', async () => {
    const c = col();
    await c.doc('doc').set({ foo: 'bar', bar: 'foo' });
    expect((await c.select('foo').get()).docs[0]!.data()).toEqual({ foo: 'bar' });
    const names = await c.select().get();
    expect(names.docs[0]!.id).toBe('doc');
    expect(names.docs[0]!.data()).toEqual({});
  });

  it('supports NaN and null equality and array-contains', async () => {
    const c = col();
    await c.doc('doc').set({ foo: NaN, bar: null });
    const res = await c.where('foo', '==', NaN).where('bar', '==', null).get();
    expect(res.size).toBe(1);
    await Promise.all([c.add({ arr: ['bar'] }), c.add({ arr: [] })]);
    expect(data(await c.where('arr', 'array-contains', 'bar').get())).toEqual([{ arr: ['bar'] }]);
  });

  it('supports != with NaN, null, arrays and maps', async () => {
    const c = col();
    await addDocs(c, { zip: NaN }, { zip: 91102 }, { zip: 98101 }, { zip: 98103 }, { zip: [98101] }, { zip: ['98101', { zip: 98101 }] }, { zip: { zip: 98101 } }, { zip: null });
    const zips = async (q: FirebaseFirestore.Query): Promise<unknown[]> => data(await q.get()).map((d) => d.zip);
    expect(await zips(c.where('zip', '!=', 98101))).toEqual([NaN, 91102, 98103, [98101], ['98101', { zip: 98101 }], { zip: 98101 }]);
    expect(await zips(c.where('zip', '!=', NaN))).toEqual([91102, 98101, 98103, [98101], ['98101', { zip: 98101 }], { zip: 98101 }]);
    expect(await zips(c.where('zip', '!=', null))).toEqual([NaN, 91102, 98101, 98103, [98101], ['98101', { zip: 98101 }], { zip: 98101 }]);
  });

  it('supports not-in, in and array-contains-any, also by document id', async () => {
    const c = col();
    await addDocs(c, { zip: 98101 }, { zip: 91102 }, { zip: 98103 }, { zip: [98101] }, { zip: ['98101', { zip: 98101 }] }, { zip: { zip: 98101 } });
    const zips = async (q: FirebaseFirestore.Query): Promise<unknown[]> => data(await q.get()).map((d) => d.zip);
    expect(await zips(c.where('zip', 'not-in', [98101, 98103]))).toEqual([91102, [98101], ['98101', { zip: 98101 }], { zip: 98101 }]);
    expect(await zips(c.where('zip', 'not-in', [NaN]))).toEqual([91102, 98101, 98103, [98101], ['98101', { zip: 98101 }], { zip: 98101 }]);
    expect((await c.where('zip', 'not-in', [null]).get()).size).toBe(0);
    expect(await zips(c.where('zip', 'in', [98101, 98103]))).toEqual([98101, 98103]);
    const d = col();
    const refs = await addDocs(d, { count: 1 }, { count: 2 }, { count: 3 });
    expect(data(await d.where(FieldPath.documentId(), '!=', refs[0]!).get())).toEqual([{ count: 2 }, { count: 3 }]);
    expect(data(await d.where(FieldPath.documentId(), 'not-in', [refs[0]!, d.doc(refs[1]!)]).get())).toEqual([{ count: 3 }]);
    expect(data(await d.where(FieldPath.documentId(), 'in', [refs[0]!, d.doc(refs[1]!)]).get())).toEqual([{ count: 1 }, { count: 2 }]);
    const e = col();
    await addDocs(e, { array: [42] }, { array: ['a', 42, 'c'] }, { array: [41.999, '42', { a: [42] }] }, { array: [42], array2: ['sigh'] }, { array: [43] }, { array: [{ a: 42 }] }, { array: 42 });
    expect(data(await e.where('array', 'array-contains-any', [42, 43]).get())).toEqual([{ array: [42] }, { array: ['a', 42, 'c'] }, { array: [42], array2: ['sigh'] }, { array: [43] }]);
  });

  it('orders, limits, offsets and pages with cursors (limitToLast included)', async () => {
    const c = col();
    await addDocs(c, { doc: 1 }, { doc: 2 }, { doc: 3 }, { doc: 4 }, { doc: 5 });
    expect(data(await c.orderBy('doc', 'desc').limit(2).get())).toEqual([{ doc: 5 }, { doc: 4 }]);
    expect(data(await c.orderBy('doc').limitToLast(2).get())).toEqual([{ doc: 4 }, { doc: 5 }]);
    expect(data(await c.orderBy('doc').startAt(2).endAt(4).limitToLast(5).get())).toEqual([{ doc: 2 }, { doc: 3 }, { doc: 4 }]);
    expect(data(await c.orderBy('doc').offset(3).get())).toEqual([{ doc: 4 }, { doc: 5 }]);
    expect(data(await c.orderBy('doc').startAfter(4).get())).toEqual([{ doc: 5 }]);
    expect(data(await c.orderBy('doc').endBefore(2).get())).toEqual([{ doc: 1 }]);
    expect(data(await c.orderBy(FieldPath.documentId()).startAt(c.doc('doc3')).get())).toEqual([{ doc: 4 }, { doc: 5 }]);
    expect((await c.where(FieldPath.documentId(), '>=', 'doc1').get()).size).toBe(4);
  });

  it('supports pagination with orderBy, where and array-contains', async () => {
    const c = col();
    const batch = env.db.batch();
    for (let i = 0; i < 10; i++) batch.set(c.doc('doc' + i), { val: i, array: ['foo'] });
    await batch.commit();
    async function paginate(q: FirebaseFirestore.Query): Promise<{ pages: number; docs: number }> {
      let pages = 0;
      let docs = 0;
      let last: FirebaseFirestore.QueryDocumentSnapshot | undefined;
      for (;;) {
        const snap = await (last ? q.startAfter(last) : q).get();
        if (snap.empty) return { pages, docs };
        pages++;
        docs += snap.size;
        last = snap.docs[snap.docs.length - 1];
      }
    }
    expect(await paginate(c.orderBy('val').limit(3))).toEqual({ pages: 4, docs: 10 });
    expect(await paginate(c.where('val', '>=', 1).limit(3))).toEqual({ pages: 3, docs: 9 });
    expect(await paginate(c.where('array', 'array-contains', 'foo').limit(3))).toEqual({ pages: 4, docs: 10 });
  });

  it('streams results and handles Unicode names and large collections', async () => {
    const c = col();
    const sub = c.doc('доброеутро').collection('coll');
    await sub.add({});
    expect((await sub.get()).size).toBe(1);
    const batch = env.db.batch();
    for (let i = 0; i < 100; i++) batch.create(c.doc(), {});
    await batch.commit();
    let streamed = 0;
    for await (const _doc of c.stream()) streamed++;
    expect(streamed).toBe(100);
    expect((await c.get()).size).toBe(100);
  });
});

describe('firestore.ts: Query watch', () => {
  it('reports added, modified and removed documents with times (and docs leaving the filter)', async () => {
    const c = col();
    const events = new Events<QuerySnapshot>();
    const unsub = c.where('included', '==', 'yes').onSnapshot(events.push, events.fail);
    const changes = (s: QuerySnapshot): Array<[string, string]> => s.docChanges().map((ch) => [ch.type, ch.doc.id]);
    expect((await events.next()).size).toBe(0);
    await c.doc('doc1').set({ included: 'yes' });
    expect(changes(await events.next())).toEqual([['added', 'doc1']]);
    await c.doc('doc2').set({ included: 'yes' });
    expect(changes(await events.next())).toEqual([['added', 'doc2']]);
    await c.doc('doc2').set({ included: 'yes', more: 1 });
    const modified = await events.next();
    expect(changes(modified)).toEqual([['modified', 'doc2']]);
    expect(modified.docChanges()[0]!.doc.updateTime).toBeDefined();
    expect(modified.readTime).toBeDefined();
    await c.doc('doc2').set({ included: 'no' });
    expect(changes(await events.next())).toEqual([['removed', 'doc2']]);
    await c.doc('doc1').delete();
    expect(changes(await events.next())).toEqual([['removed', 'doc1']]);
    unsub();
  });

  it('orders limitToLast() correctly in listeners', async () => {
    const c = col();
    await addDocs(c, { doc: 1 }, { doc: 2 }, { doc: 3 });
    const events = new Events<QuerySnapshot>();
    const unsub = c.orderBy('doc').limitToLast(2).onSnapshot(events.push, events.fail);
    const snap = await events.next();
    expect(data(snap)).toEqual([{ doc: 2 }, { doc: 3 }]);
    expect(snap.docChanges().map((ch) => [ch.type, ch.doc.id])).toEqual([
      ['added', 'doc1'],
      ['added', 'doc2'],
    ]);
    unsub();
  });
});

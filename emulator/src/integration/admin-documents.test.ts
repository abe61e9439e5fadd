import type { Firestore } from 'firebase-admin/firestore';
import { FieldPath, FieldValue, Timestamp } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { startTestTarget, uniqueProjectId } from '../testing/test-env.js';

let target: TestTarget;
let db: Firestore;
let close: () => Promise<void>;
const projectId = uniqueProjectId('admin-docs');

beforeAll(async () => {
  target = await startTestTarget();
  ({ db, close } = adminFirestore(target, projectId));
});

afterAll(async () => {
  await close();
  await target.stop();
});

const code = async (p: Promise<unknown>): Promise<number | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code;
  }
};

describe('firebase-admin documents', () => {
  it('writes, reads, merges and deletes with create/update times', async () => {
    const ref = db.doc('docs/a');
    const w1 = await ref.set({ name: 'a', nested: { x: 1, y: 2 }, list: [1, 'two', null] });
    const snap = await ref.get();
    expect(snap.exists).toBe(true);
    expect(snap.data()).toEqual({ name: 'a', nested: { x: 1, y: 2 }, list: [1, 'two', null] });
    expect(snap.createTime!.isEqual(w1.writeTime)).toBe(true);
    expect(snap.updateTime!.isEqual(w1.writeTime)).toBe(true);

    const w2 = await ref.set({ nested: { y: 3 }, extra: true }, { merge: true });
    const merged = await ref.get();
    expect(merged.data()).toEqual({ name: 'a', nested: { x: 1, y: 3 }, list: [1, 'two', null], extra: true });
    expect(merged.createTime!.isEqual(w1.writeTime)).toBe(true);
    expect(w2.writeTime.toMillis()).toBeGreaterThanOrEqual(w1.writeTime.toMillis());
    expect(merged.updateTime!.valueOf() > snap.updateTime!.valueOf()).toBe(true);

    await ref.update({ 'nested.x': FieldValue.delete(), name: 'b' });
    expect((await ref.get()).data()).toEqual({ name: 'b', nested: { y: 3 }, list: [1, 'two', null], extra: true });

    await ref.delete();
    expect((await ref.get()).exists).toBe(false);
  });

  it('keeps the update time when a write changes nothing', async () => {
    const ref = db.doc('docs/noop');
    const first = await ref.set({ a: 1 });
    const second = await ref.set({ a: 1 });
    expect(second.writeTime.isEqual(first.writeTime)).toBe(true);
  });

  it('answers preconditions with Firestore status codes', async () => {
    const ref = db.doc('docs/pre');
    await ref.create({ v: 1 });
    expect(await code(ref.create({ v: 2 }))).toBe(6); // ALREADY_EXISTS
    expect(await code(db.doc('docs/missing').update({ v: 1 }))).toBe(5); // NOT_FOUND
    const snap = await ref.get();
    await ref.update({ v: 2 });
    expect(await code(ref.update({ v: 3 }, { lastUpdateTime: snap.updateTime! }))).toBe(9); // FAILED_PRECONDITION
    expect(await code(ref.delete({ lastUpdateTime: snap.updateTime! }))).toBe(9);
    const fresh = await ref.get();
    await ref.update({ v: 4 }, { lastUpdateTime: fresh.updateTime! });
    expect((await ref.get()).get('v')).toBe(4);
    expect(await code(db.doc('docs/missing').delete({ exists: true }))).toBe(5);
  });

  it('applies every field transform', async () => {
    const ref = db.doc('docs/transforms');
    await ref.set({ n: 1, d: 1.5, big: Number.MAX_SAFE_INTEGER, arr: [1, 2, 3], when: null });
    const res = await ref.update({
      n: FieldValue.increment(2),
      d: FieldValue.increment(1),
      missing: FieldValue.increment(5),
      arr: FieldValue.arrayUnion(3, 4, 4),
      arr2: FieldValue.arrayRemove(1),
      when: FieldValue.serverTimestamp(),
    });
    const data = (await ref.get()).data()!;
    expect(data.n).toBe(3);
    expect(data.d).toBe(2.5);
    expect(data.missing).toBe(5);
    expect(data.arr).toEqual([1, 2, 3, 4]);
    expect(data.arr2).toEqual([]);
    expect(data.when).toBeInstanceOf(Timestamp);
    expect((data.when as Timestamp).isEqual(res.writeTime)).toBe(true);
    await ref.update({ arr: FieldValue.arrayRemove(2, 4) });
    expect((await ref.get()).get('arr')).toEqual([1, 3]);
  });

  it('reads with field masks and reports missing documents', async () => {
    await db.doc('mask/a').set({ keep: 1, drop: 2, deep: { keep: 3, drop: 4 } });
    const [a, missing] = await db.getAll(db.doc('mask/a'), db.doc('mask/nope'), { fieldMask: ['keep', new FieldPath('deep', 'keep')] });
    expect(a!.data()).toEqual({ keep: 1, deep: { keep: 3 } });
    expect(missing!.exists).toBe(false);
  });

  it('lists documents (with missing parents) and collection ids', async () => {
    await db.doc('tree/p1').set({ a: 1 });
    await db.doc('tree/ghost/sub/c1').set({ b: 1 });
    await db.doc('tree/p1/kids/k1').set({ c: 1 });
    const refs = await db.collection('tree').listDocuments();
    expect(refs.map((r) => r.id).sort()).toEqual(['ghost', 'p1']);
    const cols = await db.doc('tree/p1').listCollections();
    expect(cols.map((c) => c.id)).toEqual(['kids']);
    const root = await db.listCollections();
    expect(root.map((c) => c.id)).toContain('tree');
  });

  it('writes in batches atomically', async () => {
    const batch = db.batch();
    batch.set(db.doc('batch/a'), { v: 1 });
    batch.update(db.doc('batch/missing'), { v: 1 });
    expect(await code(batch.commit())).toBe(5);
    expect((await db.doc('batch/a').get()).exists).toBe(false);
  });

  it('uses BatchWrite through BulkWriter, with a status per write', async () => {
    const writer = db.bulkWriter();
    writer.onWriteError(() => false);
    const ok = writer.set(db.doc('bulk/a'), { v: 1 });
    const bad = writer.update(db.doc('bulk/missing'), { v: 1 });
    const results = await Promise.allSettled([ok, bad, writer.close()]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results[1]!.status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason.code).toBe(5);
    expect((await db.doc('bulk/a').get()).get('v')).toBe(1);
  });

  it('deletes recursively', async () => {
    await db.doc('rec/a').set({ v: 1 });
    await db.doc('rec/a/sub/b').set({ v: 2 });
    await db.doc('rec/a/sub/b/deeper/c').set({ v: 3 });
    await db.doc('other/keep').set({ v: 4 });
    await db.recursiveDelete(db.collection('rec'));
    expect((await db.doc('rec/a/sub/b/deeper/c').get()).exists).toBe(false);
    expect((await db.doc('other/keep').get()).exists).toBe(true);
  });

  it('stores integers, doubles, timestamps (microseconds), bytes, geo points and references', async () => {
    const ref = db.doc('types/all');
    const ts = new Timestamp(100, 123456789);
    await ref.set({
      i: 42,
      big: 2 ** 53,
      f: 0.5,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ts,
      bytes: Buffer.from([0, 1, 255]),
      geo: new (await import('firebase-admin/firestore')).GeoPoint(10, -20),
      ref: db.doc('types/other'),
      vec: FieldValue.vector([1, 2, 3]),
    });
    const d = (await ref.get()).data()!;
    expect(d.i).toBe(42);
    expect(d.big).toBe(2 ** 53);
    expect(d.nan).toBeNaN();
    expect(d.inf).toBe(Number.POSITIVE_INFINITY);
    expect((d.ts as Timestamp).nanoseconds).toBe(123456000);
    expect(Buffer.from(d.bytes as Uint8Array)).toEqual(Buffer.from([0, 1, 255]));
    expect(d.geo.latitude).toBe(10);
    expect(d.ref.path).toBe('types/other');
    expect(d.vec.toArray()).toEqual([1, 2, 3]);
  });

  it('rejects reserved ids but accepts numeric __id__ ids', async () => {
    expect(await code(db.doc('docs/__reserved__').set({ a: 1 }))).toBe(3);
    await db.doc('docs/__id123__').set({ a: 1 });
    expect((await db.doc('docs/__id123__').get()).exists).toBe(true);
  });

  it('isolates named databases of the same project', async () => {
    const { initializeApp, deleteApp } = await import('firebase-admin/app');
    const { getFirestore } = await import('firebase-admin/firestore');
    const app = initializeApp({ projectId }, `named-${Date.now()}`);
    const other = getFirestore(app, 'otherdb');
    other.settings({ host: target.hostAndPort, ssl: false });
    await other.doc('iso/a').set({ where: 'otherdb' });
    await db.doc('iso/a').set({ where: 'default' });
    expect((await other.doc('iso/a').get()).get('where')).toBe('otherdb');
    expect((await db.doc('iso/a').get()).get('where')).toBe('default');
    await other.terminate();
    await deleteApp(app);
  });

  it('reads documents as of a past time', async () => {
    const ref = db.doc('pitr/a');
    const first = await ref.set({ v: 1 });
    await ref.set({ v: 2 });
    const value = await db.runTransaction(async (tx) => (await tx.get(ref)).get('v'), { readOnly: true, readTime: first.writeTime });
    expect(value).toBe(1);
  });
});

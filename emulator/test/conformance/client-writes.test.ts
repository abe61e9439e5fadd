/**
 * Writes seen through the client SDK, ported from firebase-js-sdk
 * packages/firestore/test/integration/api/database.test.ts (merges, field masks, updates),
 * batch_writes.test.ts, server_timestamp.test.ts, numeric_transforms.test.ts and
 * array_transforms.test.ts. Transform results are checked both in the latency-compensated
 * local event and in the event the server's acknowledgement raises.
 */
import type { DocumentData, DocumentReference, DocumentSnapshot, QuerySnapshot } from 'firebase/firestore';
import {
  FieldPath,
  Timestamp,
  arrayRemove,
  arrayUnion,
  collection,
  deleteField,
  doc,
  getDoc,
  increment,
  onSnapshot,
  serverTimestamp,
  setDoc,
  updateDoc,
  writeBatch,
} from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { Events, failure, randomId, toData, useClient } from './harness.js';

const env = useClient('conf-writes');
const META = { includeMetadataChanges: true } as const;
const fresh = (): DocumentReference => doc(collection(env.db, randomId()));

async function afterWrite(ref: DocumentReference, initial: DocumentData | undefined, write: (ref: DocumentReference) => Promise<unknown>): Promise<DocumentData> {
  if (initial) await setDoc(ref, initial);
  await write(ref);
  return (await getDoc(ref)).data()!;
}

describe('database.test.ts: set with merge and field masks', () => {
  it('merges data into an existing document (dotted keys are plain fields)', async () => {
    const data = await afterWrite(fresh(), { desc: 'description', 'owner.data': { name: 'Jonny', email: 'abc@xyz.com' } }, (r) =>
      setDoc(r, { updated: true, 'owner.data': { name: 'Sebastian' } }, { merge: true }),
    );
    expect(data).toEqual({ updated: true, desc: 'description', 'owner.data': { name: 'Sebastian', email: 'abc@xyz.com' } });
  });

  it('merges server timestamps, top level and nested', async () => {
    const ref = fresh();
    await afterWrite(ref, { updated: false }, (r) => setDoc(r, { time: serverTimestamp(), nested: { time: serverTimestamp() } }, { merge: true }));
    const snap = await getDoc(ref);
    expect(snap.get('updated')).toBe(false);
    expect(snap.get('time')).toBeInstanceOf(Timestamp);
    expect(snap.get('nested.time')).toBeInstanceOf(Timestamp);
  });

  it('merges empty objects (set {}, mergeFields a, merge b)', async () => {
    const ref = fresh();
    const events = new Events<DocumentSnapshot>();
    const unsub = onSnapshot(ref, events.push, events.fail);
    await events.next();
    await setDoc(ref, {});
    expect((await events.until((s) => s.exists())).data()).toEqual({});
    await setDoc(ref, { a: {} }, { mergeFields: ['a'] });
    expect((await events.next()).data()).toEqual({ a: {} });
    await setDoc(ref, { b: {} }, { merge: true });
    expect((await events.next()).data()).toEqual({ a: {}, b: {} });
    unsub();
    expect((await getDoc(ref)).data()).toEqual({ a: {}, b: {} });
  });

  it('deletes fields through merge and through mergeFields', async () => {
    const initial = { untouched: true, foo: 'bar', inner: { removed: true, foo: 'bar' }, nested: { untouched: true, foo: 'bar' } };
    const merged = await afterWrite(fresh(), initial, (r) => setDoc(r, { foo: deleteField(), nested: { foo: deleteField() } }, { merge: true }));
    expect(merged).toEqual({ untouched: true, inner: { removed: true, foo: 'bar' }, nested: { untouched: true } });
    const masked = await afterWrite(fresh(), initial, (r) =>
      setDoc(r, { foo: deleteField(), inner: { foo: deleteField() }, nested: { untouched: deleteField(), foo: deleteField() } }, { mergeFields: ['foo', 'inner', 'nested.foo'] }),
    );
    expect(masked).toEqual({ untouched: true, inner: {}, nested: { untouched: true } });
  });

  it('sets server timestamps through mergeFields', async () => {
    const ref = fresh();
    await afterWrite(ref, { untouched: true, foo: 'bar', nested: { untouched: true, foo: 'bar' } }, (r) =>
      setDoc(r, { foo: serverTimestamp(), inner: { foo: serverTimestamp() }, nested: { foo: serverTimestamp() } }, { mergeFields: ['foo', 'inner', 'nested.foo'] }),
    );
    const snap = await getDoc(ref);
    for (const f of ['foo', 'inner.foo', 'nested.foo']) expect(snap.get(f)).toBeInstanceOf(Timestamp);
    expect(snap.get('nested.untouched')).toBe(true);
  });

  it('replaces arrays when merging', async () => {
    const data = await afterWrite(fresh(), { untouched: true, data: 'old', topLevel: ['old', 'old'], mapInArray: [{ data: 'old' }] }, (r) =>
      setDoc(r, { data: 'new', topLevel: ['new'], mapInArray: [{ data: 'new' }] }, { merge: true }),
    );
    expect(data).toEqual({ untouched: true, data: 'new', topLevel: ['new'], mapInArray: [{ data: 'new' }] });
  });

  it('applies only the masked fields (deletes and transforms outside the mask are ignored)', async () => {
    const initial = { desc: 'Description', owner: { name: 'Jonny', email: 'abc@xyz.com' } };
    expect(await afterWrite(fresh(), initial, (r) => setDoc(r, { desc: 'NewDescription', owner: 'Sebastian' }, { mergeFields: ['owner'] }))).toEqual({
      desc: 'Description',
      owner: 'Sebastian',
    });
    expect(await afterWrite(fresh(), initial, (r) => setDoc(r, { desc: deleteField(), owner: 'Sebastian' }, { mergeFields: ['owner'] }))).toEqual({
      desc: 'Description',
      owner: 'Sebastian',
    });
    expect(await afterWrite(fresh(), initial, (r) => setDoc(r, { desc: serverTimestamp(), owner: 'Sebastian' }, { mergeFields: ['owner'] }))).toEqual({
      desc: 'Description',
      owner: 'Sebastian',
    });
    expect(await afterWrite(fresh(), initial, (r) => setDoc(r, { desc: 'NewDescription', owner: 'Sebastian' }, { mergeFields: [] }))).toEqual(initial);
    expect(
      await afterWrite(fresh(), initial, (r) => setDoc(r, { desc: 'NewDescription', owner: { name: 'Sebastian', email: 'new@xyz.com' } }, { mergeFields: ['owner.name', 'owner', 'owner'] })),
    ).toEqual({ desc: 'Description', owner: { name: 'Sebastian', email: 'new@xyz.com' } });
  });
});

describe('database.test.ts: updates', () => {
  it('cannot update a nonexistent document (not-found, nothing written)', async () => {
    const ref = fresh();
    const err = await failure(updateDoc(ref, { owner: 'abc' }));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/no (document|entity) to update/i);
    expect((await getDoc(ref)).exists()).toBe(false);
  });

  it('updates dotted paths, deletes fields and updates nested fields through FieldPath', async () => {
    const a = await afterWrite(fresh(), { desc: 'Description', owner: { name: 'Jonny', email: 'abc@xyz.com' } }, (r) => updateDoc(r, { desc: 'NewDescription', 'owner.email': 'new@xyz.com' }));
    expect(a).toEqual({ desc: 'NewDescription', owner: { name: 'Jonny', email: 'new@xyz.com' } });
    const b = await afterWrite(fresh(), { desc: 'Description', owner: { name: 'Jonny', email: 'abc@xyz.com' } }, (r) => updateDoc(r, { 'owner.email': deleteField() }));
    expect(b).toEqual({ desc: 'Description', owner: { name: 'Jonny' } });
    const c = await afterWrite(fresh(), { desc: 'Description', owner: { name: 'Jonny' }, 'is.admin': false }, (r) =>
      updateDoc(r, 'owner.name', 'Sebastian', new FieldPath('is.admin'), true),
    );
    expect(c).toEqual({ desc: 'Description', owner: { name: 'Sebastian' }, 'is.admin': true });
  });
});

describe('batch_writes.test.ts', () => {
  it('supports empty batches, set, set with merge, update and delete', async () => {
    await writeBatch(env.db).commit();
    const ref = fresh();
    await writeBatch(env.db).set(ref, { a: 'b', nested: { a: 'b' } }, { merge: true }).commit();
    await writeBatch(env.db).set(ref, { c: 'd', nested: { c: 'd' } }, { merge: true }).commit();
    expect((await getDoc(ref)).data()).toEqual({ a: 'b', c: 'd', nested: { a: 'b', c: 'd' } });
    await writeBatch(env.db).update(ref, { baz: 42 }).commit();
    expect((await getDoc(ref)).get('baz')).toBe(42);
    await writeBatch(env.db).delete(ref).commit();
    expect((await getDoc(ref)).exists()).toBe(false);
  });

  it('commits atomically, raising a local then a server event', async () => {
    const coll = collection(env.db, randomId());
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, META, events.push, events.fail);
    expect((await events.until((s) => !s.metadata.fromCache)).size).toBe(0);
    const commit = writeBatch(env.db).set(doc(coll, 'a'), { a: 1 }).set(doc(coll, 'b'), { b: 2 }).commit();
    const local = await events.next();
    expect(local.metadata.hasPendingWrites).toBe(true);
    expect(toData(local)).toEqual([{ a: 1 }, { b: 2 }]);
    const server = await events.until((s) => !s.metadata.hasPendingWrites);
    expect(toData(server)).toEqual([{ a: 1 }, { b: 2 }]);
    await commit;
    unsub();
  });

  it('fails atomically, reverting the local event (not-found)', async () => {
    const coll = collection(env.db, randomId());
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, META, events.push, events.fail);
    await events.until((s) => !s.metadata.fromCache);
    const commit = writeBatch(env.db).set(doc(coll, 'a'), { a: 1 }).update(doc(coll, 'b'), { b: 2 }).commit();
    const settled = commit.then(
      () => undefined,
      (e: { code: string; message: string }) => e,
    );
    expect(toData(await events.next())).toEqual([{ a: 1 }]);
    const reverted = await events.until((s) => !s.metadata.hasPendingWrites);
    expect(reverted.size).toBe(0);
    const err = await settled;
    expect(err?.code).toBe('not-found');
    expect(err?.message).toMatch(/no (document|entity) to update/i);
    unsub();
  });

  it('writes the same server timestamp across the writes of one batch', async () => {
    const coll = collection(env.db, randomId());
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, META, events.push, events.fail);
    await events.until((s) => !s.metadata.fromCache);
    const commit = writeBatch(env.db).set(doc(coll, 'a'), { when: serverTimestamp() }).set(doc(coll, 'b'), { when: serverTimestamp() }).commit();
    expect(toData(await events.next())).toEqual([{ when: null }, { when: null }]);
    const server = await events.until((s) => !s.metadata.hasPendingWrites && s.size === 2);
    const when = server.docs[0]!.get('when') as Timestamp;
    expect(when).toBeInstanceOf(Timestamp);
    expect(server.docs[1]!.get('when')).toEqual(when);
    await commit;
    unsub();
  });

  it('can write the same document multiple times in one batch', async () => {
    const ref = fresh();
    const events = new Events<DocumentSnapshot>();
    const unsub = onSnapshot(ref, META, events.push, events.fail);
    await events.until((s) => !s.metadata.fromCache);
    const commit = writeBatch(env.db).delete(ref).set(ref, { a: 1, b: 1, when: 'when' }).update(ref, { b: 2, when: serverTimestamp() }).commit();
    expect((await events.next()).data()).toEqual({ a: 1, b: 2, when: null });
    const server = await events.until((s) => !s.metadata.hasPendingWrites);
    expect(server.data()).toEqual({ a: 1, b: 2, when: server.get('when') as Timestamp });
    expect(server.get('when')).toBeInstanceOf(Timestamp);
    await commit;
    unsub();
  });
});

describe('server_timestamp.test.ts', () => {
  const setData = { a: 42, when: serverTimestamp(), deep: { when: serverTimestamp() } };

  async function listen(ref: DocumentReference): Promise<{ events: Events<DocumentSnapshot>; unsub: () => void }> {
    const events = new Events<DocumentSnapshot>();
    const unsub = onSnapshot(ref, META, events.push, events.fail);
    expect((await events.until((s) => !s.metadata.fromCache, 'initial server snapshot')).exists()).toBe(false);
    return { events, unsub };
  }

  const resolved = (s: DocumentSnapshot): void => {
    const when = s.get('when') as Timestamp;
    expect(when).toBeInstanceOf(Timestamp);
    expect(Math.abs(when.toMillis() - Date.now())).toBeLessThan(60_000);
    expect(s.data()).toEqual({ a: 42, when, deep: { when } });
  };

  it('resolves via set(): null locally, a server time once acknowledged', async () => {
    const ref = fresh();
    const { events, unsub } = await listen(ref);
    await setDoc(ref, setData);
    expect((await events.until((s) => s.metadata.hasPendingWrites)).data()).toEqual({ a: 42, when: null, deep: { when: null } });
    resolved(await events.until((s) => !s.metadata.hasPendingWrites));
    unsub();
  });

  it('resolves via update(), with estimates and previous values locally', async () => {
    const ref = fresh();
    const { events, unsub } = await listen(ref);
    await setDoc(ref, { a: 42 });
    await events.until((s) => s.exists() && !s.metadata.hasPendingWrites);
    await updateDoc(ref, { when: serverTimestamp(), deep: { when: serverTimestamp() } });
    const local = await events.until((s) => s.metadata.hasPendingWrites);
    expect(local.data()).toEqual({ a: 42, when: null, deep: { when: null } });
    expect(local.get('when', { serverTimestamps: 'estimate' })).toBeInstanceOf(Timestamp);
    const server = await events.until((s) => !s.metadata.hasPendingWrites);
    resolved(server);
    await updateDoc(ref, { when: serverTimestamp(), deep: { when: serverTimestamp() } });
    const again = await events.until((s) => s.metadata.hasPendingWrites);
    expect(again.data({ serverTimestamps: 'previous' })).toEqual({ a: 42, when: server.get('when') as Timestamp, deep: { when: server.get('when') as Timestamp } });
    unsub();
  });

  it('resolves via transaction set() and update()', async () => {
    const ref = fresh();
    const { events, unsub } = await listen(ref);
    const { runTransaction } = await import('firebase/firestore');
    await runTransaction(env.db, async (tx) => {
      tx.set(ref, setData);
    });
    resolved(await events.until((s) => s.exists() && !s.metadata.hasPendingWrites));
    await setDoc(ref, { a: 42 });
    await runTransaction(env.db, async (tx) => {
      tx.update(ref, { when: serverTimestamp(), deep: { when: serverTimestamp() } });
    });
    resolved(await events.until((s) => s.get('when') !== undefined && s.get('when') !== null && !s.metadata.hasPendingWrites));
    unsub();
  });

  it('fails via update() and transaction update() on a nonexistent document (not-found)', async () => {
    const { runTransaction } = await import('firebase/firestore');
    expect((await failure(updateDoc(fresh(), { when: serverTimestamp() }))).code).toBe('not-found');
    const ref = fresh();
    const err = await failure(runTransaction(env.db, async (tx) => void tx.update(ref, { when: serverTimestamp() })));
    expect(err.code).toBe('not-found');
  });
});

describe('numeric_transforms.test.ts and array_transforms.test.ts', () => {
  async function transformed(initial: DocumentData | undefined, write: (ref: DocumentReference) => Promise<unknown>): Promise<{ local: DocumentData; remote: DocumentData }> {
    const ref = fresh();
    const events = new Events<DocumentSnapshot>();
    const unsub = onSnapshot(ref, META, events.push, events.fail);
    await events.until((s) => !s.metadata.fromCache);
    if (initial) {
      await setDoc(ref, initial);
      await events.until((s) => s.exists() && !s.metadata.hasPendingWrites);
    }
    const done = write(ref);
    const local = (await events.until((s) => s.metadata.hasPendingWrites)).data()!;
    await done;
    const remote = (await events.until((s) => !s.metadata.hasPendingWrites)).data()!;
    unsub();
    return { local, remote };
  }

  const sumIs = async (initial: DocumentData | undefined, write: (ref: DocumentReference) => Promise<unknown>, expected: number): Promise<void> => {
    const { local, remote } = await transformed(initial, write);
    expect(local.sum).toBeCloseTo(expected, 6);
    expect(remote.sum).toBeCloseTo(expected, 6);
  };

  it('creates documents with increment, via set and set(merge)', async () => {
    await sumIs(undefined, (r) => setDoc(r, { sum: increment(1337) }), 1337);
    await sumIs(undefined, (r) => setDoc(r, { sum: increment(1337) }, { merge: true }), 1337);
  });

  it('increments integers and doubles with integers and doubles', async () => {
    await sumIs({ sum: 1337 }, (r) => updateDoc(r, 'sum', increment(1)), 1338);
    await sumIs({ sum: 13.37 }, (r) => updateDoc(r, 'sum', increment(0.1)), 13.47);
    await sumIs({ sum: 13.37 }, (r) => updateDoc(r, 'sum', increment(1)), 14.37);
    await sumIs({ sum: 1337 }, (r) => updateDoc(r, 'sum', increment(0.1)), 1337.1);
  });

  it('replaces a non-numeric field with the operand', async () => {
    await sumIs({ sum: 'overwrite' }, (r) => updateDoc(r, 'sum', increment(1337)), 1337);
    await sumIs({ sum: 'overwrite' }, (r) => updateDoc(r, 'sum', increment(13.37)), 13.37);
  });

  it('unions into arrays (create, update, merge, objects, references)', async () => {
    expect((await transformed(undefined, (r) => setDoc(r, { array: arrayUnion(1, 2) }))).remote).toEqual({ array: [1, 2] });
    for (const write of [(r: DocumentReference) => updateDoc(r, { array: arrayUnion(2, 1, 4) }), (r: DocumentReference) => setDoc(r, { array: arrayUnion(2, 1, 4) }, { merge: true })]) {
      const { local, remote } = await transformed({ array: [1, 3] }, write);
      expect(local).toEqual({ array: [1, 3, 2, 4] });
      expect(remote).toEqual({ array: [1, 3, 2, 4] });
    }
    expect((await transformed({ array: [{ a: 'hi' }] }, (r) => updateDoc(r, { array: arrayUnion({ a: 'hi' }, { a: 'bye' }) }))).remote).toEqual({
      array: [{ a: 'hi' }, { a: 'bye' }],
    });
    const ref = fresh();
    await setDoc(ref, { array: arrayUnion(ref) });
    expect(((await getDoc(ref)).get('array') as DocumentReference[]).map((r) => r.path)).toEqual([ref.path]);
  });

  it('removes every instance from arrays (update, merge, objects)', async () => {
    for (const write of [(r: DocumentReference) => updateDoc(r, { array: arrayRemove(1, 4) }), (r: DocumentReference) => setDoc(r, { array: arrayRemove(1, 4) }, { merge: true })]) {
      const { local, remote } = await transformed({ array: [1, 3, 1, 3] }, write);
      expect(local).toEqual({ array: [3, 3] });
      expect(remote).toEqual({ array: [3, 3] });
    }
    expect((await transformed({ array: [{ a: 'hi' }, { a: 'bye' }] }, (r) => updateDoc(r, { array: arrayRemove({ a: 'hi' }) }))).remote).toEqual({ array: [{ a: 'bye' }] });
  });
});

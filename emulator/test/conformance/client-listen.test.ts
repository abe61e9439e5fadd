/**
 * Listen-stream behaviour ported from firebase-js-sdk
 * packages/firestore/test/integration/api/query.test.ts (metadata changes, fromCache,
 * reconnecting) and get_options.test.ts (source=server), plus resuming a limit listener
 * across a network toggle with changes made meanwhile (resume tokens, removes and deletes).
 */
import type { DocumentSnapshot, QuerySnapshot } from 'firebase/firestore';
import {
  deleteDoc,
  disableNetwork,
  doc,
  enableNetwork,
  getDoc,
  getDocFromServer,
  getDocs,
  getDocsFromServer,
  limit,
  onSnapshot,
  orderBy,
  query,
  setDoc,
  where,
} from 'firebase/firestore';
import { describe, expect, it } from 'vitest';
import { Events, randomId, toData, useClient, withDocs } from './harness.js';

const env = useClient('conf-listen');
const META = { includeMetadataChanges: true } as const;

describe('query.test.ts: listener metadata', () => {
  it('raises one event per change for a listener without metadata changes', async () => {
    const coll = await withDocs(env, { a: { v: 'a' }, b: { v: 'b' } });
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, events.push, events.fail);
    expect(toData(await events.next())).toEqual([{ v: 'a' }, { v: 'b' }]);
    await setDoc(doc(coll, 'a'), { v: 'a1' });
    expect(toData(await events.next())).toEqual([{ v: 'a1' }, { v: 'b' }]);
    await setDoc(doc(coll, 'b'), { v: 'b1' });
    // The local (pending) event carries the change; the acknowledgement adds no event here.
    expect(toData(await events.next())).toEqual([{ v: 'a1' }, { v: 'b1' }]);
    unsub();
  });

  it('raises a local and an acknowledged event for the same query with metadata changes', async () => {
    const coll = await withDocs(env, { a: { v: 'a' }, b: { v: 'b' } });
    const full = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, META, full.push, full.fail);
    await full.until((s) => !s.metadata.fromCache);
    await setDoc(doc(coll, 'a'), { v: 'a1' });
    const local = await full.next();
    expect(toData(local)).toEqual([{ v: 'a1' }, { v: 'b' }]);
    expect(local.docs[0]!.metadata.hasPendingWrites).toBe(true);
    const synced = await full.until((s) => !s.docs[0]!.metadata.hasPendingWrites);
    expect(toData(synced)).toEqual([{ v: 'a1' }, { v: 'b' }]);
    expect(synced.docChanges()).toEqual([]);
    expect(synced.docChanges(META).map((c) => c.type)).toEqual(['modified']);
    unsub();
  });

  it('raises a fromCache snapshot first for a second query served from cache, then the server one', async () => {
    const coll = await withDocs(env, { '1': { sort: 1, filter: true, key: '1' }, '2': { sort: 2, filter: true, key: '2' }, '3': { sort: 2, filter: true, key: '3' }, '4': { sort: 3, filter: false, key: '4' } });
    const first = new Events<QuerySnapshot>();
    const u1 = onSnapshot(query(coll, where('key', '<', '4')), first.push, first.fail);
    expect((await first.next()).size).toBe(3);
    const second = new Events<QuerySnapshot>();
    const u2 = onSnapshot(query(coll, where('filter', '==', true)), META, second.push, second.fail);
    const cached = await second.next();
    expect(cached.metadata.fromCache).toBe(true);
    expect(cached.size).toBe(3);
    const server = await second.until((s) => !s.metadata.fromCache);
    expect(toData(server)).toEqual(toData(cached));
    u1();
    u2();
  });

  it('turns fromCache on while offline and off again once reconnected', async () => {
    const coll = await withDocs(env, { a: { foo: 1 } });
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, META, events.push, events.fail);
    expect((await events.until((s) => !s.metadata.fromCache)).size).toBe(1);
    await disableNetwork(env.db);
    await events.until((s) => s.metadata.fromCache, 'offline snapshot');
    await enableNetwork(env.db);
    await events.until((s) => !s.metadata.fromCache, 'back online snapshot');
    unsub();
  });

  it('can query while reconnecting to network (a write made offline reaches the server)', async () => {
    const coll = await withDocs(env, {});
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(coll, META, events.push, events.fail);
    await events.until((s) => !s.metadata.fromCache);
    await disableNetwork(env.db);
    const write = setDoc(doc(coll), { a: 1 });
    await enableNetwork(env.db);
    await events.until((s) => !s.empty && !s.metadata.fromCache && !s.metadata.hasPendingWrites);
    await write;
    unsub();
  });
});

describe('resuming a limit listener', () => {
  it('catches up after a network toggle: documents entering, changing and leaving the window', async () => {
    const coll = await withDocs(env, { a: { n: 1 }, b: { n: 2 }, c: { n: 3 }, d: { n: 4 } });
    const events = new Events<QuerySnapshot>();
    const unsub = onSnapshot(query(coll, orderBy('n'), limit(3)), META, events.push, events.fail);
    const ids = (s: QuerySnapshot): string[] => s.docs.map((d) => d.id);
    expect(ids(await events.until((s) => !s.metadata.fromCache))).toEqual(['a', 'b', 'c']);
    await disableNetwork(env.db);
    // Another client changes the data while this one is offline.
    await deleteDoc(doc(env.setup, coll.path, 'a'));
    await setDoc(doc(env.setup, coll.path, 'b'), { n: 2, changed: true });
    await setDoc(doc(env.setup, coll.path, 'z'), { n: 0 });
    await enableNetwork(env.db);
    const caught = await events.until((s) => !s.metadata.fromCache && ids(s).join() === 'z,b,c', 'resumed snapshot');
    expect(caught.docs.find((d) => d.id === 'b')!.get('changed')).toBe(true);
    // The listener keeps working after the resume.
    await setDoc(doc(env.setup, coll.path, 'c'), { n: 10 });
    expect(ids(await events.until((s) => ids(s).join() === 'z,b,d', 'window after c moved out'))).toEqual(['z', 'b', 'd']);
    unsub();
  });
});

describe('get_options.test.ts: source=server', () => {
  it('gets documents and collections from the server (existing and missing)', async () => {
    const coll = await withDocs(env, { doc1: { key1: 'value1' }, doc2: { key2: 'value2' }, doc3: { key3: 'value3' } });
    const snap = await getDocsFromServer(coll);
    expect(snap.metadata.fromCache).toBe(false);
    expect(snap.docChanges()).toHaveLength(3);
    const one: DocumentSnapshot = await getDocFromServer(doc(coll, 'doc1'));
    expect(one.data()).toEqual({ key1: 'value1' });
    expect(one.metadata.fromCache).toBe(false);
    const missing = await getDoc(doc(coll, 'nope'));
    expect(missing.exists()).toBe(false);
    expect(missing.metadata.fromCache).toBe(false);
    const empty = await getDocs(doc(env.db, randomId(), 'x').parent);
    expect(empty.empty).toBe(true);
    expect(empty.metadata.fromCache).toBe(false);
  });
});

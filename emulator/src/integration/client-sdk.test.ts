import type { DocumentSnapshot, Firestore, QuerySnapshot } from 'firebase/firestore';
import {
  arrayUnion,
  average,
  collection,
  deleteDoc,
  disableNetwork,
  doc,
  enableNetwork,
  getAggregateFromServer,
  getCountFromServer,
  getDoc,
  getDocs,
  increment,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  sum,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFirestore, clientFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { startTestTarget, uniqueProjectId, waitFor } from '../testing/test-env.js';

let target: TestTarget;
let db: Firestore;
let projectId: string;
let closeClient: () => Promise<void>;

beforeAll(async () => {
  target = await startTestTarget();
  projectId = uniqueProjectId('client');
  ({ db, close: closeClient } = clientFirestore(target, projectId));
});

afterAll(async () => {
  await closeClient();
  await target.stop();
});

const errorCode = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

/**
 * Metadata-only changes (fromCache / hasPendingWrites flipping) are raised only with this
 * option; tests wait for "synced with the server" states, so they ask for them.
 */
const META = { includeMetadataChanges: true } as const;

/** Collects snapshots and lets a test wait for one that satisfies a predicate. */
function recorder<T>() {
  const seen: T[] = [];
  const errors: Error[] = [];
  return {
    seen,
    errors,
    next: (v: T) => seen.push(v),
    error: (e: Error) => errors.push(e),
    until: (pred: (v: T) => boolean, what: string) => waitFor(() => seen.find(pred), 10_000, what),
  };
}

describe('firebase client SDK (Node, gRPC)', () => {
  it('writes and reads documents through the Write and Listen streams', async () => {
    const ref = doc(db, 'notes/n1');
    await setDoc(ref, { title: 'hello', tags: ['a'], when: serverTimestamp(), count: 1 });
    await updateDoc(ref, { count: increment(2), tags: arrayUnion('b') });
    const snap = await getDoc(ref);
    expect(snap.get('title')).toBe('hello');
    expect(snap.get('count')).toBe(3);
    expect(snap.get('tags')).toEqual(['a', 'b']);
    expect(snap.get('when')).toBeInstanceOf(Timestamp);
    await deleteDoc(ref);
    expect((await getDoc(ref)).exists()).toBe(false);
  });

  it('commits batches atomically and reports error codes', async () => {
    const batch = writeBatch(db);
    batch.set(doc(db, 'batch/a'), { v: 1 });
    batch.set(doc(db, 'batch/b'), { v: 2 });
    await batch.commit();
    expect((await getDocs(collection(db, 'batch'))).size).toBe(2);
    expect(await errorCode(updateDoc(doc(db, 'batch/missing'), { v: 1 }))).toBe('not-found');
    expect(await errorCode(setDoc(doc(db, 'batch/__reserved__'), { v: 1 }))).toBe('invalid-argument');
  });

  it('runs optimistic transactions under contention (verify + update-time preconditions)', async () => {
    const ref = doc(db, 'tx/counter');
    await setDoc(ref, { n: 0 });
    const witness = doc(db, 'tx/witness');
    await setDoc(witness, { seen: true });
    let attempts = 0;
    let firstReads = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        runTransaction(db, async (tx) => {
          attempts++;
          await tx.get(witness); // read but not written: sent as a verify write
          const snap = await tx.get(ref);
          if (attempts <= 5) {
            firstReads++;
            await waitFor(() => (firstReads >= 5 ? true : undefined));
          }
          tx.update(ref, { n: (snap.get('n') as number) + 1 });
        }),
      ),
    );
    expect((await getDoc(ref)).get('n')).toBe(5);
    expect(attempts).toBeGreaterThan(5);
  }, 60_000);

  it('streams query snapshots: added, modified and removed documents', async () => {
    const col = collection(db, 'live');
    await setDoc(doc(col, 'a'), { n: 1, open: true });
    const rec = recorder<QuerySnapshot>();
    const unsub = onSnapshot(query(col, where('open', '==', true)), META, rec.next, rec.error);
    await rec.until((s) => !s.metadata.fromCache && s.size === 1, 'initial snapshot');
    await setDoc(doc(col, 'b'), { n: 2, open: true });
    await rec.until((s) => !s.metadata.hasPendingWrites && s.docs.map((d) => d.id).join() === 'a,b', 'b added');
    await updateDoc(doc(col, 'a'), { n: 10 });
    await rec.until((s) => !s.metadata.hasPendingWrites && s.docs.find((d) => d.id === 'a')?.get('n') === 10, 'a modified');
    await updateDoc(doc(col, 'b'), { open: false });
    await rec.until((s) => !s.metadata.hasPendingWrites && s.docs.map((d) => d.id).join() === 'a', 'b removed');
    unsub();
    expect(rec.errors).toEqual([]);
  });

  it('keeps a limit query window correct as documents enter and leave', async () => {
    const col = collection(db, 'window');
    for (const [id, n] of [['r1', 1], ['r2', 2], ['r3', 3]] as const) await setDoc(doc(col, id), { n });
    const rec = recorder<QuerySnapshot>();
    const ids = (s: QuerySnapshot): string => s.docs.map((d) => d.id).join();
    const unsub = onSnapshot(query(col, orderBy('n'), limit(2)), META, rec.next, rec.error);
    await rec.until((s) => !s.metadata.fromCache && ids(s) === 'r1,r2', 'initial window');
    // An update from another client (no local pending write) moves a document into the window.
    const admin = adminFirestore(target, projectId);
    await admin.db.doc('window/r0').set({ n: 0 });
    await rec.until((s) => ids(s) === 'r0,r1', 'r0 enters, r2 leaves');
    await admin.db.doc('window/r0').delete();
    await rec.until((s) => ids(s) === 'r1,r2', 'r2 comes back');
    await admin.close();
    unsub();
    expect(rec.errors).toEqual([]);
  });

  it('listens to single documents, including missing ones', async () => {
    const ref = doc(db, 'single/x');
    const rec = recorder<DocumentSnapshot>();
    const unsub = onSnapshot(ref, META, rec.next, rec.error);
    await rec.until((s) => !s.metadata.fromCache && !s.exists(), 'missing document');
    const admin = adminFirestore(target, projectId);
    await admin.db.doc('single/x').set({ v: 1 });
    await rec.until((s) => s.exists() && s.get('v') === 1, 'document created');
    await admin.db.doc('single/x').delete();
    await rec.until((s) => !s.exists() && rec.seen.some((p) => p.exists()), 'document deleted');
    await admin.close();
    unsub();
  });

  it('reports an invalid listen target through the error callback', async () => {
    const rec = recorder<QuerySnapshot>();
    const unsub = onSnapshot(collection(db, '__bad__'), rec.next, rec.error);
    const err = await waitFor(() => rec.errors[0], 10_000, 'listen error');
    expect((err as { code?: string }).code).toBe('invalid-argument');
    unsub();
  });

  it('catches up after going offline (resumed listen)', async () => {
    const col = collection(db, 'resume');
    await setDoc(doc(col, 'a'), { v: 1 });
    const rec = recorder<QuerySnapshot>();
    const unsub = onSnapshot(col, META, rec.next, rec.error);
    await rec.until((s) => !s.metadata.fromCache && s.size === 1, 'initial');
    await disableNetwork(db);
    const admin = adminFirestore(target, projectId);
    await admin.db.doc('resume/b').set({ v: 2 });
    await admin.db.doc('resume/a').delete();
    await enableNetwork(db);
    await rec.until((s) => !s.metadata.fromCache && s.docs.map((d) => d.id).join() === 'b', 'caught up');
    await admin.close();
    unsub();
  });

  it('runs count, sum and average aggregations', async () => {
    const col = collection(db, 'agg');
    await setDoc(doc(col, 'a'), { v: 1 });
    await setDoc(doc(col, 'b'), { v: 2.5 });
    await setDoc(doc(col, 'c'), { w: 1 });
    expect((await getCountFromServer(col)).data().count).toBe(3);
    const agg = await getAggregateFromServer(col, { total: sum('v'), mean: average('v') });
    expect(agg.data()).toEqual({ total: 3.5, mean: 1.75 });
  });
});

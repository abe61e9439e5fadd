import { collectionNames, decodeDoc, type CollectionKey, type DocOf } from '@fq/worker/schema';
import {
  Bytes,
  collection,
  doc,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  where,
  writeBatch,
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
  type DocumentReference,
  type Query,
  type QueryConstraint,
  type SnapshotOptions,
} from 'firebase/firestore';
import { SERVER_TIME, type DocRow, type QueryRef, type QueueStore, type Write } from './store.js';

export interface FirestoreQueueStoreOptions {
  /** The queue's collection-name prefix (the workers' `collectionPrefix`); default none. */
  prefix?: string;
}

function describe(error: unknown): string {
  const issues = (error as { issues?: { path: readonly PropertyKey[]; message: string }[] } | null)?.issues;
  if (Array.isArray(issues) && issues.length > 0) {
    return `invalid document: ${issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(document)'}: ${i.message}`)
      .join('; ')}`;
  }
  return `invalid document: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Decodes with the collection's schema (Timestamps to epoch ms, Bytes to Uint8Array). A
 * pending server timestamp (a write of this browser not yet committed) reads as the SDK's
 * estimate, so the document decodes at once. A document that fails validation becomes an
 * error row: one bad document shows as such instead of hiding the others.
 */
const ESTIMATE: SnapshotOptions = { serverTimestamps: 'estimate' };
export function decodeSnapshot<K extends CollectionKey>(key: K, snap: DocumentSnapshot): DocRow<DocOf<K>> | null {
  if (!snap.exists()) return null;
  try {
    return { id: snap.id, ok: true, data: decodeDoc(key, snap.data(ESTIMATE)) };
  } catch (error) {
    return { id: snap.id, ok: false, error: describe(error) };
  }
}

/** Client values -> web SDK values: SERVER_TIME becomes `serverTimestamp()`, bytes become `Bytes`. */
export function toFirestoreValue(value: unknown): unknown {
  if (value === SERVER_TIME) return serverTimestamp();
  if (value instanceof Uint8Array) return Bytes.fromUint8Array(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(toFirestoreValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toFirestoreValue(v);
  return out;
}

/** The write surface a Transaction and a WriteBatch share. */
interface Writer {
  set(ref: DocumentReference, data: DocumentData): unknown;
  update(ref: DocumentReference, data: DocumentData): unknown;
}

/** The queue's Firestore through the web SDK's modular API (`firebase/firestore`). */
export function firestoreQueueStore(db: Firestore, options: FirestoreQueueStoreOptions = {}): QueueStore {
  const names = collectionNames(options.prefix ?? '');
  const ref = (key: CollectionKey, id: string) => doc(db, names[key], id);
  const apply = (target: Writer, w: Write) => {
    const data = toFirestoreValue(w.data) as DocumentData;
    if (w.op === 'set') target.set(ref(w.collection, w.id), data);
    else target.update(ref(w.collection, w.id), data);
  };
  const sdkQuery = (queryRef: QueryRef): Query => {
    const constraints: QueryConstraint[] = [
      ...queryRef.where.map((f) => where(f.field, f.op, f.value)),
      ...queryRef.orderBy.map((o) => orderBy(o.field, o.direction)),
      limit(queryRef.limit),
    ];
    return query(collection(db, names[queryRef.collection]), ...constraints);
  };
  return {
    watchDoc(docRef, listener) {
      return onSnapshot(
        ref(docRef.collection, docRef.id),
        (snap) => listener.next(decodeSnapshot(docRef.collection, snap)),
        (error) => listener.error(error),
      );
    },
    watchQuery(queryRef, listener) {
      return onSnapshot(
        sdkQuery(queryRef),
        (snap) => listener.next(snap.docs.flatMap((d) => decodeSnapshot(queryRef.collection, d) ?? [])),
        (error) => listener.error(error),
      );
    },
    async getDoc(docRef) {
      return decodeSnapshot(docRef.collection, await getDoc(ref(docRef.collection, docRef.id)));
    },
    async getQuery(queryRef) {
      const snap = await getDocs(sdkQuery(queryRef));
      return snap.docs.flatMap((d) => decodeSnapshot(queryRef.collection, d) ?? []);
    },
    transact(plan) {
      return runTransaction(db, async (tx) => {
        const { writes, result } = await plan(async (docRef) => decodeSnapshot(docRef.collection, await tx.get(ref(docRef.collection, docRef.id))));
        for (const w of writes) apply(tx, w);
        return result;
      });
    },
    async commit(writes) {
      const batch = writeBatch(db);
      for (const w of writes) apply(batch, w);
      await batch.commit();
    },
    newId(key) {
      return doc(collection(db, names[key])).id;
    },
  };
}

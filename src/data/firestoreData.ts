import type { CollectionKey } from '@fq/worker/schema';
import { collectionNames } from '@fq/worker/schema';
import {
  Bytes,
  Timestamp,
  collection,
  doc,
  getDoc,
  getCountFromServer,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  startAfter,
  where,
  writeBatch,
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
  type FirestoreDataConverter,
  type QueryConstraint,
  type DocumentReference,
  type SetOptions,
  type Transaction,
} from 'firebase/firestore';
import { DocumentExistsError, PageCursorExpiredError } from './errors';
import { ServerTimeSentinel, type DataPort, type Mutation, type Page, type PageCursor, type TransactionReader } from './port';
import { decodeRow, decodeViewRow, type Row } from './rows';
import type { DocOf } from './schemas';
import type { DocSpec, FilterValue, QuerySpec } from './specs';

/**
 * Converters built from the zod schemas: reads decode with the schema's codecs (Timestamps to
 * epoch ms, Bytes to Uint8Array); a document that fails validation becomes an error row.
 * Writes go through `toFirestoreValue` instead, because mutations are partial updates too.
 */
const converters = new Map<string, FirestoreDataConverter<Row<unknown>, DocumentData>>();

/**
 * `view`: for listeners and one-off reads that only show documents (`viewRow`: a job's inline
 * audio is dropped after decoding); transactions read documents whole, to write them back.
 */
function converterFor<K extends CollectionKey>(key: K, use: 'view' | 'whole' = 'view'): FirestoreDataConverter<Row<DocOf<K>>, DocumentData> {
  const cacheKey = `${key}:${use}`;
  const hit = converters.get(cacheKey);
  if (hit) return hit as FirestoreDataConverter<Row<DocOf<K>>, DocumentData>;
  const decode = use === 'view' ? decodeViewRow : decodeRow;
  const made: FirestoreDataConverter<Row<DocOf<K>>, DocumentData> = {
    toFirestore: () => {
      throw new Error('writes use Mutation, not the converter');
    },
    fromFirestore: (snapshot, options) =>
      decode(key, snapshot.id, snapshot.data({ ...options, serverTimestamps: 'estimate' })),
  };
  converters.set(cacheKey, made as FirestoreDataConverter<Row<unknown>, DocumentData>);
  return made;
}

/** Domain values -> web SDK values: Dates and ms stay as they are, bytes become `Bytes`. */
export function toFirestoreValue(value: unknown): unknown {
  if (value instanceof ServerTimeSentinel) return serverTimestamp();
  if (value instanceof Uint8Array) return Bytes.fromUint8Array(value);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toFirestoreValue);
  if (value instanceof Timestamp || value instanceof Bytes) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toFirestoreValue(v);
  return out;
}

function filterValue(v: FilterValue): unknown {
  if (Array.isArray(v)) return v.map((x: FilterValue) => filterValue(x));
  if (v !== null && typeof v === 'object' && 'timeMs' in v) return Timestamp.fromMillis(v.timeMs);
  return v;
}

const MAX_CURSORS = 200;

/** The write surface Transaction and WriteBatch share. */
interface Writer {
  set(ref: DocumentReference, data: DocumentData, options: SetOptions): unknown;
  update(ref: DocumentReference, data: DocumentData): unknown;
  delete(ref: DocumentReference): unknown;
}

export function createFirestoreData(db: Firestore, prefix: string): DataPort {
  const names = collectionNames(prefix);
  const cursors = new Map<string, DocumentSnapshot>();
  let cursorSeq = 0;

  const docRef = <K extends CollectionKey>(spec: DocSpec<K>, use: 'view' | 'whole' = 'view') =>
    doc(db, names[spec.collection], spec.id).withConverter(converterFor(spec.collection, use));

  const buildQuery = <K extends CollectionKey>(spec: QuerySpec<K>, after: DocumentSnapshot | null) => {
    const constraints: QueryConstraint[] = [];
    for (const f of spec.where) constraints.push(where(f.field, f.op, filterValue(f.value)));
    for (const o of spec.orderBy) constraints.push(orderBy(o.field, o.direction));
    if (after) constraints.push(startAfter(after));
    constraints.push(limit(spec.limit));
    return query(collection(db, names[spec.collection]), ...constraints).withConverter(converterFor(spec.collection));
  };

  const apply = (target: Writer, m: Mutation) => {
    const coll = names[m.collection];
    switch (m.op) {
      case 'set':
        target.set(doc(db, coll, m.id), toFirestoreValue(m.data) as DocumentData, { merge: m.merge === true });
        return;
      case 'create':
        // A `set`: on a fresh random id it cannot collide, and a named create was checked
        // absent in this transaction first (`guardCreates`).
        target.set(
          m.id ? doc(db, coll, m.id) : doc(collection(db, coll)),
          toFirestoreValue(m.data) as DocumentData,
          {},
        );
        return;
      case 'update':
        target.update(doc(db, coll, m.id), toFirestoreValue(m.data) as DocumentData);
        return;
      case 'delete':
        target.delete(doc(db, coll, m.id));
        return;
    }
  };

  /**
   * The web SDK has no create precondition in batches and transactions, so a named create
   * reads its document in the same transaction (one read more) and refuses an existing one:
   * a plain `set` would silently overwrite it. Reads come before any write is applied.
   */
  const guardCreates = async (tx: Transaction, mutations: Mutation[]) => {
    for (const m of mutations) {
      if (m.op !== 'create' || m.id === null) continue;
      const snap = await tx.get(doc(db, names[m.collection], m.id));
      if (snap.exists()) throw new DocumentExistsError(`${m.collection}/${m.id}`);
    }
  };

  return {
    names,
    watchDoc(spec, sink) {
      return onSnapshot(
        docRef(spec),
        { includeMetadataChanges: true },
        (snap) => sink.next(snap.exists() ? snap.data() : null, snap.metadata),
        (err) => sink.error(err),
      );
    },
    watchQuery(spec, sink) {
      return onSnapshot(
        buildQuery(spec, null),
        { includeMetadataChanges: true },
        (snap) => sink.next(snap.docs.map((d) => d.data()), snap.metadata),
        (err) => sink.error(err),
      );
    },
    async getDoc(spec) {
      const snap = await getDoc(docRef(spec));
      return snap.exists() ? snap.data() : null;
    },
    async count(spec) {
      const constraints: QueryConstraint[] = [];
      for (const f of spec.where) constraints.push(where(f.field, f.op, filterValue(f.value)));
      // The order too: the composite index the query's shape registers is the one serving it.
      for (const o of spec.orderBy) constraints.push(orderBy(o.field, o.direction));
      const snap = await getCountFromServer(query(collection(db, names[spec.collection]), ...constraints));
      return snap.data().count;
    },
    async getPage<K extends CollectionKey>(spec: QuerySpec<K>, after: PageCursor | null): Promise<Page<DocOf<K>>> {
      const start = after ? cursors.get(after.token) : null;
      if (after && !start) throw new PageCursorExpiredError();
      const snap = await getDocs(buildQuery(spec, start ?? null));
      const last = snap.docs.at(-1);
      let next: PageCursor | null = null;
      if (last && snap.docs.length === spec.limit) {
        const token = `c${++cursorSeq}`;
        cursors.set(token, last);
        // Bounded: a long session pages a lot; only recent cursors are worth keeping.
        if (cursors.size > MAX_CURSORS) cursors.delete(cursors.keys().next().value as string);
        next = { token };
      }
      return { rows: snap.docs.map((d) => d.data()), next };
    },
    async transact(plan) {
      return runTransaction(db, async (tx) => {
        const reader: TransactionReader = {
          async get(spec) {
            const snap = await tx.get(docRef(spec, 'whole'));
            return snap.exists() ? snap.data() : null;
          },
        };
        const { mutations, result } = await plan(reader);
        await guardCreates(tx, mutations);
        for (const m of mutations) apply(tx, m);
        return result;
      });
    },
    async commitBatch(mutations) {
      if (mutations.some((m) => m.op === 'create' && m.id !== null)) {
        // A named create needs its read (`guardCreates`), so this batch runs as a transaction.
        await runTransaction(db, async (tx) => {
          await guardCreates(tx, mutations);
          for (const m of mutations) apply(tx, m);
        });
        return;
      }
      const batch = writeBatch(db);
      for (const m of mutations) apply(batch, m);
      await batch.commit();
    },
    newId(key) {
      return doc(collection(db, names[key])).id;
    },
  };
}

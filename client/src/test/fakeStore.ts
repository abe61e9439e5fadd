import { assertRegisteredQuery, decodeDoc, encodeDoc, type CollectionKey, type DocOf } from '@fq/worker/schema';
import { SERVER_TIME, type DocRef, type DocRow, type Listener, type QueryRef, type QueueStore, type TransactionRead, type Write } from '../store.js';

type Raw = Record<string, unknown>;

function comparable(v: unknown): unknown {
  return v instanceof Date ? v.getTime() : v;
}

function field(doc: Raw, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) cur = cur !== null && typeof cur === 'object' ? (cur as Raw)[part] : undefined;
  return comparable(cur);
}

function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  return (a as number) < (b as number) ? -1 : 1;
}

/** The operators the client's queries use; Firestore never matches a document missing the field. */
function matches(doc: Raw, f: QueryRef['where'][number]): boolean {
  const v = field(doc, f.field);
  if (v === undefined) return false;
  switch (f.op) {
    case '==':
      return v === f.value;
    case 'in':
      return (f.value as readonly unknown[]).includes(v);
    default:
      throw new Error(`the fake store does not evaluate ${f.op}: add it when the client uses it`);
  }
}

function decode<K extends CollectionKey>(collection: K, id: string, raw: Raw): DocRow<DocOf<K>> {
  try {
    return { id, ok: true, data: decodeDoc(collection, raw) };
  } catch (error) {
    return { id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

interface Watcher {
  ref: DocRef | QueryRef;
  listener: Listener<unknown>;
}

/**
 * An in-memory QueueStore for the client's tests: evaluates the client's queries (only
 * registered shapes, like Firestore with the project's indexes), pushes a fresh snapshot to
 * every listener on each write, answers one-shot reads a microtask later, stamps SERVER_TIME
 * with `serverNow`, and records commits and one-shot reads so tests can assert on them.
 */
export class FakeStore implements QueueStore {
  readonly docs = new Map<CollectionKey, Map<string, Raw>>();
  readonly commits: Write[][] = [];
  readonly watchers = new Set<Watcher>();
  /** Firestore's clock for SERVER_TIME. */
  serverNow: () => number = () => Date.now();
  /** When set, writes wait for this promise (to observe in-flight states). */
  gate: Promise<void> | null = null;
  /** Every one-shot read (`getDoc`, `getQuery`), in the order it was made. */
  readonly gets: (DocRef | QueryRef)[] = [];
  private failures: Error[] = [];
  private refusedGets = new Map<CollectionKey, Error>();
  private idSeq = 0;

  /** Seeds a domain document, encoded through its schema like the SDK would store it. */
  put<K extends CollectionKey>(collection: K, id: string, doc: DocOf<K>): void {
    this.putRaw(collection, id, encodeDoc(collection, doc));
  }

  putRaw(collection: CollectionKey, id: string, raw: Raw): void {
    this.collection(collection).set(id, raw);
    this.notify();
  }

  read<K extends CollectionKey>(collection: K, id: string): DocRow<DocOf<K>> | null {
    const raw = this.docs.get(collection)?.get(id);
    return raw === undefined ? null : decode(collection, id, raw);
  }

  /** The decoded document, or a thrown error when it is missing or invalid. */
  doc<K extends CollectionKey>(collection: K, id: string): DocOf<K> {
    const row = this.read(collection, id);
    if (!row?.ok) throw new Error(`no valid ${collection}/${id}: ${row ? row.error : 'missing'}`);
    return row.data;
  }

  /** The next write (commit or transaction) fails with `error`; nothing is applied. */
  failNextWrite(error: Error): void {
    this.failures.push(error);
  }

  /** Kills every listener of `collection` with `error` (as Firestore does on permission loss). */
  breakListeners(collection: CollectionKey, error: Error): void {
    for (const w of [...this.watchers]) {
      if (w.ref.collection !== collection) continue;
      this.watchers.delete(w);
      w.listener.error(error);
    }
  }

  /** Every later one-shot read of `collection` fails with `error` (as the rules refuse it); null lets them through again. */
  refuseGets(collection: CollectionKey, error: Error | null): void {
    if (error) this.refusedGets.set(collection, error);
    else this.refusedGets.delete(collection);
  }

  /** The one-shot reads of `collection` made so far. */
  getsOf(collection: CollectionKey): (DocRef | QueryRef)[] {
    return this.gets.filter((ref) => ref.collection === collection);
  }

  async getDoc<K extends CollectionKey>(ref: DocRef<K>): Promise<DocRow<DocOf<K>> | null> {
    await this.answerGet(ref);
    return this.read(ref.collection, ref.id);
  }

  async getQuery<K extends CollectionKey>(ref: QueryRef<K>): Promise<DocRow<DocOf<K>>[]> {
    assertRegisteredQuery(ref);
    await this.answerGet(ref);
    return this.rows(ref);
  }

  watchDoc<K extends CollectionKey>(ref: DocRef<K>, listener: Listener<DocRow<DocOf<K>> | null>) {
    return this.watch(ref, listener as Listener<unknown>);
  }

  watchQuery<K extends CollectionKey>(ref: QueryRef<K>, listener: Listener<DocRow<DocOf<K>>[]>) {
    assertRegisteredQuery(ref);
    return this.watch(ref, listener as Listener<unknown>);
  }

  async transact<R>(plan: (read: TransactionRead) => Promise<{ writes: Write[]; result: R }>): Promise<R> {
    const { writes, result } = await plan(async (ref) => this.read(ref.collection, ref.id));
    await this.commit(writes);
    return result;
  }

  async commit(writes: Write[]): Promise<void> {
    if (this.gate) await this.gate;
    await Promise.resolve();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.commits.push(writes);
    const at = new Date(this.serverNow());
    const stamp = (v: unknown): unknown => {
      if (v === SERVER_TIME) return at;
      if (Array.isArray(v)) return v.map(stamp);
      if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stamp(x)]));
      return v;
    };
    for (const w of writes) {
      if (w.op === 'update' && !this.docs.get(w.collection)?.has(w.id)) {
        throw Object.assign(new Error(`no document to update: ${w.collection}/${w.id}`), { code: 'not-found' });
      }
    }
    for (const w of writes) {
      const coll = this.collection(w.collection);
      const data = stamp(w.data) as Raw;
      coll.set(w.id, w.op === 'update' ? { ...coll.get(w.id), ...data } : data);
    }
    this.notify();
  }

  newId(collection: CollectionKey): string {
    return `${collection}-${++this.idSeq}`;
  }

  private collection(key: CollectionKey): Map<string, Raw> {
    let coll = this.docs.get(key);
    if (!coll) this.docs.set(key, (coll = new Map()));
    return coll;
  }

  private watch(ref: DocRef | QueryRef, listener: Listener<unknown>) {
    const w: Watcher = { ref, listener };
    this.watchers.add(w);
    this.emit(w);
    return () => void this.watchers.delete(w);
  }

  private notify(): void {
    for (const w of [...this.watchers]) this.emit(w);
  }

  /** Records the read and answers it a turn later, as the network would (or refuses it). */
  private async answerGet(ref: DocRef | QueryRef): Promise<void> {
    this.gets.push(ref);
    await Promise.resolve();
    const refused = this.refusedGets.get(ref.collection);
    if (refused) throw refused;
  }

  private emit(w: Watcher): void {
    if ('id' in w.ref) w.listener.next(this.read(w.ref.collection, w.ref.id));
    else w.listener.next(this.rows(w.ref));
  }

  private rows<K extends CollectionKey>(ref: QueryRef<K>): DocRow<DocOf<K>>[] {
    const rows = [...this.collection(ref.collection)].filter(([, raw]) => ref.where.every((f) => matches(raw, f)));
    rows.sort((a, b) => {
      for (const o of ref.orderBy) {
        const c = cmp(field(a[1], o.field), field(b[1], o.field));
        if (c !== 0) return o.direction === 'asc' ? c : -c;
      }
      return a[0] < b[0] ? -1 : 1;
    });
    return rows.slice(0, ref.limit).map(([id, raw]) => decode(ref.collection, id, raw));
  }
}

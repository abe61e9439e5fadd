import { collectionNames, type CollectionKey, type CollectionNames } from '../../schema/names.js';
import { decodeDoc, decodeFields, encodeDoc, encodeFields, type DocOf } from '../../schema/documents.js';
import { assertQueryDisjunctions, assertRegisteredQuery } from '../../schema/queries.js';
import type { DocMutation, DocRef } from '../../core/mutations.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import {
  AlreadyExistsError,
  ContentionError,
  DocumentDecodeError,
  MissingDocumentError,
  StoreClosedError,
  type DocResult,
  type LenientRead,
  type UndecodableDoc,
  type DocStore,
  type DocVersion,
  type GuardedCommit,
  type GuardedMutation,
  type SelectResult,
  type ListenSnapshot,
  type OpsMeter,
  type Query,
  type QueryResult,
  type Snapshot,
  type Transaction,
  type Unsubscribe,
} from '../../ports/store.js';
import { compareByOrder, hasOrderFields, matchesFilter } from './values.js';

interface StoredDoc {
  data: Record<string, unknown>;
  version: number;
  updateTime: number;
}

interface Listener {
  collection: string;
  evaluate: () => { key: string; emit: () => void };
  lastKey: string | null;
  active: boolean;
}

export interface MemoryStoreOptions {
  clock?: Clock;
  prefix?: string;
  /** Share documents between several store instances (several "servers" in one process). */
  shared?: MemoryDatabase;
  /** Called for documents that fail schema validation (they are skipped by queries). */
  onInvalidDocument?: (error: DocumentDecodeError) => void;
  maxTransactionAttempts?: number;
  /**
   * Refuse a query that needs a composite index but is not built from a registered shape
   * (`schema/queries.ts`), the way real Firestore refuses a query whose index is missing
   * (default true). Tests then catch a query whose index would be missing in production.
   */
  checkQueryIndexes?: boolean;
}

/** The documents themselves; several `MemoryStore`s can share one database. */
export class MemoryDatabase {
  readonly collections = new Map<string, Map<string, StoredDoc>>();
  readonly listeners = new Set<Listener>();
  version = 0;

  collection(name: string): Map<string, StoredDoc> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }
}

/** A write of a commit or transaction: a planned mutation, or a transaction's create/update. */
type Write = DocMutation | { op: 'create' | 'update'; collection: CollectionKey; id: string; data: unknown };

const INEQUALITY = new Set(['<', '<=', '>', '>=', '!=', 'not-in']);

/**
 * The seed's phase one: the whole queue in one process. Same semantics as the Firestore
 * adapter (optimistic serializable transactions, Firestore value order, listeners that
 * deliver full result sets asynchronously), verified by the shared contract suite.
 */
export class MemoryStore implements DocStore {
  readonly name: string;
  readonly meter: OpsMeter = { reads: 0, writes: 0, deletes: 0 };
  private readonly names: CollectionNames;
  private readonly clock: Clock;
  private readonly db: MemoryDatabase;
  private readonly ownListeners = new Set<Listener>();
  private closed = false;

  constructor(private readonly options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.names = collectionNames(options.prefix ?? '');
    this.db = options.shared ?? new MemoryDatabase();
    this.name = `memory${options.prefix ? `:${options.prefix}` : ''}`;
  }

  collectionName(collection: CollectionKey): string {
    return this.names[collection];
  }

  now(): number {
    return this.clock.now();
  }

  private decode<K extends CollectionKey>(collection: K, id: string, stored: StoredDoc): DocOf<K> {
    try {
      return decodeDoc(collection, structuredClone(stored.data));
    } catch (error) {
      throw new DocumentDecodeError(`${this.names[collection]}/${id}`, error);
    }
  }

  private stored(collection: CollectionKey, id: string): StoredDoc | undefined {
    return this.db.collection(this.names[collection]).get(id);
  }

  async get<K extends CollectionKey>(collection: K, id: string): Promise<DocResult<K>> {
    await Promise.resolve();
    this.meter.reads += 1;
    const s = this.stored(collection, id);
    return { doc: s ? this.decode(collection, id, s) : null, readTime: this.clock.now(), version: s ? (s.version as unknown as DocVersion) : null };
  }

  private evaluate<K extends CollectionKey>(query: Query<K>): { id: string; stored: StoredDoc }[] {
    const where = query.where ?? [];
    let orderBy = query.orderBy ?? [];
    if (orderBy.length === 0) {
      orderBy = [...new Set(where.filter((f) => INEQUALITY.has(f.op)).map((f) => f.field))].sort().map((field) => ({ field }));
    }
    const rows: { id: string; stored: StoredDoc; data: Record<string, unknown> }[] = [];
    for (const [id, stored] of this.db.collection(this.names[query.collection])) {
      if (!where.every((f) => matchesFilter(stored.data, f))) continue;
      if (!hasOrderFields(stored.data, orderBy)) continue;
      rows.push({ id, stored, data: stored.data });
    }
    rows.sort((a, b) => compareByOrder(a, b, orderBy));
    let start = 0;
    const cursor = query.startAfterId !== undefined ? this.db.collection(this.names[query.collection]).get(query.startAfterId) : undefined;
    if (cursor) {
      // Like Firestore's startAfter(snapshot): after the cursor's place in the order, even
      // when the cursor document no longer matches the filters (a missing one starts over).
      const at = { id: query.startAfterId!, data: cursor.data };
      start = rows.findIndex((r) => compareByOrder(r, at, orderBy) > 0);
      if (start < 0) start = rows.length;
    }
    const end = query.limit !== undefined ? start + query.limit : rows.length;
    return rows.slice(start, end);
  }

  private decodeRows<K extends CollectionKey>(
    collection: K,
    rows: { id: string; stored: StoredDoc }[],
  ): { docs: Snapshot<K>[]; undecodable: UndecodableDoc[] } {
    const docs: Snapshot<K>[] = [];
    const undecodable: UndecodableDoc[] = [];
    for (const r of rows) {
      try {
        docs.push({ id: r.id, data: this.decode(collection, r.id, r.stored), updateTime: r.stored.updateTime, version: r.stored.version as unknown as DocVersion });
      } catch (error) {
        const decodeError = error as DocumentDecodeError;
        this.options.onInvalidDocument?.(decodeError);
        undecodable.push({ id: r.id, raw: structuredClone(r.stored.data), error: decodeError, updateTime: r.stored.updateTime });
      }
    }
    return { docs, undecodable };
  }

  /**
   * Test support: stores `data` as it is, bypassing the schema, the way a browser or an admin
   * can write a document the engine cannot read (the contract suites need such documents).
   */
  writeRaw(collection: CollectionKey, id: string, data: Record<string, unknown>): void {
    this.assertOpen();
    this.db.version += 1;
    this.db.collection(this.names[collection]).set(id, { data: structuredClone(data), version: this.db.version, updateTime: this.clock.now() });
    this.meter.writes += 1;
    this.notify(new Set([this.names[collection]]));
  }

  private checkIndex(query: Query): void {
    // Firestore's own limit, whatever the indexes: a query past it is refused.
    assertQueryDisjunctions(query.collection, query.where ?? []);
    if (this.options.checkQueryIndexes !== false) assertRegisteredQuery({ collection: query.collection, where: query.where ?? [], orderBy: query.orderBy ?? [] });
  }

  async query<K extends CollectionKey>(query: Query<K>): Promise<QueryResult<K>> {
    await Promise.resolve();
    this.checkIndex(query);
    const rows = this.evaluate(query);
    this.meter.reads += Math.max(1, rows.length);
    return { ...this.decodeRows(query.collection, rows), readTime: this.clock.now() };
  }

  async count(query: Query): Promise<number> {
    await Promise.resolve();
    this.checkIndex(query);
    const n = this.evaluate({ ...query, limit: undefined }).length;
    this.meter.reads += Math.max(1, Math.ceil(n / 1000));
    return query.limit !== undefined ? Math.min(n, query.limit) : n;
  }

  async select<K extends CollectionKey, F extends keyof DocOf<K> & string>(query: Query<K>, fields: readonly F[]): Promise<SelectResult<K, F>> {
    await Promise.resolve();
    this.checkIndex(query);
    const rows = this.evaluate(query);
    this.meter.reads += Math.max(1, rows.length);
    const docs: SelectResult<K, F>['docs'] = [];
    for (const r of rows) {
      const picked = Object.fromEntries(fields.filter((f) => f in r.stored.data).map((f) => [f, structuredClone(r.stored.data[f])]));
      try {
        const data = decodeFields(query.collection, fields, picked);
        docs.push({ id: r.id, data, updateTime: r.stored.updateTime, version: r.stored.version as unknown as DocVersion });
      } catch (error) {
        this.options.onInvalidDocument?.(new DocumentDecodeError(`${this.names[query.collection]}/${r.id}`, error));
      }
    }
    return { docs, readTime: this.clock.now() };
  }

  async patch<K extends CollectionKey>(
    collection: K,
    id: string,
    fields: Partial<DocOf<K>>,
    options: { ifVersion?: DocVersion } = {},
  ): Promise<boolean> {
    await Promise.resolve();
    this.assertOpen();
    const encoded = encodeFields(collection, fields);
    const current = this.stored(collection, id);
    if (!current) return false;
    if (options.ifVersion !== undefined && current.version !== (options.ifVersion as unknown as number)) return false;
    this.db.version += 1;
    const now = this.clock.now();
    this.db
      .collection(this.names[collection])
      .set(id, { data: { ...current.data, ...structuredClone(encoded) }, version: this.db.version, updateTime: now });
    this.meter.writes += 1;
    this.notify(new Set([this.names[collection]]));
    return true;
  }

  private applyWrites(writes: readonly Write[]): number {
    // Validate everything first so a failing write leaves nothing behind (atomic commit).
    const encoded = writes.map((w) => {
      if (w.op === 'delete') return null;
      if (w.op === 'update') return encodeFields(w.collection, w.data as never);
      return encodeDoc(w.collection, w.data as never);
    });
    // Existence as the batch goes: an earlier write of the same batch counts.
    const exists = new Map<string, boolean>();
    const existsNow = (w: Write) => exists.get(`${w.collection}/${w.id}`) ?? this.stored(w.collection, w.id) !== undefined;
    for (const w of writes) {
      if (w.op === 'create' && existsNow(w)) throw new AlreadyExistsError(`${this.names[w.collection]}/${w.id}`);
      if (w.op === 'update' && !existsNow(w)) throw new MissingDocumentError(`${this.names[w.collection]}/${w.id}`);
      exists.set(`${w.collection}/${w.id}`, w.op !== 'delete');
    }
    const now = this.clock.now();
    const touched = new Set<string>();
    writes.forEach((w, i) => {
      const coll = this.db.collection(this.names[w.collection]);
      touched.add(this.names[w.collection]);
      this.db.version += 1;
      if (w.op === 'delete') {
        coll.delete(w.id);
        this.meter.deletes += 1;
      } else {
        const fields = structuredClone(encoded[i]!);
        const data = w.op === 'update' ? { ...coll.get(w.id)!.data, ...fields } : fields;
        coll.set(w.id, { data, version: this.db.version, updateTime: now });
        this.meter.writes += 1;
      }
    });
    this.notify(touched);
    return now;
  }

  async commit(mutations: readonly DocMutation[]): Promise<number> {
    await Promise.resolve();
    this.assertOpen();
    return this.applyWrites(mutations);
  }

  async commitIf(mutations: readonly GuardedMutation[]): Promise<GuardedCommit> {
    await Promise.resolve();
    this.assertOpen();
    // Guards are checked against the state before the batch, all or nothing, like Firestore.
    for (const m of mutations) {
      if (!m.guard) continue;
      const current = this.stored(m.collection, m.id);
      if ('ifMissing' in m.guard ? current !== undefined : current?.version !== (m.guard.ifVersion as unknown as number)) return { ok: false };
    }
    const time = this.applyWrites(mutations);
    const versions = mutations.map((m) => (m.op === 'delete' ? null : ((this.stored(m.collection, m.id)?.version ?? null) as unknown as DocVersion | null)));
    return { ok: true, time, versions };
  }

  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    const maxAttempts = this.options.maxTransactionAttempts ?? 25;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const reads = new Map<string, number>();
      const writes: Write[] = [];
      const now = this.clock.now();
      const readStored = (collection: CollectionKey, id: string): StoredDoc | undefined => {
        if (writes.length > 0) throw new Error('Firestore transactions require all reads to be executed before all writes');
        const s = this.stored(collection, id);
        reads.set(`${this.names[collection]}/${id}`, s?.version ?? 0);
        this.meter.reads += 1;
        return s;
      };
      const readOne = (collection: CollectionKey, id: string): unknown => {
        const s = readStored(collection, id);
        return s ? this.decode(collection, id, s) : null;
      };
      const tx: Transaction = {
        get: async <K extends CollectionKey>(collection: K, id: string) => {
          await Promise.resolve();
          return readOne(collection, id) as DocOf<K> | null;
        },
        getLenient: async <K extends CollectionKey>(collection: K, id: string): Promise<LenientRead<K>> => {
          await Promise.resolve();
          const s = readStored(collection, id);
          if (!s) return { kind: 'missing' };
          try {
            return { kind: 'decoded', doc: this.decode(collection, id, s) };
          } catch (error) {
            return { kind: 'undecodable', raw: structuredClone(s.data), error: error as DocumentDecodeError };
          }
        },
        getAll: async (refs: readonly DocRef[]) => {
          await Promise.resolve();
          return refs.map((r) => readOne(r.collection, r.id));
        },
        now: () => {
          // Same contract as Firestore, where a transaction's time is its first read's time.
          if (reads.size === 0) throw new Error('transaction time is known only after its first read');
          return now;
        },
        set: (collection, id, data) => void writes.push({ op: 'set', collection, id, data } as DocMutation),
        create: (collection, id, data) => void writes.push({ op: 'create', collection, id, data }),
        update: (collection, id, fields) => void writes.push({ op: 'update', collection, id, data: fields }),
        delete: (collection, id) => void writes.push({ op: 'delete', collection, id } as DocMutation),
        apply: (mutations) => void writes.push(...mutations),
      };
      const result = await fn(tx);
      const conflict = [...reads].some(([path, version]) => {
        const slash = path.lastIndexOf('/');
        return (this.db.collection(path.slice(0, slash)).get(path.slice(slash + 1))?.version ?? 0) !== version;
      });
      if (conflict) continue;
      if (writes.length > 0) this.applyWrites(writes);
      return result;
    }
    throw new ContentionError(maxAttempts);
  }

  private register(listener: Listener, onError: (error: Error) => void): Unsubscribe {
    if (this.closed) {
      queueMicrotask(() => onError(new StoreClosedError(this.name)));
      return () => {};
    }
    this.db.listeners.add(listener);
    this.ownListeners.add(listener);
    queueMicrotask(() => this.fire(listener));
    return () => {
      listener.active = false;
      this.db.listeners.delete(listener);
      this.ownListeners.delete(listener);
    };
  }

  private fire(listener: Listener): void {
    if (!listener.active) return;
    const { key, emit } = listener.evaluate();
    if (key === listener.lastKey) return;
    listener.lastKey = key;
    emit();
  }

  private notify(collections: Set<string>): void {
    for (const l of this.db.listeners) {
      if (collections.has(l.collection)) queueMicrotask(() => this.fire(l));
    }
  }

  listen<K extends CollectionKey>(
    query: Query<K>,
    onNext: (snapshot: ListenSnapshot<K>) => void,
    onError: (error: Error) => void,
  ): Unsubscribe {
    try {
      this.checkIndex(query);
    } catch (error) {
      // Like Firestore: a listener on a query without its index fails through onError.
      queueMicrotask(() => onError(error as Error));
      return () => {};
    }
    let previous = new Map<string, number>();
    const listener: Listener = {
      collection: this.names[query.collection],
      active: true,
      lastKey: null,
      evaluate: () => {
        const rows = this.evaluate(query);
        const key = rows.map((r) => `${r.id}@${r.stored.version}`).join(',');
        return {
          key,
          emit: () => {
            // Billing: one read per added or changed document (at least one for the first).
            const changed = rows.filter((r) => previous.get(r.id) !== r.stored.version).length;
            this.meter.reads += previous.size === 0 && listener.lastKey !== null ? Math.max(1, changed) : changed;
            previous = new Map(rows.map((r) => [r.id, r.stored.version]));
            onNext({ ...this.decodeRows(query.collection, rows), readTime: this.clock.now() });
          },
        };
      },
    };
    return this.register(listener, onError);
  }

  listenDoc<K extends CollectionKey>(
    collection: K,
    id: string,
    onNext: (result: DocResult<K>) => void,
    onError: (error: Error) => void,
  ): Unsubscribe {
    const listener: Listener = {
      collection: this.names[collection],
      active: true,
      lastKey: null,
      evaluate: () => {
        const s = this.stored(collection, id);
        return {
          key: String(s?.version ?? 0),
          emit: () => {
            this.meter.reads += 1;
            try {
              onNext({ doc: s ? this.decode(collection, id, s) : null, readTime: this.clock.now(), version: s ? (s.version as unknown as DocVersion) : null });
            } catch (error) {
              onError(error as Error);
            }
          },
        };
      },
    };
    return this.register(listener, onError);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError(this.name);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const l of this.ownListeners) {
      l.active = false;
      this.db.listeners.delete(l);
    }
    this.ownListeners.clear();
    await Promise.resolve();
  }
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore(options);
}

import { assertRegisteredQuery, collectionNames, encodeDoc, type CollectionKey, type DocOf } from '@fq/worker/schema';
import { DocumentExistsError, PageCursorExpiredError } from '../data/errors';
import { ServerTimeSentinel, type DataPort, type LiveMeta, type Mutation, type Page, type Sink, type TransactionReader } from '../data/port';
import { decodeRow, decodeViewRow, type Row } from '../data/rows';
import type { DocSpec, QuerySpec } from '../data/specs';
import {
  comparePositions,
  matchesFilter,
  mergeInto,
  normalizedOrder,
  positionOf,
  updateFields,
  withoutUndefined,
  type Position,
} from './fakeFirestoreValues';

type Raw = Record<string, unknown>;

const LIVE: LiveMeta = { fromCache: false, hasPendingWrites: false };

/** The web SDK retries a transaction that lost a race up to 5 times, then gives up. */
const MAX_TRANSACTION_ATTEMPTS = 5;

/** An error shaped like the web SDK's `FirestoreError` (name and `code`), e.g. for `failNextWrite`. */
export function firestoreError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'FirebaseError', code });
}

export const permissionDenied = () => firestoreError('permission-denied', 'Missing or insufficient permissions.');

/** A transaction read a document that changed before its commit (the SDK then retries it). */
class ContentionError extends Error {}

interface Watcher {
  spec: DocSpec | QuerySpec;
  sink: Sink<unknown>;
  /** False until the first snapshot went out (never inside the watch call itself). */
  started: boolean;
}

interface Cursor {
  /** The document the page ended with, as it was then (a cursor survives its change or deletion). */
  id: string;
  raw: Raw;
}

/**
 * An in-memory DataPort for component and hook tests. It keeps Firestore's semantics where
 * the console can tell (the data-port contract, `src/data/dataPort.contract.ts`, holds it and
 * the Firestore adapter to the same cases): filters, implicit order and cursors as the web
 * SDK evaluates them (`fakeFirestoreValues.ts`), atomic commits, transactions retried when a
 * document they read changed, snapshots delivered after `watch` returns. It pushes a fresh
 * snapshot to every watcher on each write and records commits so tests can assert on the
 * exact documents written.
 */
export class FakeData implements DataPort {
  readonly names = collectionNames('');
  readonly store = new Map<CollectionKey, Map<string, Raw>>();
  readonly commits: Mutation[][] = [];
  readonly watchers = new Set<Watcher>();
  watchCalls = 0;
  /** `after`: the id of the row the requested page follows (null for a first page). */
  pageCalls: { spec: QuerySpec; after: string | null }[] = [];
  private idSeq = 0;
  private cursorSeq = 0;
  private readonly cursors = new Map<string, Cursor>();
  /** Bumped on every write of a document; what a transaction's reads are checked against. */
  private readonly versions = new Map<string, number>();
  private failures: Error[] = [];
  /** Firestore's clock for server timestamps. */
  serverNow: () => number = () => Date.now();
  /** When set, writes wait for this promise (to observe pending UI states). */
  gate: Promise<void> | null = null;

  /** Seeds a domain document (encoded through its schema, like the real adapter stores it). */
  put<K extends CollectionKey>(collection: K, id: string, doc: DocOf<K>, notify = true): void {
    this.putRaw(collection, id, encodeDoc(collection, doc), notify);
  }

  putRaw(collection: CollectionKey, id: string, raw: Raw, notify = true): void {
    this.collection(collection).set(id, raw);
    this.bump(collection, id);
    if (notify) this.notify();
  }

  remove(collection: CollectionKey, id: string): void {
    this.store.get(collection)?.delete(id);
    this.bump(collection, id);
    this.notify();
  }

  /** As stored; `view`: as the web SDK adapter's listeners and reads decode it (`viewRow`). */
  read<K extends CollectionKey>(collection: K, id: string, use: 'view' | 'whole' = 'whole'): Row<DocOf<K>> | null {
    const raw = this.store.get(collection)?.get(id);
    return raw === undefined ? null : (use === 'view' ? decodeViewRow : decodeRow)(collection, id, raw);
  }

  all(collection: CollectionKey): [string, Raw][] {
    return [...(this.store.get(collection) ?? new Map<string, Raw>())];
  }

  /** The next write fails with `error` (nothing is applied). */
  failNextWrite(error: Error): void {
    this.failures.push(error);
  }

  /** Pushes an error to every watcher of `collection` (listener death). */
  breakListeners(collection: CollectionKey, error: Error): void {
    for (const w of [...this.watchers]) {
      if (w.spec.collection === collection) {
        this.watchers.delete(w);
        w.sink.error(error);
      }
    }
  }

  /** Emits the current results again with the given metadata (e.g. fromCache). */
  emitMeta(meta: LiveMeta): void {
    for (const w of this.watchers) if (w.started) this.emit(w, meta);
  }

  /**
   * This data seen by a client that security rules refuse on `denied`: its reads, listeners
   * and writes touching them fail with `permission-denied` (and write nothing), like a signed-in
   * user's on the servers' collection.
   */
  restricted(denied: readonly CollectionKey[]): DataPort {
    const refused = (c: CollectionKey) => denied.includes(c);
    const check = (c: CollectionKey) => {
      if (refused(c)) throw permissionDenied();
    };
    const deadListener = (sink: Sink<never>) => {
      let live = true;
      queueMicrotask(() => {
        if (live) sink.error(permissionDenied());
      });
      return () => {
        live = false;
      };
    };
    return {
      names: this.names,
      watchDoc: (spec, sink) => (refused(spec.collection) ? deadListener(sink) : this.watchDoc(spec, sink)),
      watchQuery: (spec, sink) => (refused(spec.collection) ? deadListener(sink) : this.watchQuery(spec, sink)),
      getDoc: async (spec) => {
        check(spec.collection);
        return this.getDoc(spec);
      },
      getPage: async (spec, after) => {
        check(spec.collection);
        return this.getPage(spec, after);
      },
      transact: (plan) =>
        this.transact(async (tx) => {
          const out = await plan({
            get: async (spec) => {
              check(spec.collection);
              return tx.get(spec);
            },
          });
          for (const m of out.mutations) check(m.collection);
          return out;
        }),
      commitBatch: async (mutations) => {
        for (const m of mutations) check(m.collection);
        return this.commitBatch(mutations);
      },
      newId: (c) => this.newId(c),
    };
  }

  watchDoc<K extends CollectionKey>(spec: DocSpec<K>, sink: Sink<Row<DocOf<K>> | null>) {
    return this.watch(spec, sink as Sink<unknown>);
  }

  watchQuery<K extends CollectionKey>(spec: QuerySpec<K>, sink: Sink<Row<DocOf<K>>[]>) {
    return this.watch(spec, sink as Sink<unknown>);
  }

  async getDoc<K extends CollectionKey>(spec: DocSpec<K>) {
    await Promise.resolve();
    return this.read(spec.collection, spec.id, 'view');
  }

  async getPage<K extends CollectionKey>(spec: QuerySpec<K>, after: { token: string } | null): Promise<Page<DocOf<K>>> {
    const cursor = after ? this.cursors.get(after.token) : null;
    this.pageCalls.push({ spec, after: cursor?.id ?? null });
    await Promise.resolve();
    if (after && !cursor) throw new PageCursorExpiredError();
    const page = this.evaluate(spec, spec.limit, cursor ?? null);
    const last = page.at(-1);
    let next: { token: string } | null = null;
    if (last && page.length === spec.limit) {
      const token = `cursor-${++this.cursorSeq}`;
      this.cursors.set(token, { id: last[0], raw: last[1] });
      next = { token };
    }
    return { rows: page.map(([id, raw]) => decodeViewRow(spec.collection, id, raw)), next };
  }

  async transact<R>(plan: (tx: TransactionReader) => Promise<{ mutations: Mutation[]; result: R }>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const seen = new Map<string, number>();
      const { mutations, result } = await plan({
        get: async (spec) => {
          await Promise.resolve();
          seen.set(this.key(spec.collection, spec.id), this.versionOf(spec.collection, spec.id));
          return this.read(spec.collection, spec.id, 'whole');
        },
      });
      try {
        await this.commit(mutations, seen);
        return result;
      } catch (error) {
        if (!(error instanceof ContentionError)) throw error;
        if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw firestoreError('aborted', `transaction lost ${attempt} races; nothing was written`);
      }
    }
  }

  async commitBatch(mutations: Mutation[]): Promise<void> {
    await this.commit(mutations, new Map());
  }

  newId(collection: CollectionKey): string {
    return `${collection}-${++this.idSeq}`;
  }

  /**
   * Applies `mutations` all or nothing, in order (an update may follow a set of the same
   * document), if no document in `guards` changed since it was read.
   */
  private async commit(mutations: Mutation[], guards: Map<string, number>): Promise<void> {
    if (this.gate) await this.gate;
    await Promise.resolve();
    const failure = this.failures.shift();
    if (failure) throw failure;
    for (const [key, version] of guards) if ((this.versions.get(key) ?? 0) !== version) throw new ContentionError();
    const staged = new Map<string, { collection: CollectionKey; id: string; raw: Raw | undefined }>();
    const current = (collection: CollectionKey, id: string) => {
      const hit = staged.get(this.key(collection, id));
      return hit ? hit.raw : this.store.get(collection)?.get(id);
    };
    const stage = (collection: CollectionKey, id: string, raw: Raw | undefined) => staged.set(this.key(collection, id), { collection, id, raw });
    for (const m of mutations) {
      const path = `${m.collection}/${m.id}`;
      if (m.op === 'delete') {
        stage(m.collection, m.id, undefined);
        continue;
      }
      const data = withoutUndefined(this.stamp(m.data, path, false) as Raw);
      if (m.op === 'create') {
        const id = m.id ?? this.newId(m.collection);
        if (current(m.collection, id) !== undefined) throw new DocumentExistsError(`${m.collection}/${id}`);
        stage(m.collection, id, data);
      } else if (m.op === 'update') {
        const cur = current(m.collection, m.id);
        if (cur === undefined) throw firestoreError('not-found', `No document to update: ${path}`);
        stage(m.collection, m.id, updateFields(cur, data));
      } else {
        stage(m.collection, m.id, m.merge ? mergeInto(current(m.collection, m.id) ?? {}, data) : data);
      }
    }
    this.commits.push(mutations);
    for (const { collection, id, raw } of staged.values()) {
      if (raw === undefined) this.store.get(collection)?.delete(id);
      else this.collection(collection).set(id, raw);
      this.bump(collection, id);
    }
    this.notify();
  }

  /** Server timestamps become the server's clock; the SDK refuses them inside arrays. */
  private stamp(v: unknown, path: string, inArray: boolean): unknown {
    if (v instanceof ServerTimeSentinel) {
      if (inArray) throw firestoreError('invalid-argument', `serverTimestamp() is not currently supported inside arrays (${path})`);
      return new Date(this.serverNow());
    }
    if (Array.isArray(v)) return v.map((x) => this.stamp(x, path, true));
    if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.stamp(x, path, inArray)]));
    }
    return v;
  }

  private collection(key: CollectionKey): Map<string, Raw> {
    let coll = this.store.get(key);
    if (!coll) this.store.set(key, (coll = new Map()));
    return coll;
  }

  private key(collection: CollectionKey, id: string): string {
    return `${collection}/${id}`;
  }

  private versionOf(collection: CollectionKey, id: string): number {
    return this.versions.get(this.key(collection, id)) ?? 0;
  }

  private bump(collection: CollectionKey, id: string): void {
    this.versions.set(this.key(collection, id), this.versionOf(collection, id) + 1);
  }

  private watch(spec: DocSpec | QuerySpec, sink: Sink<unknown>) {
    this.watchCalls += 1;
    const w: Watcher = { spec, sink, started: false };
    this.watchers.add(w);
    // Like Firestore, the first snapshot arrives after `watch` returns, never inside it.
    queueMicrotask(() => {
      if (!this.watchers.has(w) || w.started) return;
      w.started = true;
      this.emit(w, LIVE);
    });
    return () => {
      this.watchers.delete(w);
    };
  }

  private notify(): void {
    for (const w of [...this.watchers]) if (w.started && this.watchers.has(w)) this.emit(w, LIVE);
  }

  private emit(w: Watcher, meta: LiveMeta): void {
    if (w.spec.kind === 'doc') {
      w.sink.next(this.read(w.spec.collection, w.spec.id, 'view'), meta);
      return;
    }
    const spec = w.spec;
    let rows: [string, Raw][];
    try {
      rows = this.evaluate(spec, spec.limit, null);
    } catch (error) {
      // A query Firestore refuses (no index) kills its listener, as a listener error.
      this.watchers.delete(w);
      w.sink.error(error as Error);
      return;
    }
    w.sink.next(
      rows.map(([id, raw]) => decodeViewRow(spec.collection, id, raw)),
      meta,
    );
  }

  /** The query's results in Firestore's order, after `cursor` when given, at most `limit`. */
  private evaluate(spec: QuerySpec, limit: number, cursor: Cursor | null): [string, Raw][] {
    // Like Firestore without the index: a query that needs a composite index must come from a
    // registered shape (QUERIES), or production would lack its index.
    assertRegisteredQuery(spec);
    const order = normalizedOrder(spec.where, spec.orderBy);
    // `__name__` (filters and orders on the document id) reads the id, as in Firestore.
    const byId = [...spec.where, ...spec.orderBy].some((f) => f.field === '__name__');
    const named = (id: string, raw: Raw): Raw => (byId ? { ...raw, __name__: id } : raw);
    const start = cursor ? positionOf(named(cursor.id, cursor.raw), cursor.id, order) : null;
    const rows: { id: string; raw: Raw; at: Position }[] = [];
    for (const [id, raw] of this.all(spec.collection)) {
      const view = named(id, raw);
      const at = positionOf(view, id, order);
      if (!at || !spec.where.every((f) => matchesFilter(view, f))) continue;
      if (start && comparePositions(at, start, order) <= 0) continue;
      rows.push({ id, raw, at });
    }
    rows.sort((a, b) => comparePositions(a.at, b.at, order));
    return rows.slice(0, limit).map((r) => [r.id, r.raw]);
  }
}

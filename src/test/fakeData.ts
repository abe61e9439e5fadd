import { assertRegisteredQuery, collectionNames, encodeDoc, type CollectionKey, type DocOf } from '@fq/worker/schema';
import { ServerTimeSentinel, type DataPort, type LiveMeta, type Mutation, type Page, type Sink } from '../data/port';
import { decodeRow, decodeViewRow, type Row } from '../data/rows';
import type { DocSpec, FieldFilter, FilterValue, QuerySpec } from '../data/specs';

type Raw = Record<string, unknown>;

const LIVE: LiveMeta = { fromCache: false, hasPendingWrites: false };

function comparable(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (v !== null && typeof v === 'object' && 'timeMs' in v) return (v as { timeMs: number }).timeMs;
  if (v !== null && typeof v === 'object' && typeof (v as { toMillis?: unknown }).toMillis === 'function') {
    return (v as { toMillis(): number }).toMillis();
  }
  return v;
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

function matches(doc: Raw, f: FieldFilter): boolean {
  const v = field(doc, f.field);
  const want = comparable(f.value as FilterValue);
  switch (f.op) {
    case '==':
      return v === want;
    case '!=':
      return v !== want;
    case '<':
      return v !== undefined && cmp(v, want) < 0;
    case '<=':
      return v !== undefined && cmp(v, want) <= 0;
    case '>':
      return v !== undefined && cmp(v, want) > 0;
    case '>=':
      return v !== undefined && cmp(v, want) >= 0;
    case 'in':
      return (f.value as FilterValue[]).map(comparable).includes(v);
    case 'not-in':
      return v !== undefined && v !== null && !(f.value as FilterValue[]).map(comparable).includes(v);
    case 'array-contains':
      return Array.isArray(v) && v.map(comparable).includes(want);
  }
}

interface Watcher {
  spec: DocSpec | QuerySpec;
  sink: Sink<unknown>;
}

/**
 * An in-memory DataPort for component and hook tests: evaluates the same specs the Firestore
 * adapter does (filters, order, limit, cursors), pushes a fresh snapshot to every watcher on
 * each write, and records commits so tests can assert on the exact documents written.
 */
export class FakeData implements DataPort {
  readonly names = collectionNames('');
  readonly store = new Map<CollectionKey, Map<string, Raw>>();
  readonly commits: Mutation[][] = [];
  readonly watchers = new Set<Watcher>();
  watchCalls = 0;
  pageCalls: { spec: QuerySpec; after: string | null }[] = [];
  private idSeq = 0;
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
    let coll = this.store.get(collection);
    if (!coll) this.store.set(collection, (coll = new Map()));
    coll.set(id, raw);
    if (notify) this.notify();
  }

  remove(collection: CollectionKey, id: string): void {
    this.store.get(collection)?.delete(id);
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
    for (const w of this.watchers) this.emit(w, meta);
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
    this.pageCalls.push({ spec, after: after?.token ?? null });
    await Promise.resolve();
    const all = this.evaluate(spec, Number.MAX_SAFE_INTEGER);
    const start = after ? all.findIndex(([id]) => id === after.token) + 1 : 0;
    const page = all.slice(start, start + spec.limit);
    const last = page.at(-1);
    return {
      rows: page.map(([id, raw]) => decodeViewRow(spec.collection, id, raw)),
      next: last && page.length === spec.limit ? { token: last[0] } : null,
    };
  }

  async transact<R>(
    plan: (tx: { get<K extends CollectionKey>(spec: DocSpec<K>): Promise<Row<DocOf<K>> | null> }) => Promise<{
      mutations: Mutation[];
      result: R;
    }>,
  ): Promise<R> {
    const { mutations, result } = await plan({ get: async (spec) => this.read(spec.collection, spec.id, 'whole') });
    await this.commitBatch(mutations);
    return result;
  }

  async commitBatch(mutations: Mutation[]): Promise<void> {
    if (this.gate) await this.gate;
    await Promise.resolve();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.commits.push(mutations);
    const stamp = (v: unknown): unknown => {
      if (v instanceof ServerTimeSentinel) return new Date(this.serverNow());
      if (Array.isArray(v)) return v.map(stamp);
      if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stamp(x)]));
      }
      return v;
    };
    mutations = mutations.map((m) => (m.op === 'delete' ? m : { ...m, data: stamp(m.data) as Raw }));
    // Like Firestore: a create of an existing document fails the whole commit.
    for (const m of mutations) {
      if (m.op === 'create' && m.id !== null && this.store.get(m.collection)?.has(m.id)) {
        throw Object.assign(new Error(`document already exists: ${m.collection}/${m.id}`), { code: 'already-exists' });
      }
    }
    for (const m of mutations) {
      const coll = this.store.get(m.collection) ?? new Map<string, Raw>();
      this.store.set(m.collection, coll);
      if (m.op === 'delete') coll.delete(m.id);
      else if (m.op === 'update') {
        const cur = coll.get(m.id);
        if (!cur) throw Object.assign(new Error(`no document to update: ${m.collection}/${m.id}`), { code: 'not-found' });
        coll.set(m.id, { ...cur, ...m.data });
      } else if (m.op === 'set' && m.merge) coll.set(m.id, { ...(coll.get(m.id) ?? {}), ...m.data });
      else coll.set(m.op === 'create' ? (m.id ?? this.newId(m.collection)) : m.id, m.data);
    }
    this.notify();
  }

  newId(collection: CollectionKey): string {
    return `${collection}-${++this.idSeq}`;
  }

  private watch(spec: DocSpec | QuerySpec, sink: Sink<unknown>) {
    this.watchCalls += 1;
    const w: Watcher = { spec, sink };
    this.watchers.add(w);
    this.emit(w, LIVE);
    return () => {
      this.watchers.delete(w);
    };
  }

  private notify(): void {
    for (const w of [...this.watchers]) this.emit(w, LIVE);
  }

  private emit(w: Watcher, meta: LiveMeta): void {
    if (w.spec.kind === 'doc') {
      w.sink.next(this.read(w.spec.collection, w.spec.id, 'view'), meta);
    } else {
      const spec = w.spec;
      w.sink.next(
        this.evaluate(spec, spec.limit).map(([id, raw]) => decodeViewRow(spec.collection, id, raw)),
        meta,
      );
    }
  }

  private evaluate(spec: QuerySpec, limit: number): [string, Raw][] {
    // Like Firestore without the index: a query that needs a composite index must come from a
    // registered shape (QUERIES), or production would lack its index.
    assertRegisteredQuery(spec);
    const rows = this.all(spec.collection).filter(([, raw]) => spec.where.every((f) => matches(raw, f)));
    rows.sort((a, b) => {
      for (const o of spec.orderBy) {
        const c = cmp(field(a[1], o.field), field(b[1], o.field));
        if (c !== 0) return o.direction === 'asc' ? c : -c;
      }
      return a[0] < b[0] ? -1 : 1;
    });
    return rows.slice(0, limit);
  }
}

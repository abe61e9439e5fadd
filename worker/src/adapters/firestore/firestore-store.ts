import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import {
  getFirestore,
  type Timestamp,
  type CollectionReference,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Query as FsQuery,
  type QuerySnapshot,
  type QueryDocumentSnapshot,
  type Transaction as FsTransaction,
} from 'firebase-admin/firestore';
import { collectionNames, type CollectionKey, type CollectionNames } from '../../schema/names.js';
import { decodeDoc, decodeFields, encodeDoc, encodeFields, type DocOf } from '../../schema/documents.js';
import type { DocMutation, DocRef } from '../../core/mutations.js';
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
import { ClockOffset } from './clock-offset.js';
import { absentFields, changedFields, KnownVersions } from './known-versions.js';

export interface FirestoreStoreOptions {
  projectId: string;
  prefix?: string;
  /** `host:port` of an emulator; FIRESTORE_EMULATOR_HOST wins when set (SDK behaviour). */
  emulatorHost?: string | null;
  databaseId?: string;
  onInvalidDocument?: (error: DocumentDecodeError) => void;
  /** Transaction attempts before giving up with `ContentionError` (SDK default 5). */
  maxTransactionAttempts?: number;
}

let appCounter = 0;

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_ABORTED = 10;

/** The exact update time (microseconds), the only value a precondition matches. */
function versionOf(snap: DocumentSnapshot): DocVersion | null {
  return snap.exists && snap.updateTime ? (snap.updateTime as unknown as DocVersion) : null;
}

function grpcCode(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

/**
 * The store port on firebase-admin (server SDK: pessimistic transactions, gRPC, listeners).
 * Every instance owns its own firebase-admin app so several "servers" can live in one test
 * process and close independently.
 */
export class FirestoreStore implements DocStore {
  readonly name: string;
  readonly meter: OpsMeter = { reads: 0, writes: 0, deletes: 0 };
  readonly db: Firestore;
  private readonly app: App;
  private readonly names: CollectionNames;
  private readonly offset = new ClockOffset();
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Documents at the versions last read or written (decode once per version, diff writes). */
  private readonly known = new KnownVersions();

  constructor(private readonly options: FirestoreStoreOptions) {
    this.names = collectionNames(options.prefix ?? '');
    this.app = initializeApp({ projectId: options.projectId }, `fq-store-${process.pid}-${++appCounter}`);
    this.db = options.databaseId ? getFirestore(this.app, options.databaseId) : getFirestore(this.app);
    const host = process.env.FIRESTORE_EMULATOR_HOST ?? options.emulatorHost ?? undefined;
    // Against an emulator no Google credentials are involved; without this, google-auth
    // probes the GCE metadata server (network timeouts and warnings on every start).
    if (host) process.env.METADATA_SERVER_DETECTION ??= 'none';
    this.db.settings({
      ignoreUndefinedProperties: true,
      ...(host ? { host, ssl: false } : {}),
    });
    this.name = `firestore:${options.projectId}${options.prefix ? `/${options.prefix}` : ''}`;
  }

  collectionName(collection: CollectionKey): string {
    return this.names[collection];
  }

  now(): number {
    return this.offset.now();
  }

  private readonly collections = new Map<CollectionKey, CollectionReference>();

  /** Collection references are reused: building one parses and validates its path. */
  private collectionRef(collection: CollectionKey): CollectionReference {
    let ref = this.collections.get(collection);
    if (!ref) {
      ref = this.db.collection(this.names[collection]);
      this.collections.set(collection, ref);
    }
    return ref;
  }

  private ref(collection: CollectionKey, id: string) {
    return this.collectionRef(collection).doc(id);
  }

  /**
   * Decodes a stored document once per version: a version this adapter already decoded is
   * the same stored document (an exact `updateTime`), so its checked domain form is reused.
   * Throws what `decodeDoc` throws; `raw` is read only when it must be decoded.
   */
  private decodeVersion<K extends CollectionKey>(collection: K, path: string, version: Timestamp, raw: () => DocumentData | undefined): DocOf<K> {
    const known = this.known.get(path, version);
    if (known?.decoded) return known.doc as DocOf<K>;
    const data = raw();
    const doc = decodeDoc(collection, data);
    this.known.remember(path, { version, doc: doc as Record<string, unknown>, absent: absentFields(doc as Record<string, unknown>, data), decoded: true });
    return doc;
  }

  private decodeSnap<K extends CollectionKey>(collection: K, snap: DocumentSnapshot): DocOf<K> | null {
    if (!snap.exists) return null;
    try {
      return snap.updateTime ? this.decodeVersion(collection, snap.ref.path, snap.updateTime, () => snap.data()) : decodeDoc(collection, snap.data());
    } catch (error) {
      throw new DocumentDecodeError(snap.ref.path, error);
    }
  }

  private decodeOne<K extends CollectionKey>(collection: K, d: QueryDocumentSnapshot): { doc: Snapshot<K> | null; undecodable: UndecodableDoc | null } {
    const updateTime = d.updateTime.toMillis();
    try {
      const data = this.decodeVersion(collection, d.ref.path, d.updateTime, () => d.data());
      return { doc: { id: d.id, data, updateTime, version: d.updateTime as unknown as DocVersion }, undecodable: null };
    } catch (error) {
      const decodeError = new DocumentDecodeError(d.ref.path, error);
      this.options.onInvalidDocument?.(decodeError);
      return { doc: null, undecodable: { id: d.id, raw: d.data(), error: decodeError, updateTime } };
    }
  }

  private snapshots<K extends CollectionKey>(collection: K, snap: QuerySnapshot): { docs: Snapshot<K>[]; undecodable: UndecodableDoc[] } {
    const docs: Snapshot<K>[] = [];
    const undecodable: UndecodableDoc[] = [];
    for (const d of snap.docs) {
      const one = this.decodeOne(collection, d);
      if (one.doc) docs.push(one.doc);
      if (one.undecodable) undecodable.push(one.undecodable);
    }
    return { docs, undecodable };
  }

  private async timed<T>(fn: () => Promise<T>, readTime: (r: T) => number | null): Promise<T> {
    const t0 = Date.now();
    const result = await fn();
    const rt = readTime(result);
    if (rt !== null) this.offset.observe(rt, t0, Date.now());
    return result;
  }

  /**
   * Every operation is tracked so `close()` can let in-flight calls finish before terminating
   * the client (a call cut off by `terminate()` rejects inside the SDK where nobody listens).
   */
  private track<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.name));
    const p = fn();
    this.inflight.add(p);
    const done = () => void this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  get<K extends CollectionKey>(collection: K, id: string): Promise<DocResult<K>> {
    return this.track(() => this.doGet(collection, id));
  }

  private async doGet<K extends CollectionKey>(collection: K, id: string): Promise<DocResult<K>> {
    const snap = await this.timed(() => this.ref(collection, id).get(), (s) => s.readTime.toMillis());
    this.meter.reads += 1;
    return { doc: this.decodeSnap(collection, snap), readTime: snap.readTime.toMillis(), version: versionOf(snap) };
  }

  private async build(query: Query): Promise<FsQuery> {
    let q: FsQuery = this.collectionRef(query.collection);
    for (const f of query.where ?? []) q = q.where(f.field, f.op, f.value);
    for (const o of query.orderBy ?? []) q = q.orderBy(o.field, o.direction ?? 'asc');
    if (query.startAfterId !== undefined) {
      const cursor = await this.ref(query.collection, query.startAfterId).get();
      this.meter.reads += 1;
      if (cursor.exists) q = q.startAfter(cursor);
    }
    if (query.limit !== undefined) q = q.limit(query.limit);
    return q;
  }

  query<K extends CollectionKey>(query: Query<K>): Promise<QueryResult<K>> {
    return this.track(() => this.doQuery(query));
  }

  private async doQuery<K extends CollectionKey>(query: Query<K>): Promise<QueryResult<K>> {
    const q = await this.build(query);
    const snap = await this.timed(() => q.get(), (s) => s.readTime.toMillis());
    this.meter.reads += Math.max(1, snap.size);
    return { ...this.snapshots(query.collection, snap), readTime: snap.readTime.toMillis() };
  }

  count(query: Query): Promise<number> {
    return this.track(() => this.doCount(query));
  }

  private async doCount(query: Query): Promise<number> {
    const q = await this.build(query);
    const snap = await q.count().get();
    const n = snap.data().count;
    this.meter.reads += Math.max(1, Math.ceil(n / 1000));
    return n;
  }

  select<K extends CollectionKey, F extends keyof DocOf<K> & string>(query: Query<K>, fields: readonly F[]): Promise<SelectResult<K, F>> {
    return this.track(() => this.doSelect(query, fields));
  }

  private async doSelect<K extends CollectionKey, F extends keyof DocOf<K> & string>(
    query: Query<K>,
    fields: readonly F[],
  ): Promise<SelectResult<K, F>> {
    const q = (await this.build(query)).select(...fields);
    const snap = await this.timed(() => q.get(), (s) => s.readTime.toMillis());
    this.meter.reads += Math.max(1, snap.size);
    const docs: SelectResult<K, F>['docs'] = [];
    for (const d of snap.docs) {
      try {
        const data = decodeFields(query.collection, fields, d.data());
        // The exact Timestamp (microseconds): a millisecond copy would never match a precondition.
        docs.push({ id: d.id, data, updateTime: d.updateTime.toMillis(), version: d.updateTime as unknown as DocVersion });
      } catch (error) {
        this.options.onInvalidDocument?.(new DocumentDecodeError(d.ref.path, error));
      }
    }
    return { docs, readTime: snap.readTime.toMillis() };
  }

  patch<K extends CollectionKey>(collection: K, id: string, fields: Partial<DocOf<K>>, options: { ifVersion?: DocVersion } = {}): Promise<boolean> {
    return this.track(async () => {
      const data = encodeFields(collection, fields);
      const ref = this.ref(collection, id);
      try {
        if (options.ifVersion !== undefined) await ref.update(data, { lastUpdateTime: options.ifVersion as unknown as Timestamp });
        else await ref.update(data);
      } catch (error) {
        const code = grpcCode(error);
        if (code === GRPC_NOT_FOUND || code === GRPC_FAILED_PRECONDITION) return false;
        throw error;
      }
      this.meter.writes += 1;
      return true;
    });
  }

  private write(batch: { set(ref: never, data: never): unknown; delete(ref: never): unknown }, m: DocMutation): void {
    if (m.op === 'delete') {
      batch.delete(this.ref(m.collection, m.id) as never);
      this.meter.deletes += 1;
    } else {
      batch.set(this.ref(m.collection, m.id) as never, encodeDoc(m.collection, m.data as never) as never);
      this.meter.writes += 1;
    }
  }

  commit(mutations: readonly DocMutation[]): Promise<number> {
    return this.track(() => this.doCommit(mutations));
  }

  private async doCommit(mutations: readonly DocMutation[]): Promise<number> {
    if (mutations.length === 0) return this.now();
    const batch = this.db.batch();
    for (const m of mutations) this.write(batch as never, m);
    const results = await batch.commit();
    const t = results[0]?.writeTime.toMillis() ?? this.now();
    return t;
  }

  commitIf(mutations: readonly GuardedMutation[]): Promise<GuardedCommit> {
    return this.track(() => this.doCommitIf(mutations));
  }

  private async doCommitIf(mutations: readonly GuardedMutation[]): Promise<GuardedCommit> {
    if (mutations.length === 0) return { ok: true, time: this.now(), versions: [] };
    const batch = this.db.batch();
    const refs: DocumentReference[] = [];
    for (const m of mutations) {
      const ref = this.ref(m.collection, m.id);
      refs.push(ref);
      const guard = m.guard;
      if (m.op === 'delete') {
        if (!guard) batch.delete(ref);
        else if ('ifMissing' in guard) batch.delete(ref, { exists: false });
        else batch.delete(ref, { lastUpdateTime: guard.ifVersion as unknown as Timestamp });
        continue;
      }
      if (!guard) batch.set(ref, encodeDoc(m.collection, m.data as never) as DocumentData);
      else if ('ifMissing' in guard) batch.create(ref, encodeDoc(m.collection, m.data as never) as DocumentData);
      else {
        // The SDK's set() takes no precondition: an update of every field the schema writes,
        // guarded by the version read, is the same replacement. Over a version this adapter
        // knows, only the fields that differ from it: the guard pins all the others.
        const version = guard.ifVersion as unknown as Timestamp;
        const base = this.known.get(ref.path, version);
        const changed = base && changedFields(base, m.data as Record<string, unknown>);
        const data = changed ? encodeFields(m.collection, changed as never) : (encodeDoc(m.collection, m.data as never) as DocumentData);
        batch.update(ref, data, { lastUpdateTime: version });
      }
    }
    let results;
    const t0 = Date.now();
    try {
      results = await batch.commit();
    } catch (error) {
      const code = grpcCode(error);
      if (code === GRPC_FAILED_PRECONDITION || code === GRPC_ALREADY_EXISTS || code === GRPC_NOT_FOUND) return { ok: false };
      throw error;
    }
    mutations.forEach((m, i) => {
      if (m.op === 'delete') {
        this.meter.deletes += 1;
        this.known.forget(refs[i]!.path);
        return;
      }
      this.meter.writes += 1;
      // What this commit stored, at the version it produced: the base of the holder's next step.
      const version = results[i]?.writeTime;
      if (version) this.known.remember(refs[i]!.path, { version, doc: m.data as Record<string, unknown>, absent: [], decoded: false });
    });
    const time = results[0]?.writeTime.toMillis() ?? this.now();
    // Guarded steps decide expiry with this worker's estimate of store time: keep it fresh.
    if (results[0]) this.offset.observe(time, t0, Date.now());
    return {
      ok: true,
      time,
      versions: mutations.map((m, i) => (m.op === 'delete' ? null : ((results[i]?.writeTime ?? null) as unknown as DocVersion | null))),
    };
  }

  runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.track(() => this.doRunTransaction(fn));
  }

  private async doRunTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    try {
      return await this.db.runTransaction(
        async (t: FsTransaction) => {
          let readTime: number | null = null;
          const observe = (snap: DocumentSnapshot) => {
            const rt = snap.readTime.toMillis();
            if (readTime === null) readTime = rt;
            this.meter.reads += 1;
          };
          const read = async (collection: CollectionKey, id: string) => {
            const t0 = Date.now();
            const snap = await t.get(this.ref(collection, id));
            this.offset.observe(snap.readTime.toMillis(), t0, Date.now());
            observe(snap);
            return snap;
          };
          const tx: Transaction = {
            get: async <K extends CollectionKey>(collection: K, id: string) => this.decodeSnap(collection, await read(collection, id)),
            getLenient: async <K extends CollectionKey>(collection: K, id: string): Promise<LenientRead<K>> => {
              const snap = await read(collection, id);
              if (!snap.exists) return { kind: 'missing' };
              try {
                return { kind: 'decoded', doc: decodeDoc(collection, snap.data()) };
              } catch (error) {
                return { kind: 'undecodable', raw: snap.data() ?? {}, error: new DocumentDecodeError(snap.ref.path, error) };
              }
            },
            getAll: async (refs: readonly DocRef[]) => {
              if (refs.length === 0) return [];
              const snaps = await t.getAll(...refs.map((r) => this.ref(r.collection, r.id)));
              snaps.forEach(observe);
              return snaps.map((s, i) => this.decodeSnap(refs[i]!.collection, s));
            },
            now: () => {
              if (readTime === null) throw new Error('transaction time is known only after its first read');
              return readTime;
            },
            set: (collection, id, data) => {
              t.set(this.ref(collection, id), encodeDoc(collection, data) as DocumentData);
              this.meter.writes += 1;
            },
            create: (collection, id, data) => {
              t.create(this.ref(collection, id), encodeDoc(collection, data) as DocumentData);
              this.meter.writes += 1;
            },
            update: (collection, id, fields) => {
              // Top-level keys only (schema field names have no dots), so each replaces one field.
              t.update(this.ref(collection, id), encodeFields(collection, fields));
              this.meter.writes += 1;
            },
            delete: (collection, id) => {
              t.delete(this.ref(collection, id));
              this.meter.deletes += 1;
            },
            apply: (mutations) => {
              for (const m of mutations) this.write(t as never, m);
            },
          };
          return fn(tx);
        },
        { maxAttempts: this.options.maxTransactionAttempts ?? 5 },
      );
    } catch (error) {
      const code = grpcCode(error);
      if (code === GRPC_ALREADY_EXISTS) throw new AlreadyExistsError((error as Error).message);
      if (code === GRPC_NOT_FOUND) throw new MissingDocumentError((error as Error).message);
      if (code === GRPC_ABORTED) throw new ContentionError(this.options.maxTransactionAttempts ?? 5);
      throw error;
    }
  }

  listen<K extends CollectionKey>(
    query: Query<K>,
    onNext: (snapshot: ListenSnapshot<K>) => void,
    onError: (error: Error) => void,
  ): Unsubscribe {
    if (this.closed) return this.closedListener(onError);
    let unsubscribe: (() => void) | null = null;
    let cancelled = false;
    let first = true;
    const stop = () => {
      cancelled = true;
      unsubscribe?.();
      this.listeners.delete(stop);
    };
    this.listeners.add(stop);
    this.build(query).then(
      (q) => {
        if (cancelled) return;
        // onSnapshot throws synchronously on a terminated client: report, never leak it.
        try {
          unsubscribe = this.subscribe(q, query, onNext, onError, () => {
            const wasFirst = first;
            first = false;
            return wasFirst;
          });
        } catch (error) {
          onError(this.closed ? new StoreClosedError(this.name) : (error as Error));
        }
      },
      (error: unknown) => onError(error as Error),
    );
    return stop;
  }

  private subscribe<K extends CollectionKey>(
    q: FsQuery,
    query: Query<K>,
    onNext: (snapshot: ListenSnapshot<K>) => void,
    onError: (error: Error) => void,
    isFirst: () => boolean,
  ): () => void {
    // Decoded documents by id, reused while their version is unchanged: a listener's every
    // snapshot carries the whole result set, and decoding all of it again on each change
    // (every worker, every job entering the window) was most of a worker's CPU per job.
    const decoded = new Map<string, { version: Timestamp; doc: Snapshot<K> | null; undecodable: UndecodableDoc | null }>();
    return q.onSnapshot(
      (snap) => {
        const changed = snap.docChanges().filter((c) => c.type !== 'removed').length;
        this.meter.reads += isFirst() ? Math.max(1, changed) : changed;
        const docs: Snapshot<K>[] = [];
        const undecodable: UndecodableDoc[] = [];
        const seen = new Set<string>();
        for (const d of snap.docs) {
          seen.add(d.id);
          let entry = decoded.get(d.id);
          if (!entry || !entry.version.isEqual(d.updateTime)) {
            const one = this.decodeOne(query.collection, d);
            entry = { version: d.updateTime, doc: one.doc, undecodable: one.undecodable };
            decoded.set(d.id, entry);
          }
          if (entry.doc) docs.push(entry.doc);
          if (entry.undecodable) undecodable.push(entry.undecodable);
        }
        for (const id of decoded.keys()) if (!seen.has(id)) decoded.delete(id);
        onNext({ docs, undecodable, readTime: snap.readTime.toMillis() });
      },
      (error) => onError(error),
    );
  }

  private closedListener(onError: (error: Error) => void): Unsubscribe {
    queueMicrotask(() => onError(new StoreClosedError(this.name)));
    return () => {};
  }

  listenDoc<K extends CollectionKey>(
    collection: K,
    id: string,
    onNext: (result: DocResult<K>) => void,
    onError: (error: Error) => void,
  ): Unsubscribe {
    if (this.closed) return this.closedListener(onError);
    const unsubscribe = this.ref(collection, id).onSnapshot(
      (snap) => {
        this.meter.reads += 1;
        try {
          onNext({ doc: this.decodeSnap(collection, snap), readTime: snap.readTime.toMillis(), version: versionOf(snap) });
        } catch (error) {
          onError(error as Error);
        }
      },
      (error) => onError(error),
    );
    const stop = () => {
      unsubscribe();
      this.listeners.delete(stop);
    };
    this.listeners.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.listeners]) stop();
    // Let in-flight calls settle (bounded) before the client goes away.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      new Promise((resolve) => (timer = setTimeout(resolve, 10_000))),
    ]);
    clearTimeout(timer);
    await this.db.terminate().catch(() => undefined);
    await deleteApp(this.app).catch(() => undefined);
  }
}

export function createFirestoreStore(options: FirestoreStoreOptions): FirestoreStore {
  return new FirestoreStore(options);
}

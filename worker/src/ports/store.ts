import type { CollectionKey } from '../schema/names.js';
import type { DocOf } from '../schema/documents.js';
import type { DocMutation, DocRef } from '../core/mutations.js';
import { buildQuery, type QueryShape, type ShapeParams } from '../schema/query-shape.js';

/**
 * The store port: a typed document store with Firestore's semantics (serializable
 * transactions, queries with equality/range filters, order and limit, count aggregations,
 * snapshot listeners, a server clock). Two adapters: memory (one process, fast tests) and
 * Firestore (firebase-admin). One contract suite (`store.contract.ts`) runs against both.
 *
 * Why a document-level port rather than one method per queue operation: the queue's
 * operations (claim, heartbeat, complete, admit, reclaim, elect, lock...) are written ONCE,
 * on top of this port, as "read in a transaction -> pure transition from core/ -> write",
 * so the two adapters cannot drift apart in queue semantics; they only differ in storage.
 * The fenced operations that take a token live in `engine/` (e.g. `JobLeases`).
 *
 * Values: documents are in domain shape (epoch-ms times, Uint8Array bytes) and encoded /
 * decoded with `DOC_SCHEMAS` inside the adapter. In filters, a timestamp field is compared
 * with a `Date` (use `at(ms)`), exactly as it is stored.
 */

export type FilterValue = string | number | boolean | null | Date;
export type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not-in' | 'array-contains';

export interface Filter {
  /** Dotted field path, e.g. `lease.owner`. */
  field: string;
  op: FilterOp;
  value: FilterValue | readonly FilterValue[];
}

export interface OrderBy {
  field: string;
  direction?: 'asc' | 'desc';
}

export interface Query<K extends CollectionKey = CollectionKey> {
  collection: K;
  where?: readonly Filter[];
  orderBy?: readonly OrderBy[];
  limit?: number;
  /**
   * Start after this (last seen) document's place in the order, even if it no longer matches
   * the filters (Firestore's `startAfter(snapshot)`); a deleted cursor starts from the top.
   */
  startAfterId?: string;
}

/**
 * An engine query built from a registered shape (`schema/queries.ts`), the only way engine
 * code makes queries: the registry is what `firestore.indexes.json` is checked against.
 */
export function queryOf<S extends QueryShape>(
  shape: S,
  params: ShapeParams<S, FilterValue | readonly FilterValue[]>,
  options: { limit?: number } = {},
): Query<S['collection']> {
  return buildQuery(shape, params, options);
}

/** A timestamp filter value. */
export function at(ms: number): Date {
  return new Date(ms);
}

export interface Snapshot<K extends CollectionKey> {
  id: string;
  data: DocOf<K>;
  /** Store time of the document's last write (ms). */
  updateTime: number;
  /** The exact version read, for a guarded write of this document (`commitIf`, `patch`). */
  version: DocVersion;
}

/**
 * A document in a result set that does not match its collection's schema (a browser or an
 * admin wrote something the engine cannot read). Adapters leave it out of `docs` and list it
 * here, so a caller that must act on every matching document (the admitter rejecting a
 * submission it cannot read) sees it instead of waiting on it forever.
 */
export interface UndecodableDoc {
  id: string;
  /**
   * The stored fields as the SDK returned them (timestamps and bytes in its own types): only
   * ever decode them field by field with the schema, never trust their shape.
   */
  raw: Record<string, unknown>;
  error: DocumentDecodeError;
  updateTime: number;
}

export interface QueryResult<K extends CollectionKey> {
  docs: Snapshot<K>[];
  /** Matching documents that failed their schema, in query order (also reported to `onInvalidDocument`). */
  undecodable: UndecodableDoc[];
  /** Store time at which the result was read: use it as "now" for expiry decisions. */
  readTime: number;
}

/**
 * A document's version as the store knows it (Firestore: its exact update time, finer than
 * the milliseconds of `updateTime`). Only good for `patch(..., { ifVersion })`.
 */
export interface DocVersion {
  readonly __docVersion: unique symbol;
}

/** A document of a projection query: only the selected top-level fields. */
export interface Selected<K extends CollectionKey, F extends keyof DocOf<K>> {
  id: string;
  data: Pick<DocOf<K>, F>;
  updateTime: number;
  version: DocVersion;
}

export interface SelectResult<K extends CollectionKey, F extends keyof DocOf<K>> {
  docs: Selected<K, F>[];
  readTime: number;
}

export interface DocResult<K extends CollectionKey> {
  doc: DocOf<K> | null;
  readTime: number;
  /** The exact version read (null when the document does not exist). */
  version: DocVersion | null;
}

/**
 * A precondition on one write of `commitIf`: the document is still at the version that was
 * read (Firestore's `updateTime` precondition), or it does not exist yet.
 */
export type WriteGuard = { ifVersion: DocVersion } | { ifMissing: true };

/** The guard for writing back a document read at `version` (null: it did not exist). */
export function guardFor(version: DocVersion | null): WriteGuard {
  return version ? { ifVersion: version } : { ifMissing: true };
}

/** A write of `commitIf`: a mutation, optionally guarded. */
export type GuardedMutation = DocMutation & { guard?: WriteGuard };

export type GuardedCommit =
  /** Committed; `versions[i]` is the new version of mutation i (null for a delete). */
  | { ok: true; time: number; versions: (DocVersion | null)[] }
  /** A guard failed (the document changed, exists or is gone): nothing was written. */
  | { ok: false };

/** `Transaction.getLenient`: a document that fails its schema is returned, not thrown. */
export type LenientRead<K extends CollectionKey> =
  | { kind: 'missing' }
  | { kind: 'decoded'; doc: DocOf<K> }
  | { kind: 'undecodable'; raw: Record<string, unknown>; error: DocumentDecodeError };

export interface Transaction {
  /** Throws `DocumentDecodeError` for a document that does not match its schema. */
  get<K extends CollectionKey>(collection: K, id: string): Promise<DocOf<K> | null>;
  /** Like `get`, but a document that does not match its schema comes back as `undecodable`. */
  getLenient<K extends CollectionKey>(collection: K, id: string): Promise<LenientRead<K>>;
  getAll(refs: readonly DocRef[]): Promise<(unknown | null)[]>;
  /**
   * Store time of this transaction: the read time of its first read. Call after a read;
   * lease expiries are judged against this, never a worker's clock.
   */
  now(): number;
  set<K extends CollectionKey>(collection: K, id: string, data: DocOf<K>): void;
  /** Fails the transaction if the document exists. */
  create<K extends CollectionKey>(collection: K, id: string, data: DocOf<K>): void;
  /**
   * Replaces some top-level fields of an existing document and keeps the others as stored,
   * even fields that do not match the schema (a map value replaces the whole map). Fails
   * the transaction with `MissingDocumentError` if the document does not exist.
   */
  update<K extends CollectionKey>(collection: K, id: string, fields: Partial<DocOf<K>>): void;
  delete(collection: CollectionKey, id: string): void;
  apply(mutations: readonly DocMutation[]): void;
}

export interface ListenSnapshot<K extends CollectionKey> {
  docs: Snapshot<K>[];
  /** Matching documents that failed their schema (see `UndecodableDoc`). */
  undecodable: UndecodableDoc[];
  readTime: number;
}

export type Unsubscribe = () => void;

/** Client-side count of the operations this store performed (billing-relevant units). */
export interface OpsMeter {
  reads: number;
  writes: number;
  deletes: number;
}

export interface DocStore {
  /** Human name for logs (`memory`, `firestore:project/prefix`). */
  readonly name: string;
  /** Collection name for a key (with this store's prefix). */
  collectionName(collection: CollectionKey): string;

  get<K extends CollectionKey>(collection: K, id: string): Promise<DocResult<K>>;
  query<K extends CollectionKey>(query: Query<K>): Promise<QueryResult<K>>;
  /** Count aggregation (billed as one read per 1,000 index entries). */
  count(query: Query): Promise<number>;
  /**
   * Projection query (`select()`): only `fields` of each document travel. Billed like a
   * query (one read per document), but large documents stay on the server.
   */
  select<K extends CollectionKey, F extends keyof DocOf<K> & string>(query: Query<K>, fields: readonly F[]): Promise<SelectResult<K, F>>;
  /**
   * Updates some top-level fields of an existing document, without reading it. With
   * `ifVersion`, only if the document was not written since that version was read. Returns
   * false (and writes nothing) when the document is missing or has changed.
   */
  patch<K extends CollectionKey>(collection: K, id: string, fields: Partial<DocOf<K>>, options?: { ifVersion?: DocVersion }): Promise<boolean>;
  /** Atomic batch of blind writes; returns the commit time. */
  commit(mutations: readonly DocMutation[]): Promise<number>;
  /**
   * Atomic batch whose writes may carry preconditions (optimistic concurrency): if any guard
   * fails, nothing is written and the result says so. Unlike `runTransaction` it takes no
   * locks, so a process that dies half-way leaves nothing locked behind it; use it for steps
   * that read (or already hold) the documents' versions and write them back.
   * A guarded `set` of an existing document replaces every field the schema writes.
   */
  commitIf(mutations: readonly GuardedMutation[]): Promise<GuardedCommit>;
  /**
   * Serializable read-write transaction. `fn` may run more than once (on contention): keep
   * it free of side effects other than the transaction's own writes.
   */
  runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;

  /** Live query; the callback gets the full result set after every change. */
  listen<K extends CollectionKey>(
    query: Query<K>,
    onNext: (snapshot: ListenSnapshot<K>) => void,
    onError: (error: Error) => void,
  ): Unsubscribe;
  listenDoc<K extends CollectionKey>(
    collection: K,
    id: string,
    onNext: (result: DocResult<K>) => void,
    onError: (error: Error) => void,
  ): Unsubscribe;

  /**
   * Best estimate of the store's clock right now (local clock + offset learned from read
   * times). For scheduling only; decisions use read times.
   */
  now(): number;
  readonly meter: OpsMeter;
  close(): Promise<void>;
}

/** `Transaction.create` of a document that already exists. */
export class AlreadyExistsError extends Error {
  constructor(readonly path: string) {
    super(`document ${path} already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** `Transaction.update` of a document that does not exist. */
export class MissingDocumentError extends Error {
  constructor(readonly path: string) {
    super(`document ${path} does not exist`);
    this.name = 'MissingDocumentError';
  }
}

/** The store was closed; nothing more can be done with it. */
export class StoreClosedError extends Error {
  constructor(name: string) {
    super(`store ${name} is closed`);
    this.name = 'StoreClosedError';
  }
}

/** A transaction that kept conflicting with concurrent writers and gave up. */
export class ContentionError extends Error {
  constructor(attempts: number) {
    super(`transaction aborted after ${attempts} attempts because of contention`);
    this.name = 'ContentionError';
  }
}

export interface DecodeIssue {
  /** Dotted field path (`metadata.a`); empty for the document itself. */
  path: string;
  message: string;
}

function issuesOf(cause: unknown): DecodeIssue[] {
  const issues = (cause as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues)) return [{ path: '', message: cause instanceof Error ? cause.message : String(cause) }];
  return issues.map((i: { path?: readonly PropertyKey[]; message?: unknown }) => ({
    path: (i.path ?? []).map(String).join('.'),
    message: String(i.message),
  }));
}

/**
 * A document that failed schema validation (thrown by `get`, listed as `undecodable` by
 * queries and listeners, returned by `Transaction.getLenient`).
 */
export class DocumentDecodeError extends Error {
  /** What is wrong, field by field (from the schema's issues). */
  readonly issues: readonly DecodeIssue[];
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const issues = issuesOf(cause);
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super(`document ${path} does not match its schema: ${summary.slice(0, 500)}`, { cause });
    this.name = 'DocumentDecodeError';
    this.issues = issues;
  }
}

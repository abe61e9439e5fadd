import type { CollectionKey, DocOf, QueryOp } from '@fq/worker/schema';

/**
 * The small part of Firestore the client uses, as a port: `firestoreQueueStore` implements it
 * with the web SDK (modular API); tests and other hosts (an app's own data layer) can supply
 * their own. Documents come out decoded through the worker's schemas (times in epoch ms,
 * bytes as Uint8Array); a document that fails validation is an error row, not an exception.
 */
export type Unsubscribe = () => void;

/** Receives a listener's snapshots; after `error` the listener is dead (Firestore semantics). */
export interface Listener<T> {
  next(value: T): void;
  error(error: Error): void;
}

export type DocRow<T> = { id: string; ok: true; data: T } | { id: string; ok: false; error: string };

export interface DocRef<K extends CollectionKey = CollectionKey> {
  collection: K;
  id: string;
}

export type WhereOp = QueryOp;
export type WhereValue = string | number | boolean | null | readonly WhereValue[];

export interface QueryRef<K extends CollectionKey = CollectionKey> {
  collection: K;
  where: readonly { field: string; op: WhereOp; value: WhereValue }[];
  orderBy: readonly { field: string; direction: 'asc' | 'desc' }[];
  /** Every read the client makes is bounded. */
  limit: number;
}

/**
 * Stands for "Firestore's commit time" in written data (`serverTimestamp()` in the web SDK):
 * the security rules compare client-written times with `request.time`.
 */
export const SERVER_TIME: unique symbol = Symbol.for('@fq/client/server-time');
export type ServerTime = typeof SERVER_TIME;

/** A write of the client: whole documents (`set`) or some fields (`update`). */
export type Write =
  | { op: 'set'; collection: CollectionKey; id: string; data: Record<string, unknown> }
  | { op: 'update'; collection: CollectionKey; id: string; data: Record<string, unknown> };

/** Reads a document inside a transaction (whole, as stored). */
export type TransactionRead = <K extends CollectionKey>(ref: DocRef<K>) => Promise<DocRow<DocOf<K>> | null>;

export interface QueueStore {
  watchDoc<K extends CollectionKey>(ref: DocRef<K>, listener: Listener<DocRow<DocOf<K>> | null>): Unsubscribe;
  watchQuery<K extends CollectionKey>(ref: QueryRef<K>, listener: Listener<DocRow<DocOf<K>>[]>): Unsubscribe;
  /**
   * One read of a document, no listener (`getDoc`): for a figure that is worth reading now
   * and then but not on every change. Null when the document does not exist.
   */
  getDoc<K extends CollectionKey>(ref: DocRef<K>): Promise<DocRow<DocOf<K>> | null>;
  /**
   * One read of a query's documents, no listener (`getDocs`): one billed read per document
   * returned, once, where a listener pays again on every change of any of them.
   */
  getQuery<K extends CollectionKey>(ref: QueryRef<K>): Promise<DocRow<DocOf<K>>[]>;
  /**
   * Runs `plan` in one transaction: it reads what it needs, returns the writes, and they
   * commit atomically (the SDK retries the plan on contention).
   */
  transact<R>(plan: (read: TransactionRead) => Promise<{ writes: Write[]; result: R }>): Promise<R>;
  /** Applies writes in one atomic batch, without reads. */
  commit(writes: Write[]): Promise<void>;
  /** A new random document id, made on the client (`doc(collection(...)).id`). */
  newId(collection: CollectionKey): string;
}

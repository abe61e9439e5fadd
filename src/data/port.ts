import type { Actor, CollectionKey, CollectionNames } from '@fq/worker/schema';
import type { DocOf } from './schemas';
import type { Row } from './rows';
import type { DocSpec, QuerySpec } from './specs';

import type { LiveMeta, LiveSink } from '../live/types';

export type { LiveMeta };
/** The listener is dead after `error` (Firestore semantics); re-subscribe to retry. */
export type Sink<T> = LiveSink<T>;

export type Unsubscribe = () => void;

/** Opaque position after the last row of a page. */
export interface PageCursor {
  readonly token: string;
}

export interface Page<T> {
  rows: Row<T>[];
  /** Null when this page was the last one. */
  next: PageCursor | null;
}

/**
 * Placeholder for "Firestore's commit time" in mutation data (`serverTimestamp()` in the web
 * SDK). Client-written times that rules may compare with `request.time` use it.
 */
export class ServerTimeSentinel {
  readonly kind = 'server-time';
}
export const SERVER_TIME = new ServerTimeSentinel();

/**
 * A write the UI asks for. The Firestore adapter applies all of them in ONE transaction
 * (control plans) or ONE batch (submissions), all or nothing and in order; fakes record them.
 * `set` replaces the document (`merge`: nested maps merge field by field); `update` fails
 * with code `not-found` on a missing document and its keys are field paths (`a.b`); a named
 * `create` fails with `DocumentExistsError` (`already-exists`) on an existing one. Fields set
 * to undefined are left out; `SERVER_TIME` inside an array is refused (`invalid-argument`).
 */
export type Mutation =
  | { op: 'set'; collection: CollectionKey; id: string; data: Record<string, unknown>; merge?: boolean }
  | { op: 'update'; collection: CollectionKey; id: string; data: Record<string, unknown> }
  | { op: 'delete'; collection: CollectionKey; id: string }
  | { op: 'create'; collection: CollectionKey; id: string | null; data: Record<string, unknown> };

export interface TransactionReader {
  get<K extends CollectionKey>(spec: DocSpec<K>): Promise<Row<DocOf<K>> | null>;
}

/**
 * The data-layer seam. Components and hooks see only this interface; `firestoreData.ts`
 * implements it with the web SDK and tests inject fakes. `dataPort.contract.ts` states what
 * every implementation must do (Firestore's semantics) and runs against both: queries match,
 * order and page as Firestore's do (a missing field never matches and leaves an ordered
 * query), listeners never call their sink inside the watch call, and failures carry
 * Firestore's error codes (`permission-denied`, `not-found`, ...).
 */
export interface DataPort {
  readonly names: CollectionNames;
  watchDoc<K extends CollectionKey>(spec: DocSpec<K>, sink: Sink<Row<DocOf<K>> | null>): Unsubscribe;
  watchQuery<K extends CollectionKey>(spec: QuerySpec<K>, sink: Sink<Row<DocOf<K>>[]>): Unsubscribe;
  getDoc<K extends CollectionKey>(spec: DocSpec<K>): Promise<Row<DocOf<K>> | null>;
  /** `after` survives its document's change or deletion; an unknown one is `PageCursorExpiredError`. */
  getPage<K extends CollectionKey>(spec: QuerySpec<K>, after: PageCursor | null): Promise<Page<DocOf<K>>>;
  /**
   * Runs `plan` inside one transaction: it reads what it needs through `tx`, returns the
   * mutations, and they commit atomically (retried by the SDK on contention).
   */
  transact<R>(plan: (tx: TransactionReader) => Promise<{ mutations: Mutation[]; result: R }>): Promise<R>;
  /** Applies mutations in one atomic batch (a transaction when it holds a named create). */
  commitBatch(mutations: Mutation[]): Promise<void>;
  /** A new random document id for `collection` (client-side, like `doc(collection(...)).id`). */
  newId(collection: CollectionKey): string;
  /**
   * How many documents match the query (its limit ignored): a count aggregation, billed one
   * read per 1,000 matches. Optional: a port without it shows no count.
   */
  count?<K extends CollectionKey>(spec: QuerySpec<K>): Promise<number>;
}

export type { Actor };

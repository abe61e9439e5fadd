import type { StoredDocument, Value } from '../model/index.js';
import type { Query } from '../query/index.js';
import { afterStart, beforeEnd, compareKeyed, joinPath, matchesFilter, orderKeys } from '../query/index.js';
import type { Database, DocumentChange, LockOwner, RangeRead, Store, Transaction } from '../store/index.js';

/** The ABORTED message of a transaction whose query result an older transaction's commit changed. */
export const PHANTOM_MESSAGE =
  'Transaction was aborted because a concurrent write changed the result of a query it read (a document entered the queried range). Please retry.';

function inScope(q: Query, collectionPath: string): boolean {
  if (!q.allDescendants) return collectionPath === joinPath(q.parentPath, q.collectionId);
  if (q.parentPath !== '' && !collectionPath.startsWith(q.parentPath + '/')) return false;
  return q.collectionId === '' || collectionPath.slice(collectionPath.lastIndexOf('/') + 1) === q.collectionId;
}

function keysOf(q: Query, doc: StoredDocument): Value[] | undefined {
  if (q.filter && !matchesFilter(doc, q.filter)) return undefined;
  const keys = orderKeys(doc, q.orderBy);
  return keys && afterStart(q, keys) && beforeEnd(q, keys) ? keys : undefined;
}

/**
 * The range a read-write transaction's query read: what it returned, and (for a query cut
 * by a limit) where the result ended. Documents it returned are protected by their shared
 * locks; this catches the rest: a commit that makes some other document enter the result
 * (created, or changed so it matches) inside the range that was read.
 */
export function queryRange(q: Query, results: readonly StoredDocument[], cutByLimit: boolean): RangeRead {
  const returned = new Set(results.map((d) => d.path));
  const last = results[results.length - 1];
  const lastKeys = cutByLimit && last ? orderKeys(last, q.orderBy) : undefined;
  return {
    conflictsWith(change: DocumentChange): boolean {
      if (!change.after || returned.has(change.path) || !inScope(q, change.collectionPath)) return false;
      const keys = keysOf(q, change.after);
      if (!keys) return false;
      // Past the end of a limit-cut result: the result would not change.
      if (lastKeys && q.findNearest === undefined && compareKeyed(q.orderBy, { doc: change.after, keys }, { doc: last!, keys: lastKeys }) > 0) return false;
      return true;
    },
  };
}

/**
 * The lock that stands for every range a read-write transaction read: the transaction holds
 * it shared from its first query until it ends; a conflicting writer asks for it exclusive.
 */
function rangeLockKey(tx: Transaction): string {
  return `\u0001range\u0000${tx.id}`;
}

/** Records a query range `tx` read and makes it hold its range lock. */
export function recordRangeRead(store: Store, tx: Transaction, range: RangeRead): void {
  tx.rangeReads.push(range);
  // Never waits: only writers that found this transaction's ranges ask for the key, and the
  // transaction has held it shared since its first range read.
  store.locks.tryAcquire(tx, rangeLockKey(tx), 'shared');
}

/**
 * Wound-wait on query ranges, as Firestore locks them for server SDK transactions: before
 * `committer` applies `changes` (planned, not yet applied), every other transaction whose
 * query result they would change is in its way. A younger one is aborted (ABORTED, its
 * retry sees the write); an older one makes the committer wait until it ends. Returns that
 * wait (the caller re-plans and asks again afterwards), or undefined when the commit may be
 * applied now. Synchronous up to the decision, so nothing can read the range in between.
 */
export function waitForRangeReaders(store: Store, db: Database, changes: readonly DocumentChange[], committer: LockOwner): Promise<void> | undefined {
  if (changes.length === 0) return undefined;
  for (const tx of [...store.transactions.withRangeReads(db)]) {
    if (tx === committer || tx.wounded) continue;
    if (!changes.some((c) => tx.rangeReads.some((r) => r.conflictsWith(c)))) continue;
    if (tx.priority > committer.priority) store.locks.wound(tx, PHANTOM_MESSAGE);
    else return store.locks.acquire(committer, rangeLockKey(tx), 'exclusive');
  }
  return undefined;
}

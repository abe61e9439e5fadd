import { FirestoreError, aborted } from '../model/index.js';
import type { Database } from './database.js';
import type { LockManager, LockOwner } from './locks.js';
import { woundMessage } from './locks.js';
import type { DocumentChange } from './database.js';

/**
 * A query (or aggregation) a read-write transaction ran: Firestore locks the range it read,
 * not only the documents it returned, so a commit that would change its result (a phantom:
 * a new document entering the range) must abort the transaction.
 */
export interface RangeRead {
  conflictsWith(change: DocumentChange): boolean;
}

export type TransactionMode = 'readWrite' | 'readOnly';

/** Google's message for an unknown, finished or expired transaction (SDKs match on it). */
export const EXPIRED_MESSAGE = 'The referenced transaction has expired or is no longer valid.';

export class Transaction implements LockOwner {
  wounded = false;
  woundReason?: string;
  readonly rangeReads: RangeRead[] = [];
  state: 'active' | 'committed' | 'rolledBack' | 'expired' = 'active';
  lastActivity: number;

  constructor(
    readonly id: string,
    readonly database: Database,
    readonly generation: number,
    readonly mode: TransactionMode,
    readonly priority: number,
    /** Snapshot time of a read-only transaction. */
    readonly readTime: bigint | undefined,
    readonly createdAt: number,
  ) {
    this.lastActivity = createdAt;
  }

  onWounded(): void {
    // Nothing to do eagerly: the next read or the commit sees `wounded` and fails ABORTED.
  }
}

export interface TransactionOptions {
  mode: TransactionMode;
  readTime?: bigint;
  /** Id of the attempt this one retries: it keeps that attempt's age (so it wins next time). */
  retryOf?: string;
}

/**
 * Open transactions of the whole emulator. Transactions expire after `idleMs` without use or
 * `maxLifetimeMs` in total (Firestore: 60 s idle, 270 s total), releasing their locks.
 */
export class TransactionRegistry {
  private readonly open = new Map<string, Transaction>();
  /** Ages of recently finished transactions, for `retryTransaction`. */
  private readonly finishedAges = new Map<string, number>();
  private nextPriority = 1;

  constructor(
    private readonly locks: LockManager,
    private readonly newId: () => string,
    private readonly nowMs: () => number,
    private readonly idleMs = 60_000,
    private readonly maxLifetimeMs = 270_000,
  ) {}

  /** A fresh age for a single commit (blind writes take part in wound-wait too). */
  allocatePriority(): number {
    return this.nextPriority++;
  }

  begin(database: Database, options: TransactionOptions): Transaction {
    const inherited = options.retryOf ? (this.open.get(options.retryOf)?.priority ?? this.finishedAges.get(options.retryOf)) : undefined;
    const priority = inherited ?? this.allocatePriority();
    const tx = new Transaction(this.newId(), database, database.generation, options.mode, priority, options.readTime, this.nowMs());
    this.open.set(tx.id, tx);
    if (options.retryOf) this.abandon(options.retryOf);
    return tx;
  }

  /** Looks up an active transaction of `database`; throws what Firestore throws otherwise. */
  get(database: Database, id: string): Transaction {
    const tx = this.open.get(id);
    if (!tx || tx.database !== database || tx.state !== 'active' || tx.generation !== database.generation) {
      throw new FirestoreError('INVALID_ARGUMENT', EXPIRED_MESSAGE);
    }
    if (tx.wounded) throw aborted(woundMessage(tx));
    tx.lastActivity = this.nowMs();
    return tx;
  }

  /** An open transaction by id, without validity checks (for rollback of aborted ones). */
  lookup(id: string): Transaction | undefined {
    return this.open.get(id);
  }

  finish(tx: Transaction, state: 'committed' | 'rolledBack' | 'expired'): void {
    tx.state = state;
    this.locks.releaseAll(tx);
    this.open.delete(tx.id);
    this.finishedAges.set(tx.id, tx.priority);
    if (this.finishedAges.size > 10_000) {
      const first = this.finishedAges.keys().next().value;
      if (first !== undefined) this.finishedAges.delete(first);
    }
  }

  private abandon(id: string): void {
    const tx = this.open.get(id);
    if (tx) this.finish(tx, 'rolledBack');
  }

  /** Expires idle or too old transactions. */
  sweep(): void {
    const now = this.nowMs();
    for (const tx of [...this.open.values()]) {
      if (now - tx.lastActivity > this.idleMs || now - tx.createdAt > this.maxLifetimeMs) this.finish(tx, 'expired');
    }
  }

  /** Active transactions of `database` that hold range reads (queries). */
  *withRangeReads(database: Database): IterableIterator<Transaction> {
    for (const tx of this.open.values()) if (tx.database === database && tx.rangeReads.length > 0 && !tx.wounded) yield tx;
  }

  /** Drops every transaction of a database (after it was cleared). */
  dropDatabase(database: Database): void {
    for (const tx of [...this.open.values()]) if (tx.database === database) this.finish(tx, 'expired');
  }

  get size(): number {
    return this.open.size;
  }
}

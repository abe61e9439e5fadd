import type { DatabaseId } from '../model/index.js';
import type { Clock } from './clock.js';
import { CommitClock, systemClock } from './clock.js';
import { Database } from './database.js';
import { LockManager } from './locks.js';
import { TransactionRegistry } from './transactions.js';
import { randomBytes } from 'node:crypto';

export interface StoreOptions {
  clock?: Clock;
  /** How long document history is kept for point-in-time reads (default 1 hour). */
  retentionMs?: number;
  /** How long a commit or read waits for a document lock before ABORTED (default 10 s). */
  lockTimeoutMs?: number;
  /** Idle expiry of transactions (default 60 s, like Firestore). */
  transactionIdleMs?: number;
  newTransactionId?: () => string;
}

/**
 * The whole emulator's data: databases keyed by project + database id (fully isolated),
 * one commit clock, one lock manager and one transaction registry.
 */
export class Store {
  readonly clock: CommitClock;
  readonly locks: LockManager;
  readonly transactions: TransactionRegistry;
  readonly retentionNanos: bigint;
  private readonly databases = new Map<string, Database>();
  private readonly createdListeners = new Set<(db: Database) => void>();

  constructor(options: StoreOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.clock = new CommitClock(clock);
    this.retentionNanos = BigInt(options.retentionMs ?? 3_600_000) * 1_000_000n;
    this.locks = new LockManager(options.lockTimeoutMs ?? 10_000);
    this.transactions = new TransactionRegistry(
      this.locks,
      options.newTransactionId ?? (() => randomBytes(16).toString('base64')),
      () => Number(clock.nowNanos() / 1_000_000n),
      options.transactionIdleMs ?? 60_000,
    );
  }

  database(id: DatabaseId): Database {
    const key = `${id.projectId}/${id.databaseId}`;
    let db = this.databases.get(key);
    if (!db) {
      db = new Database({ projectId: id.projectId, databaseId: id.databaseId }, this.retentionNanos);
      this.databases.set(key, db);
      for (const l of this.createdListeners) l(db);
    }
    return db;
  }

  existingDatabase(id: DatabaseId): Database | undefined {
    return this.databases.get(`${id.projectId}/${id.databaseId}`);
  }

  allDatabases(): IterableIterator<Database> {
    return this.databases.values();
  }

  onDatabaseCreated(listener: (db: Database) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  /** Clears one database: documents, history and its open transactions. */
  clear(id: DatabaseId): void {
    const db = this.existingDatabase(id);
    if (!db) return;
    this.transactions.dropDatabase(db);
    db.clear(this.clock.next());
  }

  /** Periodic housekeeping: expire idle transactions and drop history past retention. */
  sweep(): void {
    this.transactions.sweep();
    const now = this.clock.nowNanos();
    for (const db of this.databases.values()) db.sweep(now);
  }
}

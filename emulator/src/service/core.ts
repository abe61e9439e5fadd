import type { DatabaseId, StoredDocument } from '../model/index.js';
import {
  FirestoreError,
  documentsRoot,
  failedPrecondition,
  invalidArgument,
  parseDatabaseName,
  parseToNanos,
  permissionDenied,
} from '../model/index.js';
import type { Database, Store, Transaction, TransactionOptions } from '../store/index.js';
import type { AccessRequest, Authorizer } from './authorizer.js';
import type { CallContext } from './context.js';
import { asObject, transactionId } from './convert.js';
import type { ChargeDetail, OperationCounts } from './meter.js';
import type { Meter } from './meter.js';

/** How a read is served: at a point in time, inside a transaction, or at the latest state. */
export interface ReadScope {
  /** Read at this time (read-only transaction or explicit read_time). */
  readTime?: bigint;
  /** Read-write transaction whose locks protect the read. */
  lockingTx?: Transaction;
  /** Set when the request started a transaction lazily: its id goes in the first response. */
  startedTx?: Transaction;
}

/** Shared plumbing of the service facade: databases, auth checks, metering, read scopes. */
export class ServiceCore {
  constructor(
    readonly store: Store,
    readonly meter: Meter,
    public authorizer: Authorizer,
  ) {}

  /** Resolves `projects/P/databases/D` (from `database`/`parent`/`name`). */
  database(name: unknown): Database {
    if (typeof name !== 'string' || name === '') throw invalidArgument('Missing database name.');
    return this.store.database(parseDatabaseName(name));
  }

  databaseOf(id: DatabaseId): Database {
    return this.store.database(id);
  }

  root(db: Database): string {
    return documentsRoot(db.id);
  }

  lockKey(db: Database, path: string): string {
    return `${db.key}\u0000${path}`;
  }

  charge(ctx: CallContext, db: Database, delta: Partial<OperationCounts>, detail: ChargeDetail): void {
    this.meter.record(db.id.projectId, db.id.databaseId, ctx.connection, delta, detail);
  }

  /** Asks the authorizer (skipped for the owner). Throws PERMISSION_DENIED on deny. */
  async authorize(ctx: CallContext, db: Database, request: Omit<AccessRequest, 'auth' | 'database' | 'time' | 'lookup'> & Partial<Pick<AccessRequest, 'lookup' | 'time'>>): Promise<void> {
    if (ctx.auth.kind === 'owner') return;
    const decision = await this.authorizer.authorize({
      ...request,
      auth: ctx.auth,
      database: db.id,
      time: request.time ?? this.store.clock.readTime(),
      lookup: request.lookup ?? ((path: string) => db.get(path)),
    });
    const allowed = typeof decision === 'boolean' ? decision : decision.allow;
    if (!allowed) {
      const reason = typeof decision === 'object' && decision.reason ? decision.reason : undefined;
      throw permissionDenied(reason ? `Missing or insufficient permissions. ${reason}` : undefined);
    }
  }

  parseTransactionOptions(json: unknown): TransactionOptions {
    if (json === undefined || json === null) return { mode: 'readWrite' };
    const o = asObject(json, 'transaction options');
    if (o.readOnly !== undefined && o.readOnly !== null) {
      const ro = asObject(o.readOnly, 'read-only options');
      const readTime = ro.readTime !== undefined && ro.readTime !== null ? this.checkReadTime(parseToNanos(ro.readTime)) : undefined;
      return { mode: 'readOnly', readTime };
    }
    const rw = o.readWrite && typeof o.readWrite === 'object' ? (o.readWrite as Record<string, unknown>) : {};
    return { mode: 'readWrite', retryOf: transactionId(rw.retryTransaction) };
  }

  beginTransaction(db: Database, options: TransactionOptions): Transaction {
    const readTime = options.mode === 'readOnly' ? (options.readTime ?? this.store.clock.readTime()) : undefined;
    return this.store.transactions.begin(db, { ...options, readTime });
  }

  checkReadTime(readTime: bigint): bigint {
    const now = this.store.clock.readTime();
    if (readTime < now - this.store.retentionNanos) {
      throw failedPrecondition('The requested read_time is older than the one hour version retention period.');
    }
    return readTime > now ? now : readTime;
  }

  /** Resolves a request's consistency selector (transaction / newTransaction / readTime). */
  readScope(db: Database, req: Record<string, unknown>): ReadScope {
    const txId = transactionId(req.transaction);
    const selectors = [txId, req.newTransaction, req.readTime].filter((x) => x !== undefined && x !== null).length;
    if (selectors > 1) throw invalidArgument('Only one of transaction, newTransaction and readTime can be set.');
    if (txId) {
      const tx = this.store.transactions.get(db, txId);
      return tx.mode === 'readOnly' ? { readTime: tx.readTime } : { lockingTx: tx };
    }
    if (req.newTransaction !== undefined && req.newTransaction !== null) {
      const tx = this.beginTransaction(db, this.parseTransactionOptions(req.newTransaction));
      return tx.mode === 'readOnly' ? { readTime: tx.readTime, startedTx: tx } : { lockingTx: tx, startedTx: tx };
    }
    if (req.readTime !== undefined && req.readTime !== null) return { readTime: this.checkReadTime(parseToNanos(req.readTime)) };
    return {};
  }

  /** Takes shared locks for a read-write transaction's reads (waits for writers). */
  async lockReads(db: Database, scope: ReadScope, paths: Iterable<string>): Promise<void> {
    const tx = scope.lockingTx;
    if (!tx) return;
    const keys = [...paths].map((p) => this.lockKey(db, p));
    try {
      await this.store.locks.acquireAll(tx, keys, 'shared');
    } catch (err) {
      if (err instanceof FirestoreError && err.status === 'ABORTED' && scope.startedTx) this.store.transactions.finish(tx, 'rolledBack');
      throw err;
    }
    if (tx.wounded) throw new FirestoreError('ABORTED', 'Transaction was aborted because of contention. Please retry.');
  }

  read(db: Database, scope: ReadScope, path: string): StoredDocument | null {
    return db.get(path, scope.readTime);
  }
}

import { FirestoreError, invalidArgument } from '../model/index.js';
import type { Database, LockOwner, PlannedCommit, Transaction, WriteOp } from '../store/index.js';
import { planWrites } from '../store/index.js';
import type { AccessMethod, CommitBatch } from './authorizer.js';
import type { CallContext } from './context.js';
import { waitForRangeReaders } from './range-reads.js';
import type { ServiceCore } from './core.js';
import type { CallKind, OperationCounts } from './meter.js';
import { collectionIdOf } from './meter.js';

export interface CommitOutcome {
  commitTime: bigint;
  plan: PlannedCommit;
}

/** How often a non-transactional commit is retried internally after losing a lock fight. */
const BLIND_COMMIT_ATTEMPTS = 5;

/**
 * Commits writes atomically. Inside a read-write transaction the commit upgrades the
 * transaction's locks; otherwise the commit is its own short-lived lock owner that waits
 * for (never overrides) transactions holding the documents or a query range the commit
 * would change, as Firestore's pessimistic concurrency does for writes outside transactions.
 */
export async function commitWrites(core: ServiceCore, ctx: CallContext, db: Database, writes: WriteOp[], call: CallKind, tx?: Transaction): Promise<CommitOutcome> {
  if (tx) {
    if (tx.mode === 'readOnly' && writes.length > 0) {
      throw invalidArgument('Cannot modify documents in a read-only transaction.');
    }
    try {
      return await commitOnce(core, ctx, db, writes, call, tx);
    } finally {
      // Whatever happened, the transaction is over and its locks are released.
      if (tx.state === 'active') core.store.transactions.finish(tx, tx.wounded ? 'rolledBack' : 'committed');
    }
  }
  for (let attempt = 1; ; attempt++) {
    const priority = core.store.transactions.allocatePriority();
    const owner: LockOwner = { id: `commit-${priority}`, priority, wounded: false, onWounded: () => undefined };
    try {
      return await commitOnce(core, ctx, db, writes, call, owner);
    } catch (err) {
      const retry = err instanceof FirestoreError && err.status === 'ABORTED' && owner.wounded && attempt < BLIND_COMMIT_ATTEMPTS;
      if (!retry) throw err;
    } finally {
      core.store.locks.releaseAll(owner);
    }
  }
}

async function commitOnce(core: ServiceCore, ctx: CallContext, db: Database, writes: WriteOp[], call: CallKind, owner: LockOwner): Promise<CommitOutcome> {
  const paths = new Set(writes.map((w) => w.path));
  await core.store.locks.acquireAll(owner, [...paths].map((p) => core.lockKey(db, p)), 'exclusive');
  if (owner.wounded) throw new FirestoreError('ABORTED', 'Transaction was aborted because of contention. Please retry.');

  let commitTime: bigint;
  let plan: PlannedCommit;
  for (;;) {
    if (ctx.auth.kind !== 'owner') {
      // Rules see the request with a provisional time; the real commit is re-planned below
      // (nothing can change these documents meanwhile: we hold their locks).
      // Rules compare server timestamps with request.time: both must be this one time.
      const provisionalTime = core.store.clock.readTime();
      const provisional = planWrites(db, writes, provisionalTime);
      await authorizeWrites(core, ctx, db, provisional, provisionalTime);
      if (owner.wounded) throw new FirestoreError('ABORTED', 'Transaction was aborted because of contention. Please retry.');
    }
    commitTime = core.store.clock.next();
    plan = planWrites(db, writes, commitTime);
    // An older transaction whose query this commit would change must end first (after the
    // wait, rules and the plan are redone: what they looked up may have changed).
    const wait = waitForRangeReaders(core.store, db, plan.changes, owner);
    if (!wait) break;
    await wait;
    if (owner.wounded) throw new FirestoreError('ABORTED', 'Transaction was aborted because of contention. Please retry.');
  }
  db.applyChanges(commitTime, plan.changes);
  let writesCount = 0;
  let deletes = 0;
  const collections = new Map<string, OperationCounts>();
  for (const w of writes) {
    if (w.kind === 'verify') continue;
    const id = collectionIdOf(w.path);
    let counts = collections.get(id);
    if (!counts) collections.set(id, (counts = { reads: 0, writes: 0, deletes: 0 }));
    if (w.kind === 'delete') {
      deletes++;
      counts.deletes++;
    } else {
      writesCount++;
      counts.writes++;
    }
  }
  core.charge(ctx, db, { writes: writesCount, deletes }, { call, collections: [...collections] });
  return { commitTime, plan };
}

async function authorizeWrites(core: ServiceCore, ctx: CallContext, db: Database, plan: PlannedCommit, time: bigint): Promise<void> {
  const lookupAfter = (path: string) => (plan.finalStates.has(path) ? plan.finalStates.get(path)!.after : db.get(path));
  const batch: CommitBatch = { documents: plan.finalStates.size };
  for (const [path, { before, after }] of plan.finalStates) {
    const method: AccessMethod = after === null ? 'delete' : before === null ? 'create' : 'update';
    await core.authorize(ctx, db, { method, path, resource: before, newResource: after, lookupAfter, time, batch });
  }
}

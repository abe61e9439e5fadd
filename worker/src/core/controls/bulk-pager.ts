import type { BulkControlDoc, BulkCursor, BulkProgress } from '../../schema/bulk.js';
import { MAX_AUDITED_JOBS_PER_COMMIT } from '../../schema/control-audit.js';
import type { Priority } from '../../schema/job.js';

/**
 * The pure half of "apply to all matching": which jobs a bulk control's next page asks for,
 * how a page splits into steps (each one commit of the one control executor, with its audit
 * entry and the bulk document's progress), and the bulk document after a step. The carrier
 * (`engine/bulk-carrier`) only reads, runs and writes what these decide.
 *
 * Order: newest first (the job search's `createdAt desc`), bounded above by the cursor and by
 * `createdBefore` (the request's time), so jobs created after the request are never part of
 * it, a job the action sends back through the queue and that fails again is not met twice,
 * and the walk ends.
 */

/** Jobs a page asks for (beyond the ones already seen at the cursor's millisecond). */
export const BULK_PAGE_SIZE = 96;
/** A carrier's lease on a bulk control; each step renews it. */
export const BULK_LEASE_MS = 20_000;

/** What the carrier needs of a job to page and filter (a projection of the job document). */
export interface BulkJobView {
  id: string;
  createdAt: number;
  priority: Priority;
}

/** The job search query's values for the next page (`QUERIES.jobSearch`; `to` is exclusive). */
export interface BulkPageQuery {
  userId?: string;
  status?: string;
  from?: number;
  to: number;
  limit: number;
}

export function bulkPageQuery(doc: Pick<BulkControlDoc, 'filter' | 'createdBefore' | 'cursor'>, pageSize = BULK_PAGE_SIZE): BulkPageQuery {
  const { filter, cursor } = doc;
  // The cursor's millisecond is asked again (`<= createdAt`): jobs created in the same
  // millisecond as the last one seen may not all have been seen; `idsAt` says which were.
  let to = doc.createdBefore;
  if (filter.toMs !== null) to = Math.min(to, filter.toMs);
  if (cursor.createdAt !== null) to = Math.min(to, cursor.createdAt + 1);
  return {
    ...(filter.userId !== null ? { userId: filter.userId } : {}),
    ...(filter.status !== null ? { status: filter.status } : {}),
    ...(filter.fromMs !== null ? { from: filter.fromMs } : {}),
    to,
    limit: pageSize + (cursor.createdAt !== null ? cursor.idsAt.length : 0),
  };
}

export interface BulkStep {
  /** Jobs to act on (at most MAX_AUDITED_JOBS_PER_COMMIT: one audited commit). */
  targets: string[];
  /** Jobs looked at in this step (targets and those the priority filter left out). */
  scanned: number;
  /** The cursor once this step has committed. */
  cursor: BulkCursor;
}

export interface BulkPagePlan {
  steps: BulkStep[];
  /** The page was the last one: after its steps, every matching job was seen. */
  exhausted: boolean;
}

function after(cursor: BulkCursor, job: BulkJobView): BulkCursor {
  if (cursor.createdAt === job.createdAt) return { createdAt: job.createdAt, idsAt: [...cursor.idsAt, job.id] };
  return { createdAt: job.createdAt, idsAt: [job.id] };
}

/**
 * Splits a page (in the query's order) into steps. Jobs already seen at the cursor's
 * millisecond are dropped; the priority filter (not a query filter: the job search's
 * indexes have no priority) leaves jobs out of `targets` but the cursor passes them.
 */
export function planBulkPage(
  doc: Pick<BulkControlDoc, 'filter' | 'createdBefore' | 'cursor'>,
  page: readonly BulkJobView[],
  limit: number,
  stepSize = MAX_AUDITED_JOBS_PER_COMMIT,
): BulkPagePlan {
  const seen = doc.cursor.createdAt === null ? new Set<string>() : new Set(doc.cursor.idsAt);
  const steps: BulkStep[] = [];
  let cursor = doc.cursor;
  let step: BulkStep | null = null;
  for (const job of page) {
    if (job.createdAt === doc.cursor.createdAt && seen.has(job.id)) continue;
    step ??= { targets: [], scanned: 0, cursor };
    cursor = after(cursor, job);
    step.scanned += 1;
    step.cursor = cursor;
    if (doc.filter.priority === null || job.priority === doc.filter.priority) step.targets.push(job.id);
    if (step.targets.length >= stepSize) {
      steps.push(step);
      step = null;
    }
  }
  if (step) steps.push(step);
  return { steps, exhausted: page.length < limit };
}

/** How one step ended for its targets. */
export interface BulkStepOutcome {
  done: number;
  /** Skipped targets by reason (the planner's error code). */
  skipped: Record<string, number>;
  /** Targets whose commit failed in the store after retries. */
  failed: number;
  error?: string;
}

export function addOutcome(progress: BulkProgress, step: Pick<BulkStep, 'targets'>, outcome: BulkStepOutcome): BulkProgress {
  const skippedByReason = { ...progress.skippedByReason };
  let skipped = 0;
  for (const [reason, n] of Object.entries(outcome.skipped)) {
    skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
    skipped += n;
  }
  return {
    matched: progress.matched + step.targets.length,
    done: progress.done + outcome.done,
    skipped: progress.skipped + skipped,
    failed: progress.failed + outcome.failed,
    skippedByReason,
    steps: progress.steps + 1,
    lastError: outcome.error ?? progress.lastError,
  };
}

/** The bulk document once a step committed: progress, cursor and the carrier's lease renewed. */
export function advanceBulk(doc: BulkControlDoc, step: BulkStep, outcome: BulkStepOutcome, now: number, leaseMs = BULK_LEASE_MS): BulkControlDoc {
  return {
    ...doc,
    progress: addOutcome(doc.progress, step, outcome),
    cursor: step.cursor,
    carrierExpiresAt: now + leaseMs,
    updatedAt: Math.max(now, doc.updatedAt + 1),
  };
}

/** The bulk document when its carrier stops carrying it: done, stopped or failed; the lease is released. */
export function finishBulk(doc: BulkControlDoc, state: 'done' | 'stopped' | 'failed', now: number, error?: string): BulkControlDoc {
  return {
    ...doc,
    state,
    stopRequested: false,
    carrier: null,
    carrierExpiresAt: null,
    finishedAt: state === 'stopped' ? null : now,
    progress: error ? { ...doc.progress, lastError: error.slice(0, 1_000) } : doc.progress,
    updatedAt: Math.max(now, doc.updatedAt + 1),
  };
}

export interface BulkLease {
  owner: string;
  token: number;
}

/**
 * Taking a bulk control's lease: refused (null) while another carrier's lease runs or when
 * the control is not running; a new token each time, so the carrier it replaced (stalled,
 * or dead and its process restarted) cannot write another step.
 */
export function takeBulkLease(doc: BulkControlDoc, owner: string, now: number, leaseMs = BULK_LEASE_MS): { doc: BulkControlDoc; lease: BulkLease } | null {
  if (doc.state !== 'running') return null;
  const held = doc.carrier !== null && doc.carrier !== owner && doc.carrierExpiresAt !== null && doc.carrierExpiresAt > now;
  if (held) return null;
  const token = doc.carrierToken + 1;
  return {
    doc: { ...doc, carrier: owner, carrierToken: token, carrierExpiresAt: now + leaseMs, updatedAt: Math.max(now, doc.updatedAt + 1) },
    lease: { owner, token },
  };
}

/** Why `lease` may no longer write `doc` (null: it may). */
export function bulkLeaseProblem(doc: BulkControlDoc | null, lease: BulkLease, now: number): string | null {
  if (!doc) return 'the bulk control is gone';
  if (doc.carrier !== lease.owner || doc.carrierToken !== lease.token) return `another carrier (${doc.carrier ?? 'none'}, token ${doc.carrierToken}) holds it`;
  if (doc.carrierExpiresAt === null || doc.carrierExpiresAt <= now) return 'the lease ran out';
  if (doc.state !== 'running') return `it is ${doc.state}`;
  return null;
}

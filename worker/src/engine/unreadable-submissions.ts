import { payloadChunkId } from '../schema/names.js';
import { planUnreadableRejection, type FieldIssue, type UnreadableRejection } from '../core/jobs/unreadable-submission.js';
import { QUERIES } from '../schema/queries.js';
import { queryOf, type Transaction } from '../ports/store.js';
import type { EngineContext } from './context.js';

/**
 * Rejects, inside `tx` (after its reads), a `submitted` job that does not match the job
 * schema: INVALID_JOB written over the fields that failed, the rest kept, its audio deleted
 * (see core/jobs/unreadable-submission). Shared by admission (the admitters' listener) and
 * the leader's sweep for submissions that listener cannot see.
 */
export function rejectUnreadableInTx(
  ctx: EngineContext,
  tx: Transaction,
  jobId: string,
  raw: Record<string, unknown>,
  issues: readonly FieldIssue[],
): UnreadableRejection {
  const plan = planUnreadableRejection(raw, issues, { now: tx.now(), retentionMs: ctx.config.retention.finishedJobsMs });
  tx.update('jobs', jobId, plan.fields);
  for (let i = 0; i < plan.chunkCount; i++) tx.delete('payloads', payloadChunkId(jobId, i));
  return plan;
}

/** After the transaction committed: tell operators, who may want to find the writer. */
export function reportUnreadableRejection(ctx: EngineContext, jobId: string, plan: UnreadableRejection): void {
  ctx.log.warn({ jobId, readable: plan.readable, reason: plan.message }, 'rejected a submitted job that does not match the job schema (INVALID_JOB)');
}

/**
 * The leader's sweep for `submitted` jobs the admitters cannot see. Their listener orders by
 * `createdAt`, and Firestore leaves a document without that field out of an ordered query,
 * so a submission written without it (only an admin can: the rules require it) would never
 * be decided. Each pass reads one page of submitted jobs in id order, which needs no such
 * field, and rejects the ones that do not match the schema; readable ones are the admitters'.
 * Successive passes continue where the last one stopped, so every submitted job is seen.
 */
export class StraySubmissionSweep {
  private cursor: string | undefined;

  constructor(private readonly ctx: EngineContext) {}

  /** One page; returns how many jobs it rejected. Safe beside the admitters (each decision is a transaction). */
  async run(limit = 100): Promise<number> {
    const page = await this.ctx.store.query({
      ...queryOf(QUERIES.jobsInStatus, { status: 'submitted' }, { limit }),
      ...(this.cursor !== undefined ? { startAfterId: this.cursor } : {}),
    });
    // Both lists are in id order; the later of their last ids is where this page ended (a
    // JS sort can differ from Firestore's byte order for exotic ids: then a page is re-read,
    // and a short page starts the next pass over, so nothing is missed for good).
    const ids = [...page.docs.map((d) => d.id), ...page.undecodable.map((d) => d.id)].sort();
    this.cursor = ids.length < limit ? undefined : ids[ids.length - 1];
    let rejected = 0;
    for (const { id } of page.undecodable) {
      const plan = await this.ctx.store.runTransaction(async (tx) => {
        const read = await tx.getLenient('jobs', id);
        if (read.kind !== 'undecodable' || read.raw.status !== 'submitted') return null;
        return rejectUnreadableInTx(this.ctx, tx, id, read.raw, read.error.issues);
      });
      if (!plan) continue;
      rejected += 1;
      reportUnreadableRejection(this.ctx, id, plan);
      this.ctx.analytics?.record({ type: 'enqueued' });
      this.ctx.analytics?.record({ type: 'rejected' });
    }
    return rejected;
  }
}

import { payloadChunkId } from '../schema/names.js';
import type { JobDoc, JobError, JobResult } from '../schema/job.js';
import { InvalidTransitionError } from '../core/errors.js';
import { assemblePayload } from '../core/submission.js';
import { decideFailure } from '../core/jobs/retry-policy.js';
import {
  cancelHeld,
  cancelUnheld,
  claimJob,
  completeJob,
  failAttempt,
  releaseJob,
  renewLease,
  type Holder,
} from '../core/jobs/transitions.js';
import { ContentionError, queryOf, type Transaction } from '../ports/store.js';
import { QUERIES } from '../schema/queries.js';
import type { EngineContext } from './context.js';

export interface ClaimedJob {
  id: string;
  job: JobDoc;
  holder: Holder;
  /** Store time of the claim. */
  claimedAt: number;
}

function deletePayload(tx: Transaction, jobId: string, job: JobDoc, before: JobDoc | null): void {
  if (job.payloadDeletedAt !== null && before?.payloadDeletedAt === null) {
    for (let i = 0; i < job.audio.chunkCount; i++) tx.delete('payloads', payloadChunkId(jobId, i));
  }
}

/**
 * The fenced operations of a job holder. Each is one transaction: read the job, check the
 * holder's owner and token against it at the transaction's store time (pure `assertHolder`),
 * write. A stale holder gets `LeaseLostError` and writes nothing.
 */
export class JobLeases {
  constructor(private readonly ctx: EngineContext) {}

  private get leaseMs(): number {
    return this.ctx.config.lease.durationMs;
  }

  /** queued -> running. Null when the job is no longer claimable or the claim lost a race. */
  async claim(jobId: string): Promise<ClaimedJob | null> {
    try {
      return await this.ctx.store.runTransaction(async (tx) => {
        const job = await tx.get('jobs', jobId);
        if (!job || job.status !== 'queued') return null;
        const now = tx.now();
        if (job.cancelRequest) {
          const cancelled = cancelUnheld(job, {
            now,
            by: job.cancelRequest.by,
            reason: job.cancelRequest.reason,
            retentionMs: this.ctx.config.retention.finishedJobsMs,
          });
          tx.set('jobs', jobId, cancelled);
          deletePayload(tx, jobId, cancelled, job);
          return null;
        }
        const next = claimJob(jobId, job, { owner: this.ctx.serverId, now, leaseMs: this.leaseMs });
        tx.set('jobs', jobId, next);
        return { id: jobId, job: next, holder: { owner: this.ctx.serverId, token: next.fence }, claimedAt: now };
      });
    } catch (error) {
      if (error instanceof ContentionError || error instanceof InvalidTransitionError) return null;
      throw error;
    }
  }

  /** Renews the lease; reports a pending cancel request. */
  async heartbeat(jobId: string, holder: Holder, progress?: number | null): Promise<{ job: JobDoc; cancelRequested: boolean }> {
    return this.ctx.store.runTransaction(async (tx) => {
      const job = await tx.get('jobs', jobId);
      const next = renewLease(jobId, job, holder, { now: tx.now(), leaseMs: this.leaseMs, progress });
      tx.set('jobs', jobId, next);
      return { job: next, cancelRequested: next.cancelRequest !== null };
    });
  }

  async complete(jobId: string, holder: Holder, result: JobResult): Promise<JobDoc> {
    return this.ctx.store.runTransaction(async (tx) => {
      const job = await tx.get('jobs', jobId);
      const next = completeJob(jobId, job, holder, {
        now: tx.now(),
        result,
        retentionMs: this.ctx.config.retention.finishedJobsMs,
      });
      tx.set('jobs', jobId, next);
      deletePayload(tx, jobId, next, job);
      return next;
    });
  }

  /** Records a failed attempt; retry policy decides waiting / dead_lettered / failed. */
  async fail(jobId: string, holder: Holder, error: Omit<JobError, 'at' | 'attempt' | 'serverId'>): Promise<JobDoc> {
    return this.ctx.store.runTransaction(async (tx) => {
      const job = await tx.get('jobs', jobId);
      const now = tx.now();
      const attempts = job?.attempts ?? 0;
      const decision = decideFailure({
        errorClass: error.errorClass,
        attempts,
        maxAttempts: job?.maxAttempts ?? 1,
        retryAfterMs: error.retryAfterMs,
        now,
        backoff: this.ctx.config.backoff,
        random: this.ctx.random,
      });
      const next = failAttempt(jobId, job, holder, {
        now,
        error: { ...error, at: now, attempt: attempts, serverId: this.ctx.serverId },
        decision,
        retentionMs: this.ctx.config.retention.finishedJobsMs,
      });
      tx.set('jobs', jobId, next);
      return next;
    });
  }

  /** Gives the job back without spending the attempt (shutdown or a flow-control refusal). */
  async release(jobId: string, holder: Holder, retryAfterMs: number | null = null): Promise<JobDoc> {
    return this.ctx.store.runTransaction(async (tx) => {
      const job = await tx.get('jobs', jobId);
      const now = tx.now();
      const next = releaseJob(jobId, job, holder, { now, availableAt: retryAfterMs ? now + retryAfterMs : null });
      tx.set('jobs', jobId, next);
      return next;
    });
  }

  /** Finishes a job whose cancel was requested: running -> cancelled. */
  async cancel(jobId: string, holder: Holder): Promise<JobDoc> {
    return this.ctx.store.runTransaction(async (tx) => {
      const job = await tx.get('jobs', jobId);
      const next = cancelHeld(jobId, job, holder, { now: tx.now(), retentionMs: this.ctx.config.retention.finishedJobsMs });
      tx.set('jobs', jobId, next);
      deletePayload(tx, jobId, next, job);
      return next;
    });
  }

  /** Reads and verifies the audio (immutable chunks, so no transaction is needed). */
  async loadPayload(jobId: string, job: JobDoc): Promise<Uint8Array> {
    const result = await this.ctx.store.query(queryOf(QUERIES.payloadChunks, { jobId }));
    return assemblePayload(
      jobId,
      job.audio,
      result.docs.map((d) => d.data),
    );
  }
}

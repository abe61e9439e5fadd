import type { JobDoc, JobError, JobResult } from '../schema/job.js';
import { InvalidTransitionError } from '../core/errors.js';
import { assemblePayload, inlinePayload } from '../core/submission.js';
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
import { ContentionError, queryOf, type DocVersion, type Snapshot } from '../ports/store.js';
import { guardedJobWrite } from './guarded-job-write.js';
import { QUERIES } from '../schema/queries.js';
import type { EngineContext } from './context.js';

export interface ClaimedJob {
  id: string;
  job: JobDoc;
  holder: Holder;
  /** Store time of the claim. */
  claimedAt: number;
}

/** Guarded attempts of one holder step before it gives up with ContentionError. */
const MAX_GUARDED_ATTEMPTS = 8;

interface KnownJob {
  token: number;
  job: JobDoc;
  version: DocVersion;
}

/**
 * The fenced operations of a job holder, lock-free: each is a guarded write of the job
 * (Firestore's `updateTime` precondition) computed by a pure transition from `core/jobs`.
 * The holder remembers the version its own last write produced, so a step costs one write
 * and no read; when anyone else wrote the job in between (a cancel request, a reclaim, a
 * competing claim) the guard fails, the step re-reads the job and re-decides at the read's
 * store time. A stale holder therefore gets `LeaseLostError` and writes nothing: the write
 * that moved the fence on also moved the version on. Unlike a read-write transaction, a
 * worker killed half-way leaves no lock behind that would stall the next claim or reclaim.
 *
 * Expiry: with the remembered version, "now" is this worker's estimate of store time
 * (`store.now()`, learned from read and commit times); a lease it believes expired is
 * treated as lost without writing. A lease that expired unnoticed by that estimate but that
 * nobody reclaimed is harmless to complete: the reclaimer's own guarded write would fail.
 */
export class JobLeases {
  private readonly known = new Map<string, KnownJob>();

  constructor(private readonly ctx: EngineContext) {}

  private get leaseMs(): number {
    return this.ctx.config.lease.durationMs;
  }

  private remember(jobId: string, job: JobDoc, version: DocVersion | null): void {
    if (job.status === 'running' && job.lease && version) this.known.set(jobId, { token: job.lease.token, job, version });
    else this.known.delete(jobId);
  }

  /** queued -> running, from a job read by a query or listener. Null when it lost a race or is not claimable. */
  async claimFrom(snap: Snapshot<'jobs'>, now = this.ctx.store.now()): Promise<ClaimedJob | null> {
    const job = snap.data;
    if (job.status !== 'queued') return null;
    if (job.cancelRequest) {
      const cancelled = cancelUnheld(job, {
        now,
        by: job.cancelRequest.by,
        reason: job.cancelRequest.reason,
        retentionMs: this.ctx.config.retention.finishedJobsMs,
      });
      await this.ctx.store.commitIf(guardedJobWrite(snap.id, cancelled, job, snap.version));
      return null;
    }
    let next: JobDoc;
    try {
      next = claimJob(snap.id, job, { owner: this.ctx.serverId, now, leaseMs: this.leaseMs });
    } catch (error) {
      if (error instanceof InvalidTransitionError) return null;
      throw error;
    }
    const res = await this.ctx.store.commitIf([{ op: 'set', collection: 'jobs', id: snap.id, data: next, guard: { ifVersion: snap.version } }]);
    if (!res.ok) return null;
    this.remember(snap.id, next, res.versions[0] ?? null);
    return { id: snap.id, job: next, holder: { owner: this.ctx.serverId, token: next.fence }, claimedAt: now };
  }

  /** queued -> running by id (one read, then the guarded claim). */
  async claim(jobId: string): Promise<ClaimedJob | null> {
    const read = await this.ctx.store.get('jobs', jobId);
    if (!read.doc || !read.version) return null;
    return this.claimFrom({ id: jobId, data: read.doc, updateTime: read.readTime, version: read.version }, read.readTime);
  }

  /**
   * One holder step: `plan` maps the job (as remembered, or as re-read after a failed guard)
   * and the store time to the next document, or throws (LeaseLostError for a stale holder).
   */
  private async holderStep(jobId: string, holder: Holder, plan: (job: JobDoc | null, now: number) => JobDoc): Promise<JobDoc> {
    let known: KnownJob | undefined = this.known.get(jobId);
    if (known && known.token !== holder.token) known = undefined;
    for (let attempt = 1; attempt <= MAX_GUARDED_ATTEMPTS; attempt++) {
      let job: JobDoc | null;
      let version: DocVersion | null;
      let now: number;
      if (known) {
        ({ job, version } = known);
        now = this.ctx.store.now();
      } else {
        const read = await this.ctx.store.get('jobs', jobId);
        ({ doc: job, version } = read);
        now = read.readTime;
      }
      let next: JobDoc;
      try {
        next = plan(job, now);
      } catch (error) {
        this.known.delete(jobId);
        throw error;
      }
      const res = await this.ctx.store.commitIf(guardedJobWrite(jobId, next, job, version));
      if (res.ok) {
        this.remember(jobId, next, res.versions[0] ?? null);
        return next;
      }
      // Someone else wrote the job (cancel request, reclaim, control): decide again on what is stored.
      known = undefined;
    }
    throw new ContentionError(MAX_GUARDED_ATTEMPTS);
  }

  /** Drops what this holder remembers of a job it no longer works on. */
  forget(jobId: string): void {
    this.known.delete(jobId);
  }

  /** Renews the lease; reports a pending cancel request. */
  async heartbeat(jobId: string, holder: Holder, progress?: number | null): Promise<{ job: JobDoc; cancelRequested: boolean }> {
    const next = await this.holderStep(jobId, holder, (job, now) => renewLease(jobId, job, holder, { now, leaseMs: this.leaseMs, progress }));
    return { job: next, cancelRequested: next.cancelRequest !== null };
  }

  async complete(jobId: string, holder: Holder, result: JobResult): Promise<JobDoc> {
    return this.holderStep(jobId, holder, (job, now) => completeJob(jobId, job, holder, { now, result, retentionMs: this.ctx.config.retention.finishedJobsMs }));
  }

  /** Records a failed attempt; retry policy decides waiting / dead_lettered / failed. */
  async fail(
    jobId: string,
    holder: Holder,
    error: Omit<JobError, 'at' | 'attempt' | 'serverId' | 'charge'>,
    options: { isProbe?: boolean } = {},
  ): Promise<JobDoc> {
    return this.holderStep(jobId, holder, (job, now) => {
      const attempts = job?.attempts ?? 0;
      const decision = decideFailure({
        errorClass: error.errorClass,
        attempts,
        maxAttempts: job?.maxAttempts ?? 1,
        retryAfterMs: error.retryAfterMs,
        now,
        backoff: this.ctx.config.backoff,
        random: this.ctx.random,
        isProbe: options.isProbe ?? false,
        busy: { since: job?.busySince ?? null, answers: job?.busyAnswers ?? 0, budgetMs: this.ctx.config.busyBudgetMs },
      });
      return failAttempt(jobId, job, holder, {
        now,
        error: { ...error, at: now, attempt: attempts, serverId: this.ctx.serverId, charge: decision.charge },
        decision,
        retentionMs: this.ctx.config.retention.finishedJobsMs,
      });
    });
  }

  /** Gives the job back without spending the attempt (shutdown or a flow-control refusal). */
  async release(jobId: string, holder: Holder, retryAfterMs: number | null = null): Promise<JobDoc> {
    return this.holderStep(jobId, holder, (job, now) => releaseJob(jobId, job, holder, { now, availableAt: retryAfterMs ? now + retryAfterMs : null }));
  }

  /** Finishes a job whose cancel was requested: running -> cancelled. */
  async cancel(jobId: string, holder: Holder): Promise<JobDoc> {
    return this.holderStep(jobId, holder, (job, now) => cancelHeld(jobId, job, holder, { now, retentionMs: this.ctx.config.retention.finishedJobsMs }));
  }

  /**
   * The job's audio, verified: inline audio comes with the job this holder already has (no
   * read); chunks are read (immutable, so no transaction is needed).
   */
  async loadPayload(jobId: string, job: JobDoc): Promise<Uint8Array> {
    if (job.audio.chunkCount === 0) return inlinePayload(jobId, job.audio, job.inlineAudio);
    const result = await this.ctx.store.query(queryOf(QUERIES.payloadChunks, { jobId }));
    return assemblePayload(
      jobId,
      job.audio,
      result.docs.map((d) => d.data),
    );
  }
}

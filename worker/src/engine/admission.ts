import type { JobDoc, Priority, RejectionCode } from '../schema/job.js';
import type { IdempotencyDoc } from '../schema/misc.js';
import type { RateLimitDoc } from '../schema/flow.js';
import { PAYLOAD_LIMITS } from '../schema/payload.js';
import { payloadChunkId } from '../schema/names.js';
import { admitForUser } from '../core/flow/user-admission.js';
import type { QueueHead } from '../core/flow/fair-share.js';
import { QueueHeadCache } from '../flow/queue-head.js';
import { QueueFullError, RateLimitedError } from '../core/errors.js';
import { sha256Hex } from '../core/audio.js';
import { planSubmission, type SubmissionInput, type SubmittedJob } from '../core/submission.js';
import { admitSubmission, cancelUnheld, rejectJob } from '../core/jobs/transitions.js';
import type { UnreadableRejection } from '../core/jobs/unreadable-submission.js';
import type { Transaction } from '../ports/store.js';
import type { EngineContext } from './context.js';
import { QueueGauge } from './queue-gauge.js';
import { rejectUnreadableInTx, reportUnreadableRejection } from './unreadable-submissions.js';

export interface EnqueueResult {
  requestId: string;
  /** Jobs ahead of this one among claimable jobs (0 = next). */
  position: number;
  estimatedWaitMs: number;
  rateLimit: { remaining: number; resetAt: number };
  /** True when the idempotency key matched an earlier submission: nothing new was queued. */
  duplicate: boolean;
}

export interface EnqueueOptions {
  /** Use this job id instead of a random one. */
  jobId?: string;
}

async function idempotencyId(userId: string, key: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(`${userId}\n${key}`));
}

type UserCheck =
  | { ok: true; rank: number; remaining: number; resetAt: number; tier: string }
  | { ok: false; error: RateLimitedError };

/**
 * Admission: the only way a job becomes `queued`. Server callers enqueue through `enqueue`;
 * browser clients write a `submitted` job that `admitSubmitted` admits or rejects. Both run
 * the same checks in one transaction: idempotency key (created in that transaction, so two
 * submissions with one key can never both be admitted), the user's sliding-window rate limit
 * and fair-share rank (the user's own rate-limit document), then the job is written.
 */
export class Admission {
  readonly gauge: QueueGauge;
  /** Anchors fair-share starts at the queue head (see core/flow/fair-share). */
  private readonly head: QueueHeadCache;

  constructor(private readonly ctx: EngineContext) {
    this.gauge = new QueueGauge(ctx.store);
    this.head = new QueueHeadCache(ctx.store);
  }

  private checkUser(
    tx: Transaction,
    state: RateLimitDoc | null,
    sub: SubmittedJob,
    tier: string,
    now: number,
    head: QueueHead | null,
  ): UserCheck {
    const decision = admitForUser(
      state,
      now,
      { userId: sub.userId, tier, priority: sub.priority, audioSeconds: sub.audio.durationSec },
      this.ctx.config,
      { head },
    );
    tx.set('rateLimits', sub.userId, { ...decision.next, userId: sub.userId, tier });
    if (!decision.allowed) {
      return { ok: false, error: new RateLimitedError(sub.userId, decision.retryAfterMs, decision.resetAt) };
    }
    return { ok: true, rank: decision.rank, remaining: decision.remaining, resetAt: decision.resetAt, tier };
  }

  private async assertRoom(): Promise<void> {
    const size = await this.gauge.queueSize();
    if (size >= this.ctx.config.maxQueueSize) throw new QueueFullError(size, this.ctx.config.maxQueueSize);
  }

  /** Server-side enqueue. Throws typed errors; on any error nothing is written. */
  async enqueue(input: SubmissionInput, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    this.ctx.analytics?.record({ type: 'enqueued' });
    const plan = await planSubmission(input, {
      now: this.ctx.store.now(),
      source: 'server',
      ...(options.jobId ? { jobId: options.jobId } : {}),
      random: this.ctx.random,
    });
    try {
      await this.assertRoom();
    } catch (error) {
      this.ctx.analytics?.record({ type: 'rejected' });
      throw error;
    }
    const sub = plan.submission;
    const keyId = sub.idempotencyKey ? await idempotencyId(sub.userId, sub.idempotencyKey) : null;
    const head = await this.head.current();
    const outcome = await this.ctx.store.runTransaction(async (tx) => {
      const existing = keyId ? await tx.get('idempotency', keyId) : null;
      const state = await tx.get('rateLimits', sub.userId);
      const now = tx.now();
      if (existing && existing.expireAt > now) {
        const prior = await tx.get('jobs', existing.jobId);
        return { kind: 'duplicate' as const, jobId: existing.jobId, rank: prior?.rank ?? null };
      }
      const user = this.checkUser(tx, state, sub, plan.tier ?? state?.tier ?? 'default', now, head);
      if (!user.ok) return { kind: 'limited' as const, error: user.error };
      const job = admitSubmission(sub, {
        now,
        rank: user.rank,
        maxAttempts: this.ctx.config.maxAttempts,
        tier: user.tier,
        model: plan.model,
      });
      tx.set('jobs', plan.jobId, job);
      for (const chunk of plan.chunks) tx.set('payloads', chunk.id, { ...chunk.doc, createdAt: now });
      if (keyId) tx.set('idempotency', keyId, this.idempotencyDoc(sub, plan.jobId, now));
      return { kind: 'admitted' as const, jobId: plan.jobId, rank: user.rank, remaining: user.remaining, resetAt: user.resetAt };
    });
    if (outcome.kind === 'limited') {
      // The refusal itself was recorded in the user's rate-limit document.
      this.ctx.analytics?.record({ type: 'rejected' });
      throw outcome.error;
    }
    if (outcome.kind === 'admitted') {
      this.gauge.noteAdmitted();
      this.ctx.analytics?.record({ type: 'admitted' });
    }
    const position = outcome.rank === null ? 0 : await this.gauge.position(outcome.rank);
    const estimatedWaitMs = await this.gauge.estimateWaitMs(position, this.ctx.config.maxConcurrentRequests);
    const rate =
      outcome.kind === 'admitted'
        ? { remaining: outcome.remaining, resetAt: outcome.resetAt }
        : await this.currentRate(sub.userId);
    return { requestId: outcome.jobId, position, estimatedWaitMs, rateLimit: rate, duplicate: outcome.kind === 'duplicate' };
  }

  private async currentRate(userId: string): Promise<{ remaining: number; resetAt: number }> {
    const { doc } = await this.ctx.store.get('rateLimits', userId);
    return { remaining: doc?.remaining ?? 0, resetAt: doc?.resetAt ?? this.ctx.store.now() };
  }

  private idempotencyDoc(sub: SubmittedJob, jobId: string, now: number): IdempotencyDoc {
    return {
      userId: sub.userId,
      key: sub.idempotencyKey!,
      jobId,
      createdAt: now,
      expireAt: now + this.ctx.config.retention.finishedJobsMs,
    };
  }

  /**
   * Admits or rejects a client-written `submitted` job. Several servers may race on the same
   * job: the transaction makes exactly one of them decide; the others see it is no longer
   * `submitted` and skip. Returns what happened.
   */
  async admitSubmitted(
    jobId: string,
    hint: { priority: Priority } | null = null,
  ): Promise<'admitted' | 'rejected' | 'cancelled' | 'skipped'> {
    let queueFull: QueueFullError | null = null;
    try {
      await this.assertRoom();
    } catch (error) {
      if (!(error instanceof QueueFullError)) throw error;
      queueFull = error;
    }
    // The browser has no enqueue response: give its job a first position and ETA, estimated
    // before the transaction (ignoring the user's fair-share lead) so it costs no extra write.
    let position: number | null = null;
    let estimatedWaitMs: number | null = null;
    if (hint && !queueFull) {
      position = await this.gauge.position(this.ctx.store.now() + this.ctx.config.priorityAgingMs[hint.priority]);
      estimatedWaitMs = await this.gauge.estimateWaitMs(position, this.ctx.config.maxConcurrentRequests);
    }
    const head = await this.head.current();
    // Set by the attempt that committed (a transaction may run more than once).
    const decided: { unreadable: UnreadableRejection | null } = { unreadable: null };
    const result = await this.ctx.store.runTransaction(async (tx) => {
      decided.unreadable = null;
      const read = await tx.getLenient('jobs', jobId);
      if (read.kind === 'missing') return 'skipped' as const;
      if (read.kind === 'undecodable') {
        if (read.raw.status !== 'submitted') return 'skipped' as const;
        // Never skipped: it would stay `submitted` for ever at the head of the admitters' query.
        decided.unreadable = rejectUnreadableInTx(this.ctx, tx, jobId, read.raw, read.error.issues);
        return 'rejected' as const;
      }
      const job = read.doc;
      if (job.status !== 'submitted') return 'skipped' as const;
      const sub: SubmittedJob = { ...job, status: 'submitted', source: job.source };
      const keyId = sub.idempotencyKey ? await idempotencyId(sub.userId, sub.idempotencyKey) : null;
      const existing = keyId ? await tx.get('idempotency', keyId) : null;
      const state = await tx.get('rateLimits', sub.userId);
      const now = tx.now();
      const retentionMs = this.ctx.config.retention.finishedJobsMs;
      const reject = (code: RejectionCode, message: string, extra: { retryAfterMs?: number; existingJobId?: string } = {}) => {
        const rejected = rejectJob(job, {
          now,
          retentionMs,
          rejection: { code, message, retryAfterMs: extra.retryAfterMs ?? null, existingJobId: extra.existingJobId ?? null },
        });
        this.writeWithPayloadDelete(tx, jobId, rejected);
        return 'rejected' as const;
      };
      if (job.cancelRequest) {
        const cancelled = cancelUnheld(job, { now, by: job.cancelRequest.by, reason: job.cancelRequest.reason, retentionMs });
        this.writeWithPayloadDelete(tx, jobId, cancelled);
        return 'cancelled' as const;
      }
      const problem = this.clientJobProblem(job);
      if (problem) return reject('PAYLOAD_INVALID', problem);
      if (existing && existing.expireAt > now && existing.jobId !== jobId) {
        return reject('DUPLICATE', `idempotency key already used by job ${existing.jobId}`, { existingJobId: existing.jobId });
      }
      if (queueFull) return reject('QUEUE_FULL', queueFull.message, { retryAfterMs: 30_000 });
      const user = this.checkUser(tx, state, sub, state?.tier ?? 'default', now, head);
      if (!user.ok) return reject('RATE_LIMITED', user.error.message, { retryAfterMs: user.error.retryAfterMs });
      const admitted = admitSubmission(sub, {
        now,
        rank: user.rank,
        maxAttempts: this.ctx.config.maxAttempts,
        tier: user.tier,
        model: null,
        base: job,
      });
      const positioned = hint?.priority === job.priority && position !== null;
      tx.set('jobs', jobId, positioned ? { ...admitted, position, estimatedWaitMs, positionAt: now } : admitted);
      if (keyId) tx.set('idempotency', keyId, this.idempotencyDoc(sub, jobId, now));
      return 'admitted' as const;
    });
    if (decided.unreadable) reportUnreadableRejection(this.ctx, jobId, decided.unreadable);
    if (result === 'admitted') {
      this.gauge.noteAdmitted();
      this.ctx.analytics?.record({ type: 'admitted' });
    } else if (result === 'rejected') {
      this.ctx.analytics?.record({ type: 'rejected' });
    } else if (result === 'cancelled') {
      this.ctx.analytics?.record({ type: 'cancelled' });
    }
    if (result !== 'skipped') this.ctx.analytics?.record({ type: 'enqueued' });
    return result;
  }

  private writeWithPayloadDelete(tx: Transaction, jobId: string, job: JobDoc): void {
    tx.set('jobs', jobId, job);
    for (let i = 0; i < job.audio.chunkCount; i++) tx.delete('payloads', payloadChunkId(jobId, i));
  }

  /** Checks a client could get past security rules but the engine refuses. */
  private clientJobProblem(job: JobDoc): string | null {
    const { bytes, chunkCount } = job.audio;
    if (bytes > PAYLOAD_LIMITS.maxAudioBytes) return `audio is ${bytes} bytes; the limit is ${PAYLOAD_LIMITS.maxAudioBytes}`;
    if (chunkCount !== Math.ceil(bytes / PAYLOAD_LIMITS.chunkBytes)) {
      return `audio of ${bytes} bytes must come in ${Math.ceil(bytes / PAYLOAD_LIMITS.chunkBytes)} chunks, not ${chunkCount}`;
    }
    return null;
  }
}


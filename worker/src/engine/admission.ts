import type { JobDoc, Priority, RejectionCode } from '../schema/job.js';
import type { IdempotencyDoc } from '../schema/misc.js';
import type { RateLimitDoc } from '../schema/flow.js';
import { PAYLOAD_LIMITS } from '../schema/payload.js';
import { admitForUser } from '../core/flow-policy/user-admission.js';
import type { QueueHead } from '../core/flow-policy/fair-share.js';
import { QueueHeadCache } from '../fleet-flow/queue-head.js';
import { QueueFullError, RateLimitedError, ValidationError } from '../core/errors.js';
import { sha256Hex } from '../core/audio.js';
import { shardOf } from '../core/coordination/rendezvous.js';
import { planSubmission, withAudioBytes, type SubmissionRequest, type SubmittedJob } from '../core/submission.js';
import { admitSubmission, cancelUnheld, rejectJob } from '../core/jobs/transitions.js';
import type { UnreadableRejection } from '../core/jobs/unreadable-submission.js';
import { ContentionError, DocumentDecodeError, guardFor, type DocVersion, type GuardedMutation, type Snapshot } from '../ports/store.js';
import { guardedJobWrite } from './guarded-job-write.js';
import type { DocOf } from '../schema/documents.js';
import type { EngineContext } from './context.js';
import { QueueGauge } from './queue-gauge.js';
import { rejectUnreadableInTx, reportUnreadableRejection } from './unreadable-submissions.js';
import { missingChunksProblem } from './submission-chunks.js';
import { measureAudio, measureSubmission, withMeasuredDuration, type AudioDurationReader } from './audio-duration.js';
import { readAudioDuration } from '../adapters/audio/music-metadata-duration.js';
import type { DurationDecision } from '../core/audio-duration.js';

export interface EnqueueResult {
  requestId: string;
  /** Jobs ahead of this one among claimable jobs (0 = next). */
  position: number;
  /** Until the job is expected to start; for a deferred job at least until `deferredUntil`. */
  estimatedWaitMs: number;
  /**
   * The user was over their rate limit and `rateLimiting.whenExceeded` is 'defer': the job is
   * admitted, waiting until this time (ms since the epoch, store time), when the window allows
   * it. Null when it was admitted to run now (or, for a duplicate, the first job no longer waits).
   */
  deferredUntil: number | null;
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

/** Rate-limit documents remembered per process (least recently admitted users are dropped). */
const RATE_LIMIT_CACHE_SIZE = 10_000;
/** Optimistic admission attempts before ContentionError. */
const MAX_OPTIMISTIC_ATTEMPTS = 8;

/** A document as read or last written, with the version that guards the next write (null: absent). */
interface Versioned<T> {
  doc: T | null;
  version: DocVersion | null;
}

function guarded<K extends 'rateLimits' | 'idempotency' | 'jobs'>(collection: K, id: string, data: DocOf<K>, version: DocVersion | null): GuardedMutation {
  return { op: 'set', collection, id, data, guard: guardFor(version) } as GuardedMutation;
}

type ServerOutcome =
  | { kind: 'admitted'; jobId: string; rank: number; deferredUntil: number | null; remaining: number; resetAt: number; now: number }
  | { kind: 'limited'; error: RateLimitedError }
  | { kind: 'duplicate'; jobId: string; rank: number | null; deferredUntil: number | null; now: number };

type UserCheck =
  | { ok: true; rank: number; deferredUntil: number | null; remaining: number; resetAt: number; tier: string }
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
  /** Anchors fair-share starts at the queue head (see core/flow-policy/fair-share). */
  private readonly head: QueueHeadCache;
  /** Rate-limit documents as this process last wrote them (LRU), so a user's next admission needs no read. */
  private readonly rateLimits = new Map<string, Versioned<RateLimitDoc>>();
  private readonly userChains = new Map<string, Promise<void>>();

  /** Reads an audio's duration from its bytes; admission never trusts a declared one. */
  private readonly readDuration: AudioDurationReader;
  private readonly onDeferred: (jobId: string, deferredUntil: number) => void;

  constructor(
    private readonly ctx: EngineContext,
    options: {
      readDuration?: AudioDurationReader;
      /**
       * A job this process admitted deferred (committed): a worker schedules its promotion
       * for then, so it need not wait for the leader's next pass over due jobs.
       */
      onDeferred?: (jobId: string, deferredUntil: number) => void;
    } = {},
  ) {
    this.readDuration = options.readDuration ?? readAudioDuration;
    this.onDeferred = options.onDeferred ?? (() => undefined);
    this.gauge = new QueueGauge(ctx.store);
    this.head = new QueueHeadCache(ctx.store);
  }

  private userDecision(state: RateLimitDoc | null, sub: SubmittedJob, tier: string, now: number, head: QueueHead | null): { check: UserCheck; next: RateLimitDoc } {
    const decision = admitForUser(
      state,
      now,
      { userId: sub.userId, tier, priority: sub.priority, audioSeconds: sub.audio.durationSec },
      this.ctx.config,
      { head },
    );
    const next = { ...decision.next, userId: sub.userId, tier };
    if (!decision.allowed) {
      return { check: { ok: false, error: new RateLimitedError(sub.userId, decision.retryAfterMs, decision.resetAt) }, next };
    }
    return { check: { ok: true, rank: decision.rank, deferredUntil: decision.deferredUntil, remaining: decision.remaining, resetAt: decision.resetAt, tier }, next };
  }

  private async assertRoom(): Promise<void> {
    const size = await this.gauge.queueSize();
    if (size >= this.ctx.config.maxQueueSize) throw new QueueFullError(size, this.ctx.config.maxQueueSize);
  }

  /**
   * Runs `fn` after the previous admission of the same user in this process: they would
   * only race each other for the user's rate-limit document and retry.
   */
  private async oneAtATime<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.userChains.get(userId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.userChains.set(userId, tail);
    void tail.then(() => {
      if (this.userChains.get(userId) === tail) this.userChains.delete(userId);
    });
    return run;
  }

  /** The user's rate-limit document as this process last wrote it, or as read now. */
  private async rateLimitState(userId: string): Promise<{ state: Versioned<RateLimitDoc>; now: number }> {
    const cached = this.rateLimits.get(userId);
    if (cached) return { state: cached, now: this.ctx.store.now() };
    const read = await this.ctx.store.get('rateLimits', userId);
    return { state: { doc: read.doc, version: read.version }, now: read.readTime };
  }

  private noteRateLimit(userId: string, doc: RateLimitDoc, version: DocVersion | null): void {
    if (!version) return this.forgetRateLimit(userId);
    this.rateLimits.delete(userId);
    this.rateLimits.set(userId, { doc, version });
    if (this.rateLimits.size > RATE_LIMIT_CACHE_SIZE) this.rateLimits.delete(this.rateLimits.keys().next().value!);
  }

  private forgetRateLimit(userId: string): void {
    this.rateLimits.delete(userId);
  }

  /**
   * Before another optimistic attempt: at once after the first failed guard (usually one
   * other writer, whose write the re-read now sees), then a jittered pause that spreads
   * writers who keep colliding.
   */
  private async backoff(attempt: number): Promise<void> {
    if (attempt > 1) await this.ctx.clock.sleep(Math.round(this.ctx.random() * 10 * attempt));
  }

  /** Server-side enqueue. Throws typed errors; on any error nothing is written. */
  async enqueue(submitted: SubmissionRequest, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    this.ctx.analytics?.record({ type: 'enqueued' });
    // A data URI is decoded once, here: the plan and the duration measurement share the bytes.
    const input = withAudioBytes(submitted);
    const plan = await planSubmission(input, {
      now: this.ctx.store.now(),
      source: 'server',
      ...(options.jobId ? { jobId: options.jobId } : {}),
      random: this.ctx.random,
      // Small audio rides in the job document: no chunk to write, read and delete.
      inlineMaxBytes: this.ctx.config.payload.inlineMaxBytes,
    });
    try {
      await this.assertRoom();
    } catch (error) {
      this.ctx.analytics?.record({ type: 'rejected' });
      throw error;
    }
    // The duration fair share and token budgets use is measured from the bytes, once.
    const audio = input.audio instanceof ArrayBuffer ? new Uint8Array(input.audio) : input.audio;
    const duration = await measureAudio(this.readDuration, audio, plan.submission.audio.mimeType, input.durationSec ?? null);
    const sub = withMeasuredDuration(plan.submission, duration);
    const keyId = sub.idempotencyKey ? await idempotencyId(sub.userId, sub.idempotencyKey) : null;
    const head = await this.head.current();
    const outcome = await this.oneAtATime(sub.userId, () => this.admitServerJob(plan, sub, duration, keyId, head, options));
    if (outcome.kind === 'limited') {
      // The refusal itself was recorded in the user's rate-limit document.
      this.ctx.analytics?.record({ type: 'rejected' });
      throw outcome.error;
    }
    if (outcome.kind === 'admitted') {
      // A deferred job is not claimable yet: it counts in the queue's size, not in positions.
      this.gauge.noteAdmitted(outcome.deferredUntil === null ? outcome.rank : null);
      this.ctx.analytics?.record({ type: 'admitted' });
      if (outcome.deferredUntil !== null) this.onDeferred(outcome.jobId, outcome.deferredUntil);
    }
    const position = outcome.rank === null ? 0 : await this.gauge.position(outcome.rank);
    const queuedWaitMs = await this.gauge.estimateWaitMs(position, this.ctx.config.maxConcurrentRequests);
    // A deferred job starts no earlier than its booked time, nor before the jobs ranked ahead of it.
    const estimatedWaitMs = outcome.deferredUntil === null ? queuedWaitMs : Math.max(queuedWaitMs, outcome.deferredUntil - outcome.now);
    const rate =
      outcome.kind === 'admitted'
        ? { remaining: outcome.remaining, resetAt: outcome.resetAt }
        : await this.currentRate(sub.userId);
    return {
      requestId: outcome.jobId,
      position,
      estimatedWaitMs,
      deferredUntil: outcome.deferredUntil,
      rateLimit: rate,
      duplicate: outcome.kind === 'duplicate',
    };
  }

  /**
   * The admission commit, optimistic and lock-free: one atomic batch of the user's
   * rate-limit document (guarded by the version read, or remembered from this process's last
   * write), the job and its idempotency key (both guarded to be new) and the audio chunks
   * (none when the audio is inline in the job).
   * A failed guard means another writer came first: re-read what it may have changed and
   * decide again. Nothing is held while deciding, so a process killed here stalls nobody
   * (a read-write transaction would leave the user's document locked for up to a minute).
   */
  private async admitServerJob(
    plan: Awaited<ReturnType<typeof planSubmission>>,
    sub: SubmittedJob,
    duration: DurationDecision,
    keyId: string | null,
    head: QueueHead | null,
    options: EnqueueOptions,
  ): Promise<ServerOutcome> {
    // The key is assumed new (the guard checks it); it is read only after a failed commit.
    let key: Versioned<IdempotencyDoc> = { doc: null, version: null };
    for (let attempt = 1; ; attempt++) {
      const { state, now } = await this.rateLimitState(sub.userId);
      if (key.doc && key.doc.expireAt > now) {
        const prior = await this.ctx.store.get('jobs', key.doc.jobId);
        const stillDeferred = prior.doc?.status === 'waiting' && prior.doc.deferredUntil != null && prior.doc.deferredUntil > now;
        return { kind: 'duplicate', jobId: key.doc.jobId, rank: prior.doc?.rank ?? null, deferredUntil: stillDeferred ? prior.doc!.deferredUntil! : null, now };
      }
      const user = this.userDecision(state.doc, sub, plan.tier ?? state.doc?.tier ?? 'default', now, head);
      const writes: GuardedMutation[] = [guarded('rateLimits', sub.userId, user.next, state.version)];
      if (user.check.ok) {
        const job = admitSubmission(sub, {
          now,
          rank: user.check.rank,
          maxAttempts: this.ctx.config.maxAttempts,
          tier: user.check.tier,
          model: plan.model,
          shard: shardOf(plan.jobId),
          inlineAudio: plan.inlineAudio,
          durationCheck: duration.check,
          deferredUntil: user.check.deferredUntil,
        });
        writes.push({ op: 'set', collection: 'jobs', id: plan.jobId, data: job, guard: { ifMissing: true } });
        for (const chunk of plan.chunks) writes.push({ op: 'set', collection: 'payloads', id: chunk.id, data: { ...chunk.doc, createdAt: now } });
        if (keyId) writes.push(guarded('idempotency', keyId, this.idempotencyDoc(sub, plan.jobId, now), key.version));
      }
      const res = await this.ctx.store.commitIf(writes);
      if (res.ok) {
        this.noteRateLimit(sub.userId, user.next, res.versions[0] ?? null);
        if (!user.check.ok) return { kind: 'limited', error: user.check.error };
        return {
          kind: 'admitted',
          jobId: plan.jobId,
          rank: user.check.rank,
          deferredUntil: user.check.deferredUntil,
          remaining: user.check.remaining,
          resetAt: user.check.resetAt,
          now,
        };
      }
      this.forgetRateLimit(sub.userId);
      if (keyId) {
        const read = await this.ctx.store.get('idempotency', keyId);
        key = { doc: read.doc, version: read.version };
      }
      if (options.jobId && (await this.ctx.store.get('jobs', options.jobId)).doc) {
        // The caller's own choice of id is what failed: a typed refusal it can branch on.
        throw new ValidationError([{ path: 'jobId', message: `${options.jobId} already names a job` }], 'enqueue options');
      }
      if (attempt >= MAX_OPTIMISTIC_ATTEMPTS) throw new ContentionError(attempt);
      await this.backoff(attempt);
    }
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
   * job: the guarded write (over the version read) makes exactly one of them decide; the
   * others find it no longer `submitted` and skip. `known`: the job as a listener delivered
   * it (saves the read). Returns what happened.
   */
  async admitSubmitted(
    jobId: string,
    hint: { priority: Priority } | null = null,
    known: Snapshot<'jobs'> | null = null,
  ): Promise<'admitted' | 'rejected' | 'cancelled' | 'skipped'> {
    let queueFull: QueueFullError | null = null;
    try {
      await this.assertRoom();
    } catch (error) {
      if (!(error instanceof QueueFullError)) throw error;
      queueFull = error;
    }
    // The browser has no enqueue response: give its job a first position and ETA, estimated
    // before the commit (ignoring the user's fair-share lead) so it costs no extra write.
    let position: number | null = null;
    let estimatedWaitMs: number | null = null;
    if (hint && !queueFull) {
      position = await this.gauge.position(this.ctx.store.now() + this.ctx.config.priorityAgingMs[hint.priority]);
      estimatedWaitMs = await this.gauge.estimateWaitMs(position, this.ctx.config.maxConcurrentRequests);
    }
    const head = await this.head.current();
    const decide = () => this.decideSubmitted(jobId, known, { queueFull, hint, position, estimatedWaitMs, head });
    const result = known ? await this.oneAtATime(known.data.userId, decide) : await decide();
    if (result === 'admitted') {
      this.gauge.noteAdmitted(null);
      this.ctx.analytics?.record({ type: 'admitted' });
    } else if (result === 'rejected') {
      this.ctx.analytics?.record({ type: 'rejected' });
    } else if (result === 'cancelled') {
      this.ctx.analytics?.record({ type: 'cancelled' });
    }
    if (result !== 'skipped') this.ctx.analytics?.record({ type: 'enqueued' });
    return result;
  }

  private async decideSubmitted(
    jobId: string,
    known: Snapshot<'jobs'> | null,
    args: { queueFull: QueueFullError | null; hint: { priority: Priority } | null; position: number | null; estimatedWaitMs: number | null; head: QueueHead | null },
  ): Promise<'admitted' | 'rejected' | 'cancelled' | 'skipped'> {
    let current: { job: JobDoc; version: DocVersion } | null = known ? { job: known.data, version: known.version } : null;
    let key: Versioned<IdempotencyDoc> = { doc: null, version: null };
    let chunkProblem: string | null | undefined;
    let duration: DurationDecision | { problem: string } | undefined;
    for (let attempt = 1; ; attempt++) {
      if (!current) {
        let read;
        try {
          read = await this.ctx.store.get('jobs', jobId);
        } catch (error) {
          if (error instanceof DocumentDecodeError) return this.rejectUnreadable(jobId);
          throw error;
        }
        if (!read.doc || !read.version) return 'skipped';
        current = { job: read.doc, version: read.version };
      }
      const { job, version } = current;
      if (job.status !== 'submitted') return 'skipped';
      const submitted: SubmittedJob = { ...job, status: 'submitted', source: job.source };
      const keyId = submitted.idempotencyKey ? await idempotencyId(submitted.userId, submitted.idempotencyKey) : null;
      // Chunks are immutable: one check per job, not per attempt.
      if (chunkProblem === undefined && !job.cancelRequest) chunkProblem = await missingChunksProblem(this.ctx.store, jobId, job);
      // With every chunk there, the audio is read once to measure its duration.
      if (duration === undefined && chunkProblem === null && !this.clientJobProblem(job)) duration = await measureSubmission(this.ctx.store, this.readDuration, jobId, job);
      const measured = duration && !('problem' in duration) ? duration : null;
      const sub = measured ? withMeasuredDuration(submitted, measured) : submitted;
      const { state, now } = await this.rateLimitState(sub.userId);
      const retentionMs = this.ctx.config.retention.finishedJobsMs;
      const writes: GuardedMutation[] = [];
      let rateLimitDoc: RateLimitDoc | null = null;
      let rateLimitIndex = 0;
      let deferredUntil: number | null = null;
      const decision = ((): 'admitted' | 'rejected' | 'cancelled' => {
        const reject = (code: RejectionCode, message: string, extra: { retryAfterMs?: number; existingJobId?: string } = {}) => {
          const rejected = rejectJob(job, {
            now,
            retentionMs,
            rejection: { code, message, retryAfterMs: extra.retryAfterMs ?? null, existingJobId: extra.existingJobId ?? null },
          });
          writes.push(...guardedJobWrite(jobId, rejected, job, version));
          return 'rejected' as const;
        };
        if (job.cancelRequest) {
          writes.push(...guardedJobWrite(jobId, cancelUnheld(job, { now, by: job.cancelRequest.by, reason: job.cancelRequest.reason, retentionMs }), job, version));
          return 'cancelled';
        }
        const problem = this.clientJobProblem(job);
        if (problem) return reject('PAYLOAD_INVALID', problem);
        if (chunkProblem) return reject('PAYLOAD_INVALID', chunkProblem);
        if (duration && 'problem' in duration) return reject('PAYLOAD_INVALID', duration.problem);
        if (key.doc && key.doc.expireAt > now && key.doc.jobId !== jobId) {
          return reject('DUPLICATE', `idempotency key already used by job ${key.doc.jobId}`, { existingJobId: key.doc.jobId });
        }
        if (args.queueFull) return reject('QUEUE_FULL', args.queueFull.message, { retryAfterMs: 30_000 });
        const user = this.userDecision(state.doc, sub, state.doc?.tier ?? 'default', now, args.head);
        rateLimitDoc = user.next;
        rateLimitIndex = writes.length;
        writes.push(guarded('rateLimits', sub.userId, user.next, state.version));
        if (!user.check.ok) return reject('RATE_LIMITED', user.check.error.message, { retryAfterMs: user.check.error.retryAfterMs });
        deferredUntil = user.check.deferredUntil;
        const admitted = admitSubmission(sub, {
          now,
          rank: user.check.rank,
          maxAttempts: this.ctx.config.maxAttempts,
          tier: user.check.tier,
          model: null,
          base: job,
          shard: shardOf(jobId),
          durationCheck: measured?.check ?? null,
          deferredUntil,
        });
        // A deferred job waits like a retry: no queue position until it is queued (the browser shows its start).
        const positioned = deferredUntil === null && args.hint?.priority === job.priority && args.position !== null;
        const data = positioned ? { ...admitted, position: args.position, estimatedWaitMs: args.estimatedWaitMs, positionAt: now } : admitted;
        writes.push({ op: 'set', collection: 'jobs', id: jobId, data, guard: { ifVersion: version } });
        if (keyId && !(key.doc && key.doc.expireAt > now)) writes.push(guarded('idempotency', keyId, this.idempotencyDoc(sub, jobId, now), key.version));
        return 'admitted';
      })();
      const res = await this.ctx.store.commitIf(writes);
      if (res.ok) {
        if (rateLimitDoc) this.noteRateLimit(sub.userId, rateLimitDoc, res.versions[rateLimitIndex] ?? null);
        if (decision === 'admitted' && deferredUntil !== null) this.onDeferred(jobId, deferredUntil);
        return decision;
      }
      // Another admitter, the owner (a cancel) or an admission of the same user came first.
      this.forgetRateLimit(sub.userId);
      current = null;
      if (keyId) {
        const read = await this.ctx.store.get('idempotency', keyId);
        key = { doc: read.doc, version: read.version };
      }
      if (attempt >= MAX_OPTIMISTIC_ATTEMPTS) throw new ContentionError(attempt);
      await this.backoff(attempt);
    }
  }

  /** A submission the schema refuses: rejected in a transaction that reads it leniently. */
  private async rejectUnreadable(jobId: string): Promise<'rejected' | 'skipped'> {
    // Set by the attempt that committed (a transaction may run more than once).
    const decided: { unreadable: UnreadableRejection | null } = { unreadable: null };
    const result = await this.ctx.store.runTransaction(async (tx) => {
      decided.unreadable = null;
      const read = await tx.getLenient('jobs', jobId);
      if (read.kind !== 'undecodable' || read.raw.status !== 'submitted') return 'skipped' as const;
      // Never skipped: it would stay `submitted` for ever at the head of the admitters' query.
      decided.unreadable = rejectUnreadableInTx(this.ctx, tx, jobId, read.raw, read.error.issues);
      return 'rejected' as const;
    });
    if (decided.unreadable) reportUnreadableRejection(this.ctx, jobId, decided.unreadable);
    return result;
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


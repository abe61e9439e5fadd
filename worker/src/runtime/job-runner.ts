import type { ErrorClass } from '../schema/job.js';
import { LeaseLostError, PayloadInvalidError, isQueueError } from '../core/errors.js';
import type { FlowControl, UpstreamPermit } from '../ports/flow-control.js';
import { UpstreamError, type Transcriber } from '../ports/transcriber.js';
import type { TimerHandle } from '../ports/clock.js';
import type { EngineContext } from '../engine/context.js';
import type { ClaimedJob, JobLeases } from '../engine/job-leases.js';
import { StopReason, stopKind, type WorkerObserver } from './observer.js';

export interface RunningJob {
  id: string;
  claimed: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  // Stop waiting at once even if an adapter ignores the signal.
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/**
 * Outcome writes are retried on transient store errors (never on typed queue errors such as
 * LeaseLostError): an upstream success must not turn into a failed attempt because one
 * commit hit a network blip.
 */
async function withStoreRetry<T>(ctx: EngineContext, fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (isQueueError(error) || i >= attempts) throw error;
      ctx.log.warn({ err: error, attempt: i }, 'outcome write failed; retrying');
      await ctx.clock.sleep(200 * 2 ** (i - 1));
    }
  }
}

interface Failure {
  errorClass: ErrorClass;
  code: number | string | null;
  message: string;
  retryAfterMs: number | null;
  model: string | null;
}

function describeFailure(error: unknown, signal: AbortSignal, model: string | null): Failure {
  if (stopKind(signal) === 'timeout') {
    return { errorClass: 'timeout', code: null, message: (signal.reason as Error).message, retryAfterMs: null, model };
  }
  if (error instanceof UpstreamError) {
    return {
      errorClass: error.errorClass,
      code: error.status,
      message: error.message.slice(0, 2000),
      retryAfterMs: error.retryAfterMs,
      model: error.model ?? model,
    };
  }
  if (error instanceof PayloadInvalidError) {
    return { errorClass: 'payload', code: null, message: error.message, retryAfterMs: null, model };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { errorClass: 'unknown', code: null, message: message.slice(0, 2000), retryAfterMs: null, model };
}

/**
 * Runs one claimed job to a verdict: heartbeats, flow-control permit, payload, the upstream
 * call (aborted on cancel, lease loss, timeout or shutdown), then a fenced write of the
 * outcome. Never throws; every path ends in exactly one fenced write or a lost lease.
 */
export class JobRunner {
  constructor(
    private readonly deps: {
      ctx: EngineContext;
      leases: JobLeases;
      flow: FlowControl;
      transcriber: Transcriber;
      observer: WorkerObserver;
      /** A job went back to `waiting` until `availableAt` (store time). */
      onWaiting: (jobId: string, availableAt: number) => void;
      /** The job's upstream call is over (its permit returned); only its outcome write remains. */
      onCallDone?: (jobId: string) => void;
    },
  ) {}

  start(claimed: ClaimedJob, onSettled: (job: RunningJob) => void): RunningJob {
    const controller = new AbortController();
    const running: RunningJob = { id: claimed.id, claimed, controller, done: Promise.resolve() };
    running.done = this.process(claimed, controller)
      .catch((error: unknown) => this.deps.ctx.log.error({ jobId: claimed.id, err: error }, 'job runner crashed'))
      .finally(() => onSettled(running));
    return running;
  }

  private startHeartbeat(claimed: ClaimedJob, controller: AbortController): () => void {
    const { ctx, leases } = this.deps;
    let timer: TimerHandle | null = null;
    let expiresAt = claimed.job.lease!.expiresAt;
    const beat = async () => {
      try {
        const { job, cancelRequested } = await leases.heartbeat(claimed.id, claimed.holder);
        expiresAt = job.lease!.expiresAt;
        if (cancelRequested) controller.abort(new StopReason('cancel', 'cancel requested'));
      } catch (error) {
        if (error instanceof LeaseLostError) {
          controller.abort(new StopReason('lease_lost', error.message));
          return;
        }
        ctx.log.warn({ jobId: claimed.id, err: error }, 'heartbeat failed');
        if (ctx.store.now() >= expiresAt) controller.abort(new StopReason('lease_lost', 'lease expired while heartbeats failed'));
      }
      if (!controller.signal.aborted) schedule();
    };
    const schedule = () => {
      timer = ctx.clock.setTimer(() => void beat(), ctx.config.lease.heartbeatMs);
    };
    schedule();
    return () => timer?.cancel();
  }

  private async process(claimed: ClaimedJob, controller: AbortController): Promise<void> {
    const { ctx, leases, flow, observer } = this.deps;
    const { id, job, holder } = claimed;
    const signal = controller.signal;
    ctx.analytics?.record({ type: 'started', waitMs: Math.max(0, claimed.claimedAt - (job.admittedAt ?? job.createdAt)) });
    const stopHeartbeat = this.startHeartbeat(claimed, controller);
    let permit: UpstreamPermit | null = null;
    let timeout: TimerHandle | null = null;
    let callStarted = 0;
    try {
      // Not raced against the signal: acquire may wait for a permit and answers an abort
      // itself, and a permit granted as the abort lands must be handed back (settleFailure).
      const decision = await flow.acquire({ id, priority: job.priority, model: job.model, audioSeconds: job.audio.durationSec }, { wait: true, signal });
      if (decision.granted) permit = decision.permit;
      if (signal.aborted) throw signal.reason as Error;
      if (!decision.granted) {
        // "Not now" from flow control: back to the queue without spending the attempt.
        const released = await withStoreRetry(ctx, () => leases.release(id, holder, decision.retryAfterMs));
        if (released.status === 'waiting' && released.availableAt !== null) this.deps.onWaiting(id, released.availableAt);
        observer.finished?.(id, 'released');
        return;
      }
      permit = decision.permit;
      const audio = await raceAbort(leases.loadPayload(id, job), signal);
      timeout = ctx.clock.setTimer(
        () => controller.abort(new StopReason('timeout', `upstream call exceeded ${ctx.config.requestTimeoutMs} ms`)),
        ctx.config.requestTimeoutMs,
      );
      callStarted = ctx.clock.now();
      const output = await raceAbort(
        this.deps.transcriber.transcribe({
          jobId: id,
          model: permit.model,
          audio,
          mimeType: job.audio.mimeType,
          durationSec: job.audio.durationSec,
          signal,
          timeoutMs: ctx.config.requestTimeoutMs,
        }),
        signal,
      );
      const upstreamMs = ctx.clock.now() - callStarted;
      timeout.cancel();
      permit.complete({ ok: true, latencyMs: upstreamMs, audioSeconds: job.audio.durationSec, tokens: output.tokens });
      permit = null;
      this.deps.onCallDone?.(id);
      ctx.analytics?.record({ type: 'upstream', ok: true, latencyMs: upstreamMs, audioSeconds: job.audio.durationSec, tokens: output.tokens });
      observer.upstream?.({ ok: true, errorClass: null, latencyMs: upstreamMs, model: output.model });
      const done = await withStoreRetry(ctx, () =>
        leases.complete(id, holder, {
          transcript: output.text,
          model: output.model,
          latencyMs: Math.max(0, Math.round(ctx.store.now() - job.createdAt)),
          upstreamMs: Math.max(0, Math.round(upstreamMs)),
          audioSeconds: job.audio.durationSec,
          tokens: output.tokens,
        }),
      );
      ctx.analytics?.record({ type: 'succeeded', latencyMs: done.result?.latencyMs ?? 0 });
      observer.finished?.(id, 'succeeded');
    } catch (error) {
      await this.settleFailure(claimed, error, signal, permit, callStarted);
    } finally {
      timeout?.cancel();
      stopHeartbeat();
      leases.forget(id);
    }
  }

  private async settleFailure(
    claimed: ClaimedJob,
    error: unknown,
    signal: AbortSignal,
    permit: UpstreamPermit | null,
    callStarted: number,
  ): Promise<void> {
    const { ctx, leases, observer } = this.deps;
    const { id, holder, job } = claimed;
    const kind = stopKind(signal);
    const latencyMs = callStarted ? ctx.clock.now() - callStarted : 0;
    const failure = describeFailure(error, signal, permit?.model ?? job.model);
    const reported: ErrorClass = kind === 'cancel' || kind === 'shutdown' ? 'cancelled' : kind === 'lease_lost' ? 'lease_lost' : failure.errorClass;
    if (permit) {
      permit.complete({ ok: false, errorClass: reported, latencyMs, retryAfterMs: failure.retryAfterMs });
      this.deps.onCallDone?.(id);
      if (callStarted) {
        ctx.analytics?.record({ type: 'upstream', ok: false, latencyMs, audioSeconds: null, tokens: null });
        observer.upstream?.({ ok: false, errorClass: reported, latencyMs, model: permit.model });
      }
    }
    if (error instanceof LeaseLostError || kind === 'lease_lost') {
      observer.leaseLost?.(id, error instanceof Error ? error.message : 'lease lost');
      observer.finished?.(id, 'lease_lost');
      ctx.log.warn({ jobId: id, token: holder.token }, 'lease lost; result discarded');
      return;
    }
    try {
      if (kind === 'cancel') {
        await withStoreRetry(ctx, () => leases.cancel(id, holder));
        ctx.analytics?.record({ type: 'cancelled' });
        observer.finished?.(id, 'cancelled');
        return;
      }
      if (kind === 'shutdown') {
        await withStoreRetry(ctx, () => leases.release(id, holder));
        observer.finished?.(id, 'released');
        return;
      }
      ctx.analytics?.record({ type: 'attempt_failed', errorClass: failure.errorClass });
      const next = await withStoreRetry(ctx, () => leases.fail(id, holder, failure, { isProbe: permit?.isProbe ?? false }));
      ctx.log.info({ jobId: id, errorClass: failure.errorClass, charge: next.errors.at(-1)?.charge ?? null, status: next.status, attempts: next.attempts }, 'attempt failed');
      if (next.status === 'waiting' && next.availableAt !== null) {
        ctx.analytics?.record({ type: 'retried' });
        this.deps.onWaiting(id, next.availableAt);
      } else if (next.status === 'dead_lettered') {
        ctx.analytics?.record({ type: 'dead_lettered' });
      } else if (next.status === 'failed') {
        ctx.analytics?.record({ type: 'failed' });
      }
      observer.finished?.(id, next.status);
    } catch (writeError) {
      if (writeError instanceof LeaseLostError) {
        observer.leaseLost?.(id, writeError.message);
        observer.finished?.(id, 'lease_lost');
        ctx.log.warn({ jobId: id, err: writeError }, 'lease lost before the outcome could be written');
        return;
      }
      throw writeError;
    }
  }
}


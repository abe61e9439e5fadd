import type { ErrorClass } from '../schema/job.js';
import { UpstreamError, type Transcriber } from '../ports/transcriber.js';
import type { KitServer } from './test-kit.js';

/**
 * Drives one kit server like the worker loop would, without the job store: take work while
 * `claimBudget` allows, ask for a permit, call the transcriber, report the outcome, put a
 * failed or refused job back after its retry delay. Used by the in-process fleet tests and
 * the flow benchmark to measure goodput and wasted calls against the fake Gemini.
 */
export class JobPool {
  private ready: string[] = [];
  private readonly waiting = new Set<ReturnType<typeof setTimeout>>();
  private doneCount = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly total: number) {
    this.ready = Array.from({ length: total }, (_, i) => `job-${i}`);
  }

  take(): string | null {
    return this.ready.shift() ?? null;
  }

  giveBack(id: string, afterMs: number): void {
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      this.ready.push(id);
      for (const l of this.listeners) l();
    }, Math.max(0, afterMs));
    this.waiting.add(timer);
  }

  finish(): void {
    this.doneCount += 1;
  }

  get done(): number {
    return this.doneCount;
  }

  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const t of this.waiting) clearTimeout(t);
    this.waiting.clear();
  }
}

export interface DriverStats {
  successes: number;
  failures: Partial<Record<ErrorClass, number>>;
  /** Permits refused by flow control (no upstream call made). */
  refusals: number;
  /** Sum of the upstream latency of successful calls (ms): busy time of useful work. */
  usefulMs: number;
  maxInFlight: number;
}

export class CallDriver {
  readonly stats: DriverStats = { successes: 0, failures: {}, refusals: 0, usefulMs: 0, maxInFlight: 0 };
  private running = false;
  private readonly unsubscribe: (() => void)[] = [];
  private safety: ReturnType<typeof setInterval> | null = null;
  private readonly calls = new Set<Promise<void>>();

  constructor(
    private readonly server: KitServer,
    private readonly pool: JobPool,
    private readonly transcriber: Transcriber,
    private readonly audio: { bytes: Uint8Array; seconds: number },
    private readonly options: { timeoutMs: number; retryBaseMs: number; random: () => number },
  ) {}

  start(): void {
    this.running = true;
    this.unsubscribe.push(this.server.flow.onChange(() => this.pump()));
    this.unsubscribe.push(this.pool.onAvailable(() => this.pump()));
    // The real worker has listeners plus a sweep; a short safety pump plays the sweep.
    this.safety = setInterval(() => this.pump(), 200);
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unsubscribe) u();
    if (this.safety) clearInterval(this.safety);
    await Promise.allSettled([...this.calls]);
  }

  private pump(): void {
    if (!this.running) return;
    const budget = this.server.flow.claimBudget(this.server.inFlight);
    for (let i = 0; i < budget.slots; i++) {
      const id = this.pool.take();
      if (id === null) return;
      const p = this.run(id);
      this.calls.add(p);
      void p.finally(() => this.calls.delete(p));
    }
  }

  private backoff(retryAfterMs: number | null): number {
    const jitter = this.options.retryBaseMs * (1 + this.options.random());
    return Math.max(retryAfterMs ?? 0, jitter);
  }

  private async run(id: string): Promise<void> {
    const server = this.server;
    server.inFlight += 1;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, server.inFlight);
    try {
      const decision = await server.flow.acquire({ id, priority: 'normal', model: null, audioSeconds: this.audio.seconds });
      if (!decision.granted) {
        this.stats.refusals += 1;
        this.pool.giveBack(id, decision.retryAfterMs);
        return;
      }
      const started = performance.now();
      try {
        const out = await this.transcriber.transcribe({
          jobId: id,
          model: decision.permit.model,
          audio: this.audio.bytes,
          mimeType: 'audio/wav',
          durationSec: this.audio.seconds,
          signal: new AbortController().signal,
          timeoutMs: this.options.timeoutMs,
        });
        const latencyMs = performance.now() - started;
        decision.permit.complete({ ok: true, latencyMs, audioSeconds: this.audio.seconds, tokens: out.tokens });
        this.stats.successes += 1;
        this.stats.usefulMs += latencyMs;
        this.pool.finish();
      } catch (error) {
        const e = error instanceof UpstreamError ? error : new UpstreamError({ errorClass: 'unknown', message: String(error) });
        decision.permit.complete({ ok: false, errorClass: e.errorClass, latencyMs: performance.now() - started, retryAfterMs: e.retryAfterMs });
        this.stats.failures[e.errorClass] = (this.stats.failures[e.errorClass] ?? 0) + 1;
        this.pool.giveBack(id, this.backoff(e.retryAfterMs));
      }
    } finally {
      server.inFlight -= 1;
      this.pump();
    }
  }
}

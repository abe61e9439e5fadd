import type { Clock } from '../ports/clock.js';
import { UpstreamError, type Transcriber, type TranscriptionOutput, type TranscriptionRequest } from '../ports/transcriber.js';

export type FakeBehaviour =
  | { kind: 'ok'; delayMs?: number; text?: string }
  | { kind: 'error'; delayMs?: number; error: UpstreamError }
  /** Never answers until aborted (for cancel / shutdown / lease-loss tests). */
  | { kind: 'hang' };

/**
 * An in-process Transcriber for unit tests: per-call behaviour, delays on the injected
 * clock, honours the AbortSignal like a real HTTP client, and counts calls per job.
 */
export class FakeTranscriber implements Transcriber {
  readonly calls: { jobId: string; model: string; bytes: number }[] = [];
  readonly aborted: { jobId: string; reason: unknown }[] = [];
  private inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly clock: Clock,
    private readonly behaviour: (request: TranscriptionRequest, callIndexForJob: number) => FakeBehaviour = () => ({ kind: 'ok', delayMs: 100 }),
  ) {}

  callsFor(jobId: string): number {
    return this.calls.filter((c) => c.jobId === jobId).length;
  }

  async transcribe(request: TranscriptionRequest): Promise<TranscriptionOutput> {
    const index = this.callsFor(request.jobId);
    this.calls.push({ jobId: request.jobId, model: request.model, bytes: request.audio.length });
    const b = this.behaviour(request, index);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (b.kind === 'hang') {
        await new Promise<never>((_, reject) => {
          const onAbort = () => reject(request.signal.reason as Error);
          if (request.signal.aborted) onAbort();
          request.signal.addEventListener('abort', onAbort, { once: true });
        });
      }
      if (b.kind !== 'hang' && b.delayMs) await this.clock.sleep(b.delayMs, request.signal);
      if (b.kind === 'error') throw b.error;
      return { text: (b.kind === 'ok' && b.text) || `transcript of ${request.jobId}`, model: request.model, tokens: 32 };
    } catch (error) {
      if (request.signal.aborted) this.aborted.push({ jobId: request.jobId, reason: request.signal.reason });
      throw error;
    } finally {
      this.inFlight -= 1;
    }
  }
}

export const overloaded = (retryAfterMs: number | null = null) =>
  new UpstreamError({ errorClass: 'overloaded', status: 503, message: 'The model is overloaded. Please try again later.', retryAfterMs });

export const serverError = (retryAfterMs: number | null = null) =>
  new UpstreamError({ errorClass: 'server', status: 500, message: 'Internal error encountered.', retryAfterMs });

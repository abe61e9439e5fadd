import type { ErrorClass } from '../schema/job.js';

/** One upstream transcription call. Adapters: Gemini (@google/genai), fakes in tests. */
export interface TranscriptionRequest {
  jobId: string;
  model: string;
  audio: Uint8Array;
  mimeType: string;
  durationSec: number | null;
  /** Aborted on cancel, lease loss, timeout or shutdown; adapters must stop the HTTP request. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface TranscriptionOutput {
  text: string;
  model: string;
  /** Total tokens reported by the upstream, when it reports them. */
  tokens: number | null;
}

export interface Transcriber {
  /** Resolves with the transcript or rejects with an `UpstreamError`. */
  transcribe(request: TranscriptionRequest): Promise<TranscriptionOutput>;
}

/**
 * Every upstream failure is normalised to this one type so retry policy, the breaker and the
 * adaptive limiter reason about error classes, not about SDK-specific exceptions.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly errorClass: ErrorClass;
  /** HTTP status when there was a response. */
  readonly status: number | null;
  /** Delay the upstream asked for (Retry-After header or RetryInfo.retryDelay). */
  readonly retryAfterMs: number | null;
  readonly model: string | null;

  constructor(args: {
    errorClass: ErrorClass;
    message: string;
    status?: number | null;
    retryAfterMs?: number | null;
    model?: string | null;
    cause?: unknown;
  }) {
    super(args.message, args.cause === undefined ? undefined : { cause: args.cause });
    this.errorClass = args.errorClass;
    this.status = args.status ?? null;
    this.retryAfterMs = args.retryAfterMs ?? null;
    this.model = args.model ?? null;
  }
}

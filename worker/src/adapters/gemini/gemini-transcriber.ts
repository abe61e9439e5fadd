import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import type { TranscriptionOutput, TranscriptionRequest, Transcriber } from '../../ports/transcriber.js';
import { UpstreamError } from '../../ports/transcriber.js';
import type { WorkerConfig } from '../../schema/config.js';
import { parseRetryAfterHeader, toUpstreamError } from './error-mapping.js';

/**
 * Transcriber on the real `@google/genai` SDK. One `generateContent` call per job with the
 * audio inline; the SDK's own retries stay off (retry policy belongs to the queue, which
 * honours retryDelay and Retry-After). A per-call `httpOptions.fetch` wrapper is the only way
 * to see response headers such as Retry-After, which the SDK otherwise drops.
 */
export interface GeminiTranscriberOptions {
  /** Defaults to env GEMINI_API_KEY (then GOOGLE_API_KEY). */
  apiKey?: string;
  /** A fake or proxy; defaults to env GOOGLE_GEMINI_BASE_URL, else Google's endpoint. */
  baseUrl?: string | null;
  apiVersion?: string;
  prompt?: string;
  /** The fetch under the wrapper (tests); defaults to the global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
}

export const DEFAULT_TRANSCRIPTION_PROMPT =
  'Transcribe this audio verbatim. Return only the transcript text, without commentary, labels or timestamps.';

export class GeminiConfigError extends Error {
  override readonly name = 'GeminiConfigError';
}

/** Finish reasons that mean "this input will never give a usable transcript". */
const UNUSABLE_FINISH = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'LANGUAGE', 'MAX_TOKENS']);

export class GeminiTranscriber implements Transcriber {
  private readonly client: GoogleGenAI;
  private readonly prompt: string;
  private readonly baseFetch: typeof fetch;
  private readonly now: () => number;

  constructor(options: GeminiTranscriberOptions = {}) {
    const apiKey = options.apiKey ?? process.env.GEMINI_API_KEY ?? process.env.GOOGLE_API_KEY;
    if (!apiKey) {
      throw new GeminiConfigError('no Gemini API key: set GEMINI_API_KEY (or pass apiKey)');
    }
    const baseUrl = options.baseUrl ?? process.env.GOOGLE_GEMINI_BASE_URL ?? undefined;
    this.client = new GoogleGenAI({
      apiKey,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      httpOptions: baseUrl ? { baseUrl } : {},
    });
    this.prompt = options.prompt ?? DEFAULT_TRANSCRIPTION_PROMPT;
    this.baseFetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  async transcribe(request: TranscriptionRequest): Promise<TranscriptionOutput> {
    const { model, timeoutMs } = request;
    if (request.signal.aborted) {
      throw new UpstreamError({ errorClass: 'cancelled', message: 'Gemini call aborted before it started', model });
    }
    const controller = new AbortController();
    let abortReason: 'timeout' | 'cancelled' | null = null;
    const onCallerAbort = (): void => {
      abortReason ??= 'cancelled';
      controller.abort();
    };
    request.signal.addEventListener('abort', onCallerAbort, { once: true });
    const timer = setTimeout(() => {
      abortReason ??= 'timeout';
      controller.abort();
    }, timeoutMs);
    let retryAfterHeaderMs: number | null = null;
    const baseFetch = this.baseFetch;
    const now = this.now;
    const watchingFetch: typeof fetch = async (input, init) => {
      const response = await baseFetch(input, init);
      if (!response.ok) retryAfterHeaderMs = parseRetryAfterHeader(response.headers.get('retry-after'), now());
      return response;
    };

    try {
      const response = await this.client.models.generateContent({
        model,
        contents: [
          {
            role: 'user',
            parts: [
              { text: this.prompt },
              { inlineData: { mimeType: request.mimeType, data: Buffer.from(request.audio).toString('base64') } },
            ],
          },
        ],
        config: {
          temperature: 0,
          abortSignal: controller.signal,
          httpOptions: { fetch: watchingFetch },
        },
      });
      return this.toOutput(response, model);
    } catch (error) {
      throw toUpstreamError(error, { model, abortReason, timeoutMs, retryAfterHeaderMs });
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onCallerAbort);
    }
  }

  private toOutput(response: GenerateContentResponse, model: string): TranscriptionOutput {
    const blocked = response.promptFeedback?.blockReason;
    if (blocked) {
      throw new UpstreamError({ errorClass: 'invalid', message: `Gemini refused the audio (prompt blocked: ${blocked})`, status: 200, model });
    }
    const candidate = response.candidates?.[0];
    const finish = candidate?.finishReason;
    if (finish && UNUSABLE_FINISH.has(finish)) {
      throw new UpstreamError({
        errorClass: 'invalid',
        message: finish === 'MAX_TOKENS'
          ? 'Gemini stopped at the output token limit; the transcript would be truncated'
          : `Gemini stopped without a usable transcript (finishReason ${finish})`,
        status: 200,
        model,
      });
    }
    if (!candidate) {
      throw new UpstreamError({ errorClass: 'server', message: 'Gemini answered without any candidate', status: 200, model });
    }
    return {
      text: (response.text ?? '').trim(),
      model: response.modelVersion ?? model,
      tokens: response.usageMetadata?.totalTokenCount ?? null,
    };
  }
}

/** The adapter as configured by the worker config (`upstream.prompt`, `upstream.baseUrl`). */
export function createGeminiTranscriber(
  config: Pick<WorkerConfig, 'upstream'>,
  overrides: GeminiTranscriberOptions = {},
): GeminiTranscriber {
  return new GeminiTranscriber({
    prompt: config.upstream.prompt,
    ...(config.upstream.baseUrl ? { baseUrl: config.upstream.baseUrl } : {}),
    ...overrides,
  });
}

import { ApiError, GoogleGenAI } from '@google/genai';
import { DEFAULT_TRANSCRIPTION_PROMPT } from '@fq/worker';
import type { BenchJob } from '../lib/job-set.js';

/**
 * What the seed's users had before the queue: every server calls Gemini directly with the
 * real SDK, a fixed number of calls in flight, and retries every failure blindly with
 * exponential backoff (no jitter, RetryInfo and Retry-After ignored, no shared view of the
 * upstream). Same jobs, same fake, same model and prompt as the fleet.
 */
export interface NaiveRetryPolicy {
  concurrency: number;
  maxAttempts: number;
  baseMs: number;
  multiplier: number;
  maxMs: number;
}

export const DEFAULT_NAIVE_POLICY: NaiveRetryPolicy = { concurrency: 24, maxAttempts: 10, baseMs: 1_000, multiplier: 2, maxMs: 30_000 };

export interface NaiveResult {
  policy: NaiveRetryPolicy;
  jobs: number;
  succeeded: number;
  /** Jobs that ran out of attempts (their users saw an error). */
  failed: number;
  /** Calls the baseline made (its own count; the fake's count is the one compared). */
  calls: number;
  drainMs: number;
  /** Per job: start of the run (all jobs handed over at once) to its success, ms. */
  completionMs: number[];
}

/** Backoff before attempt `attempt + 1` (attempt counts from 1). */
export function naiveBackoffMs(policy: NaiveRetryPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.baseMs * policy.multiplier ** (attempt - 1));
}

export async function runNaiveBaseline(options: {
  upstreamUrl: string;
  jobs: readonly BenchJob[];
  model: string;
  policy?: Partial<NaiveRetryPolicy>;
}): Promise<NaiveResult> {
  const policy = { ...DEFAULT_NAIVE_POLICY, ...options.policy };
  const ai = new GoogleGenAI({ apiKey: 'bench-naive-key', httpOptions: { baseUrl: options.upstreamUrl } });
  let calls = 0;
  let succeeded = 0;
  let failed = 0;
  const completionMs: number[] = [];
  const started = Date.now();
  const transcribe = async (job: BenchJob): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      calls += 1;
      try {
        await ai.models.generateContent({
          model: options.model,
          contents: [
            {
              role: 'user',
              parts: [{ text: DEFAULT_TRANSCRIPTION_PROMPT }, { inlineData: { mimeType: 'audio/wav', data: Buffer.from(job.audio).toString('base64') } }],
            },
          ],
          config: { temperature: 0 },
        });
        succeeded += 1;
        completionMs.push(Date.now() - started);
        return;
      } catch (error) {
        if (!(error instanceof ApiError) && !(error instanceof TypeError)) throw error;
        if (attempt >= policy.maxAttempts) {
          failed += 1;
          return;
        }
        await new Promise((r) => setTimeout(r, naiveBackoffMs(policy, attempt)));
      }
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: policy.concurrency }, async () => {
      while (next < options.jobs.length) await transcribe(options.jobs[next++]!);
    }),
  );
  return { policy, jobs: options.jobs.length, succeeded, failed, calls, drainMs: Date.now() - started, completionMs };
}

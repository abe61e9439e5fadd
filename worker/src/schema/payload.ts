import { z } from 'zod';
import { bytesValue } from './bytes.js';
import { timestampMs } from './time.js';

/**
 * Audio never lives in job documents: listeners on jobs would ship it around and the 1 MiB
 * document limit would cap it. It is split into chunk documents written in the same atomic
 * batch as the job, and deleted after the job reaches a terminal state.
 */
export const PAYLOAD_LIMITS = {
  /** Raw bytes per chunk; leaves headroom under Firestore's 1 MiB document limit. */
  chunkBytes: 768 * 1024,
  /**
   * Whole audio. All chunks plus the job must fit one commit (10 MiB request limit), and
   * Gemini accepts inline audio up to about 20 MB per request.
   */
  maxAudioBytes: 8 * 1024 * 1024,
} as const;

/** `transcription_payloads/{jobId}_{index}` */
export const payloadChunkDocSchema = z.object({
  jobId: z.string().min(1),
  userId: z.string().min(1).max(128),
  index: z.number().int().nonnegative(),
  count: z.number().int().positive(),
  data: bytesValue,
  createdAt: timestampMs,
});
export type PayloadChunkDoc = z.infer<typeof payloadChunkDocSchema>;

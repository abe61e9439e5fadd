import { z } from 'zod';
import { bytesValue } from './bytes.js';
import { timestampMs } from './time.js';

/** Firestore's limits that bound a submission (same on real Firestore and in every SDK). */
export const FIRESTORE_LIMITS = {
  /** Maximum size of one API request, e.g. the commit that carries a whole submission. */
  maxRequestBytes: 10 * 1024 * 1024,
  /** Maximum size of one document (name + fields + 32 bytes, Firestore's storage-size rules). */
  maxDocumentBytes: 1024 * 1024,
} as const;

/** Length of the base64 text of `n` bytes (what JSON transports send for a bytes value). */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/**
 * Audio never lives in job documents: listeners on jobs would ship it around and the 1 MiB
 * document limit would cap it. It is split into chunk documents written in the same atomic
 * batch as the job, and deleted after the job reaches a terminal state.
 *
 * Why 7 MiB. The whole submission (job + every chunk) is ONE commit, and a commit is at
 * most 10 MiB (10,485,760 bytes). Servers send it over gRPC, where bytes travel raw; the
 * browser's web SDK sends it as proto3 JSON (WebChannel Write stream, or REST `:commit`),
 * where every bytes value becomes base64 text, 4/3 of its size. 8 MiB of audio is
 * 11,184,812 bytes of base64 alone: over the limit before the job document is counted.
 * At 7 MiB (7,340,032 bytes = 9 full chunks of 768 KiB + one of 256 KiB) the base64 text
 * is 9 x 1,048,576 + 349,528 = 9,786,712 bytes, which leaves 699,048 bytes (682 KiB) for
 * the job document, ten document names, field names, the server-time transforms and JSON
 * syntax. The largest job document the schema and rules allow (128-character ids, 32
 * metadata values of 1,024 characters that each JSON-escape to 6 bytes, 64-character
 * collection prefix and database id) takes 209,372 bytes of it: the worst-case browser
 * commit is 9,996,084 bytes, 489,676 bytes (478 KiB) under the limit. `payload.test.ts`
 * builds that worst case and checks the encoded request size on both transports.
 * Keep `firestore.rules` (`validAudio`: bytes <= 7340032) in step with this value.
 */
export const PAYLOAD_LIMITS = {
  /** Raw bytes per chunk; leaves headroom under Firestore's 1 MiB document limit. */
  chunkBytes: 768 * 1024,
  /** Whole audio (Gemini also accepts inline audio only up to about 20 MB per request). */
  maxAudioBytes: 7 * 1024 * 1024,
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

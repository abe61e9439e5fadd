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
 * Where a job's audio lives. Small audio travels INLINE in the job document (`inlineAudio`,
 * with `audio.chunkCount` 0); anything larger is split into chunk documents
 * (`transcription_payloads/{jobId}_{index}`) written in the same atomic batch as the job.
 * Either way the audio is dropped when the job reaches a state that no longer needs it
 * (succeeded, cancelled, rejected): chunks are deleted in the same commit, inline bytes are
 * left out of that same job write, so it costs nothing extra.
 *
 * Why inline at all: a job whose audio is in one chunk pays 3 billed operations for it (the
 * chunk's write, its read by the worker, its delete), nearly half the 8 a finished job may
 * cost (issue 14). Inline, the audio rides on writes and reads of the job that happen anyway.
 *
 * Why only small audio: every listener of a job (the claim shards' workers, the holder, the
 * console's tables, the end-user hook) receives the whole document again on every write to
 * it (admission, position refreshes, claim, heartbeats), and Firestore can neither project a
 * listener nor send a diff. Large audio in the job would be shipped many times over, and the
 * 1 MiB document limit would cap it. The threshold is a deployment choice
 * (`payload.inlineMaxBytes`, 64 KiB by default, 0 turns inlining off; see `schema/config.ts`)
 * bounded by `maxInlineBytes` below, so the job document stays under 1 MiB with everything
 * else it may carry (see `payload.test.ts`). Browser submissions always use chunks: the
 * rules only let a client write the chunk form.
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
  /**
   * Ceiling of `payload.inlineMaxBytes`: the most audio a job document may carry inline.
   * The largest job that still holds its audio (a dead letter: 32 metadata values of 1,024
   * four-byte characters, 25 errors of 2,000 three-byte characters, the longest ids) stores
   * 297,645 bytes without it and 559,788 with 256 KiB inline, far under Firestore's 1 MiB
   * document limit (`payload.test.ts` builds it). A
   * succeeded job's transcript (up to 900,000 characters) never meets inline audio: the
   * completion write that stores it is the one that drops the audio.
   */
  maxInlineBytes: 256 * 1024,
  /** Default of `payload.inlineMaxBytes` (the reasons are in `schema/config.ts`). */
  defaultInlineBytes: 64 * 1024,
} as const;

/**
 * The job's inline audio (`JobDoc.inlineAudio`): raw bytes, at most `maxInlineBytes`. Absent
 * when the audio is in chunk documents, null once a terminal state released it.
 */
export const inlineAudioValue = bytesValue.refine((b) => b.length > 0 && b.length <= PAYLOAD_LIMITS.maxInlineBytes, {
  message: `inline audio must be 1 to ${PAYLOAD_LIMITS.maxInlineBytes} bytes`,
});

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

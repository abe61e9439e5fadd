import { z } from 'zod';
import { timestampMs } from './time.js';

/**
 * `transcription_idempotency/{sha256(userId + key)}`: created in the admission transaction,
 * so two submissions with the same key can never both be admitted.
 */
export const idempotencyDocSchema = z.object({
  userId: z.string(),
  key: z.string(),
  jobId: z.string(),
  createdAt: timestampMs,
  expireAt: timestampMs,
});
export type IdempotencyDoc = z.infer<typeof idempotencyDocSchema>;

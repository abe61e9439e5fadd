import { z } from 'zod';
import { durationMs, timestampMs } from './time.js';
import { maxChars, wellFormedString } from './text.js';
import { controlAuditSchema } from './control-audit.js';
import { audioDurationSec, durationCheckSchema } from './audio-duration.js';
import { inlineAudioValue } from './payload.js';

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;

/**
 * Job lifecycle. The engine is the only writer of status transitions; clients write
 * `submitted` jobs and cancel requests, admins write control requests.
 *
 *   submitted --admit--> queued --claim--> running --ok--> succeeded
 *       |                  ^  ^              |  |
 *       +--> rejected      |  +--retry due-- waiting <--retryable error (attempts left)
 *                          |                    |
 *   redrive/retry ---------+   dead_lettered <--+-- attempts exhausted
 *                                  failed <--------- permanent error (400 invalid ...)
 *   any non-terminal --cancel--> cancelled
 *   submitted --admit, over the rate limit (deferred)--> waiting (deferredUntil), then as above
 */
export const JOB_STATUSES = [
  'submitted',
  'queued',
  'waiting',
  'running',
  'succeeded',
  'failed',
  'dead_lettered',
  'cancelled',
  'rejected',
] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const TERMINAL_STATUSES: readonly JobStatus[] = [
  'succeeded',
  'failed',
  'dead_lettered',
  'cancelled',
  'rejected',
];
export const ACTIVE_STATUSES: readonly JobStatus[] = ['submitted', 'queued', 'waiting', 'running'];

/**
 * Upstream error classes. Each decides retry policy and feeds the breaker with its own
 * threshold: overload (503) and quota (429) are the reasons this product exists.
 */
export const ERROR_CLASSES = [
  'overloaded', // 503 UNAVAILABLE "The model is overloaded"
  'quota', // 429 RESOURCE_EXHAUSTED, usually with RetryInfo.retryDelay
  'timeout', // our deadline or upstream 504 DEADLINE_EXCEEDED
  'network', // connection reset/refused, DNS, socket hang-up
  'server', // other 5xx
  'invalid', // 400 INVALID_ARGUMENT: permanent, never retried
  'unauthorized', // 401/403: permanent until an operator fixes credentials
  'payload', // audio payload missing/corrupt: permanent
  'cancelled', // aborted because a cancel was requested
  'lease_lost', // the worker lost its lease (fencing token moved on)
  'unknown',
] as const;
export const errorClassSchema = z.enum(ERROR_CLASSES);
export type ErrorClass = z.infer<typeof errorClassSchema>;

export const jobErrorSchema = z.object({
  at: timestampMs,
  attempt: z.number().int().nonnegative(),
  errorClass: errorClassSchema,
  /** HTTP status or provider code when known. */
  code: z.union([z.number(), z.string()]).nullable().default(null),
  message: z.string().max(2000),
  /** Delay the upstream asked for (Retry-After / RetryInfo.retryDelay). */
  retryAfterMs: durationMs.nullable().default(null),
  serverId: z.string().nullable().default(null),
  model: z.string().nullable().default(null),
  /**
   * What the attempt was charged to (see `core/jobs/retry-policy`): one of the job's attempts,
   * its busy budget (overloaded/quota answers), or nothing (a failed breaker probe). Absent on
   * entries written before charges existed: those were attempts.
   */
  charge: z.enum(['attempt', 'busy', 'probe']).optional(),
  /**
   * The attempt's lease, recorded by the state machine when the attempt ends (the job page's
   * timeline): when it was claimed, its fencing token, and its last renewal. Absent on
   * entries written before attempts recorded them, and on a reclaim of a job with no lease.
   */
  startedAt: timestampMs.optional(),
  leaseToken: z.number().int().positive().optional(),
  renewedAt: timestampMs.optional(),
});
export type JobError = z.infer<typeof jobErrorSchema>;

/** Keep only the most recent error records in the job document (bounded document size). */
export const MAX_ERROR_HISTORY = 25;

export const metadataValueSchema = z.union([wellFormedString().refine(...maxChars(1024)), z.number().finite(), z.boolean(), z.null()], {
  error: 'must be a string of at most 1,024 characters, a finite number, a boolean or null',
});
export const jobMetadataSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/)
      // Firestore reserves field names matching __.*__ and refuses to store them.
      .refine((k) => !/^__.*__$/.test(k), 'metadata keys matching __.*__ are reserved by Firestore'),
    metadataValueSchema,
  )
  .refine((m) => Object.keys(m).length <= 32, 'metadata may have at most 32 keys');

export const ALLOWED_AUDIO_MIME_TYPES = [
  'audio/wav',
  'audio/x-wav',
  'audio/mpeg',
  'audio/mp3',
  'audio/aac',
  'audio/ogg',
  'audio/flac',
  'audio/webm',
  'audio/mp4',
  'audio/aiff',
] as const;

/** Most audio chunks one job may have (7 MiB in 768 KiB chunks needs 10; generous headroom). */
export const MAX_AUDIO_CHUNKS = 64;

export const audioDescriptorSchema = z.object({
  mimeType: z.enum(ALLOWED_AUDIO_MIME_TYPES),
  bytes: z.number().int().positive(),
  /**
   * Chunk documents holding the audio; 0 when it travels inline in the job document
   * (`inlineAudio`, server submissions up to `payload.inlineMaxBytes`; see schema/payload).
   */
  chunkCount: z.number().int().nonnegative().max(MAX_AUDIO_CHUNKS),
  /**
   * Duration in seconds; drives fair share and token budgeting (~32 tokens per audio second).
   * Declared by the submitter, then replaced at admission by what the worker measured when
   * the two disagree (`durationCheck`). At most 24 h, as the rules allow.
   */
  durationSec: audioDurationSec.nullable().default(null),
  /** Hex sha256 of the whole audio, checked when the payload is reassembled. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable().default(null),
});
export type AudioDescriptor = z.infer<typeof audioDescriptorSchema>;

export const leaseSchema = z.object({
  owner: z.string().min(1),
  /** Fencing token: equals the job's `fence` at claim time; every write by the holder checks it. */
  token: z.number().int().positive(),
  acquiredAt: timestampMs,
  expiresAt: timestampMs,
  heartbeatAt: timestampMs,
});
export type Lease = z.infer<typeof leaseSchema>;

export const cancelRequestSchema = z.object({
  at: timestampMs,
  by: z.string().min(1),
  reason: z.string().refine(...maxChars(500)).nullable().default(null),
});

export const jobResultSchema = z.object({
  transcript: z.string().max(900_000),
  model: z.string(),
  /** Enqueue to completion. */
  latencyMs: durationMs,
  /** Time spent in the successful upstream call. */
  upstreamMs: durationMs,
  audioSeconds: z.number().nonnegative().nullable().default(null),
  tokens: z.number().int().nonnegative().nullable().default(null),
  /**
   * The successful attempt's server and start (its lease's owner and claim time), recorded by
   * the state machine at completion. Absent on results written before it did.
   */
  serverId: z.string().optional(),
  startedAt: timestampMs.optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

export const REJECTION_CODES = [
  'RATE_LIMITED',
  'QUEUE_FULL',
  'INVALID_JOB',
  'PAYLOAD_INVALID',
  'DUPLICATE',
  'PAUSED',
] as const;
export const rejectionCodeSchema = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof rejectionCodeSchema>;

export const rejectionSchema = z.object({
  code: rejectionCodeSchema,
  message: z.string(),
  retryAfterMs: durationMs.nullable().default(null),
  /** For DUPLICATE: the job that already carries this idempotency key. */
  existingJobId: z.string().nullable().default(null),
});

export const jobSourceSchema = z.enum(['server', 'client']);

/**
 * The submitter's e-mail as their sign-in token states it (Firebase Auth's `email` claim), so
 * an operator can find a user's jobs by it. A browser writes it from its token and the rules
 * refuse any other value (null: the account has none); a server caller may pass it to
 * enqueue. 320 characters: the longest address RFC 5321 allows.
 */
export const userEmailSchema = z.string().min(1).max(320);
/** The e-mail lowercased: the console's search is an equality query on it (case-insensitive). */
export function emailSearchKey(email: string): string {
  return email.toLowerCase();
}
/** `transcription_queue/{jobId}` */
export const jobDocSchema = z.object({
  status: jobStatusSchema,
  priority: prioritySchema,
  userId: z.string().min(1).max(128),
  /**
   * See `userEmailSchema`, with `userEmailLower` its lowercased copy (the search key). Absent on
   * jobs submitted before e-mails were recorded and on submissions that did not state one.
   */
  userEmail: userEmailSchema.nullable().optional(),
  userEmailLower: userEmailSchema.nullable().optional(),
  sessionId: z.string().refine(...maxChars(128)).nullable().default(null),
  idempotencyKey: z.string().min(1).refine(...maxChars(256)).nullable().default(null),
  metadata: jobMetadataSchema.default({}),
  audio: audioDescriptorSchema,
  /** How admission measured the audio's duration against the declared one (null: before it did). */
  durationCheck: durationCheckSchema.nullable().default(null),
  /**
   * The audio itself when it is small (`audio.chunkCount` 0): no chunk document to write,
   * read and delete. Absent for chunked audio, so a chunked job's document keeps the shape it
   * always had. Null once the job no longer needs it: the write that makes it succeeded,
   * cancelled or rejected sets it to null (written, not left out: a guarded write replaces
   * only the fields it carries), as chunks are deleted in that commit; failed and
   * dead-lettered jobs keep it for retry and redrive. Readers that only show a job (the
   * console) drop it after decoding.
   */
  inlineAudio: inlineAudioValue.nullable().optional(),
  /** Model requested by the caller; null = the worker's configured primary model. */
  model: z.string().max(128).nullable().default(null),
  source: jobSourceSchema,
  /** Tier used for per-user limits and fair-share weight. */
  tier: z.string().max(64).default('default'),

  createdAt: timestampMs,
  updatedAt: timestampMs,
  admittedAt: timestampMs.nullable().default(null),
  /**
   * Scheduling key: admission time + the priority's aging offset. Workers claim in ascending
   * rank, so priority wins while a job is young, and age wins after the offset: low priority
   * never starves. See `core/priority`.
   */
  rank: z.number().finite().nullable().default(null),
  /**
   * Claim shard (0..JOB_SHARDS-1, from the job id): an idle worker listens only to the shards
   * it is among the first few for (`core/coordination/rendezvous`), so a new job is read by
   * that few, not by every worker. Null for jobs written before shards existed.
   */
  shard: z.number().int().min(0).max(63).nullable().default(null),
  /** `waiting` jobs become claimable at this time (retry backoff, or a rate-limit deferral). */
  availableAt: timestampMs.nullable().default(null),
  /**
   * The start admission booked because the user was over their rate limit
   * (`rateLimiting.whenExceeded: 'defer'`, see `core/flow-policy/rate-limit`): the job was admitted
   * `waiting` with availableAt = deferredUntil and no attempt spent, and is promoted like a
   * retry. It stays afterwards, the record of why the job waited. Absent on jobs admitted to
   * run at once.
   */
  deferredUntil: timestampMs.nullable().optional(),

  attempts: z.number().int().nonnegative().default(0),
  maxAttempts: z.number().int().positive(),
  /**
   * Start of the job's current run of busy answers (overloaded/quota) and their number: busy
   * answers spend this time budget (`busyBudgetMs`), not attempts. Null/0 outside such a run.
   */
  busySince: timestampMs.nullable().default(null),
  busyAnswers: z.number().int().nonnegative().default(0),
  /** Monotonic fencing counter, incremented on every claim. */
  fence: z.number().int().nonnegative().default(0),
  lease: leaseSchema.nullable().default(null),
  firstStartedAt: timestampMs.nullable().default(null),
  lastStartedAt: timestampMs.nullable().default(null),
  /** Progress reported by the holder (0..1), fenced like every holder write. */
  progress: z.number().min(0).max(1).nullable().default(null),

  cancelRequest: cancelRequestSchema.nullable().default(null),
  errors: z.array(jobErrorSchema).max(MAX_ERROR_HISTORY).default([]),
  lastErrorClass: errorClassSchema.nullable().default(null),
  result: jobResultSchema.nullable().default(null),
  rejection: rejectionSchema.nullable().default(null),
  redriveCount: z.number().int().nonnegative().default(0),
  /** Model that served (or is serving) the job; differs from `model` on a fallback route. */
  servedBy: z.string().nullable().default(null),

  /**
   * Claimable jobs ahead of this one (0 = next) and the estimated wait until it starts (null
   * while its priority is paused), as of `positionAt`. Set at admission, then refreshed by
   * the leader for the head of the queue only when the position crosses a bucket boundary or
   * the estimate drifts (see `core/queue-position`): a few writes per job, never one per
   * dequeue. Clients count down between refreshes.
   */
  position: z.number().int().nonnegative().nullable().default(null),
  estimatedWaitMs: durationMs.nullable().default(null),
  positionAt: timestampMs.nullable().default(null),

  completedAt: timestampMs.nullable().default(null),
  /**
   * Set when the audio was released: its chunks deleted or its inline bytes dropped (success,
   * cancel, rejection, or retention clean-up). Retry and redrive need the audio, so they
   * refuse a job whose payload is gone.
   */
  payloadDeletedAt: timestampMs.nullable().default(null),
  /** TTL field: Firestore's TTL policy deletes the document some time after this. */
  expireAt: timestampMs.nullable().default(null),
  /** The audit entry of the operator control that last changed this document (see schema/control-audit). */
  controlAudit: controlAuditSchema.nullable().optional(),
});
export type JobDoc = z.infer<typeof jobDocSchema>;
export type Job = JobDoc & { id: string };

/**
 * What a browser client may write when submitting a job (security rules enforce the same
 * shape). The engine admits or rejects it; a client can never make itself `queued`.
 */
export const clientSubmissionSchema = z
  .object({
    status: z.literal('submitted'),
    priority: prioritySchema,
    userId: z.string().min(1).max(128),
    // Both or neither; the rules hold them to the token's e-mail (null when it has none).
    userEmail: userEmailSchema.nullable().optional(),
    userEmailLower: userEmailSchema.nullable().optional(),
    sessionId: z.string().refine(...maxChars(128)).nullable().default(null),
    idempotencyKey: z.string().min(1).refine(...maxChars(256)).nullable().default(null),
    metadata: jobMetadataSchema.default({}),
    // A browser always sends chunks (the rules allow no inline audio): at least one.
    audio: audioDescriptorSchema.extend({ chunkCount: z.number().int().positive().max(MAX_AUDIO_CHUNKS) }),
    source: z.literal('client'),
    createdAt: timestampMs,
  })
  .strict()
  .refine((d) => d.userEmailLower === (d.userEmail == null ? d.userEmail : emailSearchKey(d.userEmail)), {
    message: 'userEmailLower must be userEmail lowercased (both absent, both null or both set)',
    path: ['userEmailLower'],
  });
export type ClientSubmission = z.infer<typeof clientSubmissionSchema>;

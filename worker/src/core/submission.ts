import { z } from 'zod';
import {
  ALLOWED_AUDIO_MIME_TYPES,
  jobMetadataSchema,
  prioritySchema,
  type AudioDescriptor,
  type JobDoc,
  type Priority,
  emailSearchKey,
  userEmailSchema,
} from '../schema/job.js';
import { PAYLOAD_LIMITS, type PayloadChunkDoc } from '../schema/payload.js';
import { JOB_ID_PATTERN, payloadChunkId } from '../schema/names.js';
import { documentIdString, maxChars, wellFormedString } from '../schema/text.js';
import { audioFormatProblem, sha256Hex, wavDurationSec } from './audio.js';
import { PayloadInvalidError, PayloadTooLargeError, ValidationError } from './errors.js';
import { newDocumentId, type RandomSource } from './ids.js';
import { parseAudioDataUri } from './data-uri.js';

const audioBytes = z.union([
  z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'audio must be bytes (Uint8Array or ArrayBuffer)'),
  z.instanceof(ArrayBuffer).transform((b): Uint8Array => new Uint8Array(b)),
]);

/**
 * What a caller (server API or the end-user hook) hands in. Every string is stored as it is,
 * so it must be well-formed unicode; the user id also names the user's rate-limit document,
 * so it must be a legal document id. (The idempotency key is hashed into its document's id.)
 */
export const submissionInputSchema = z.object({
  audio: audioBytes,
  mimeType: z.enum(ALLOWED_AUDIO_MIME_TYPES),
  userId: documentIdString(128, { trim: true }),
  /**
   * The submitter's e-mail, recorded on the job (with its lowercased copy, the console's
   * search key). A browser passes its token's `email` claim, null when the account has none
   * (the rules refuse anything else); a server caller what it knows. Omitted: not recorded.
   */
  userEmail: userEmailSchema.nullish(),
  priority: prioritySchema.default('normal'),
  sessionId: wellFormedString().min(1).refine(...maxChars(128)).nullish(),
  idempotencyKey: wellFormedString().min(1).refine(...maxChars(256)).nullish(),
  metadata: jobMetadataSchema.optional(),
  /** Known duration; estimated from the header for WAV when omitted. */
  durationSec: z.number().finite().nonnegative().max(86_400).nullish(),
  /** Server callers only: a specific model (null = the worker's configured primary). */
  model: wellFormedString().min(1).max(128).nullish(),
  /** Server callers only: the tier for limits and fair-share weight. */
  tier: wellFormedString().min(1).max(64).nullish(),
});
/** A submission with its audio as bytes and a media type. */
export type SubmissionInput = z.input<typeof submissionInputSchema>;
/** A submission with its audio as a data URI (`data:audio/wav;base64,...`, the design document's form). */
export type DataUriSubmissionInput = Omit<SubmissionInput, 'audio' | 'mimeType'> & { audioDataUri: string; audio?: undefined; mimeType?: undefined };
/** What the entry points take: the audio as bytes with its media type, or as a data URI, never both. */
export type SubmissionRequest = SubmissionInput | DataUriSubmissionInput;

/** The input with a data URI decoded into bytes and a media type (typed errors, see parseAudioDataUri). */
export function withAudioBytes(input: SubmissionRequest, maxBytes?: number): SubmissionInput {
  if (input === null || typeof input !== 'object' || !('audioDataUri' in input) || input.audioDataUri === undefined) return input as SubmissionInput;
  const { audioDataUri, ...rest } = input;
  if (rest.audio !== undefined || rest.mimeType !== undefined) {
    throw new ValidationError([{ path: 'audioDataUri', message: 'give either audioDataUri or audio with mimeType, not both' }], 'submission');
  }
  return { ...rest, ...parseAudioDataUri(audioDataUri, maxBytes) };
}

/** The `submitted` job document (the fields a client is allowed to write, plus the source). */
export interface SubmittedJob {
  status: 'submitted';
  priority: Priority;
  userId: string;
  /** Present (string or null) only when the submission stated it; see `submissionInputSchema`. */
  userEmail?: string | null;
  userEmailLower?: string | null;
  sessionId: string | null;
  idempotencyKey: string | null;
  metadata: JobDoc['metadata'];
  audio: AudioDescriptor;
  source: 'client' | 'server';
  createdAt: number;
}

export interface SubmissionPlan {
  jobId: string;
  submission: SubmittedJob;
  /** Audio chunk documents, written in the same batch/transaction as the job (none when inline). */
  chunks: { id: string; doc: PayloadChunkDoc }[];
  /** The audio, when it goes inside the job document (`submission.audio.chunkCount` is then 0). */
  inlineAudio: Uint8Array | null;
  /** Server-only requests; always null for client submissions. */
  model: string | null;
  tier: string | null;
}

export interface SubmissionOptions {
  now: number;
  source: 'client' | 'server';
  /** Use this job id (e.g. chosen by the caller beforehand); otherwise a random one. */
  jobId?: string;
  random?: RandomSource;
  /** Lower limit than the schema's (e.g. a deployment that wants smaller uploads). */
  maxAudioBytes?: number;
  /**
   * Audio of at most this many bytes goes inline in the job document instead of chunks
   * (`payload.inlineMaxBytes`; capped at PAYLOAD_LIMITS.maxInlineBytes). Server submissions
   * only (ignored for `source: 'client'`): the security rules let a browser write chunks, never
   * inline audio. Default 0: always chunks.
   */
  inlineMaxBytes?: number;
}

/**
 * Validates a submission and splits the audio into chunk documents, or keeps it for the job
 * document when it is small enough to travel inline (`inlineMaxBytes`). Pure apart from hashing
 * (Web Crypto), browser-safe, and throws a typed error before anything could be written:
 * `ValidationError`, `PayloadTooLargeError`, `PayloadInvalidError`.
 */
export async function planSubmission(input: SubmissionRequest, options: SubmissionOptions): Promise<SubmissionPlan> {
  const parsed = submissionInputSchema.safeParse(withAudioBytes(input, options.maxAudioBytes));
  if (!parsed.success) throw ValidationError.fromIssues(parsed.error.issues, 'submission');
  const value = parsed.data;
  if (options.source === 'client' && (value.model != null || value.tier != null)) {
    throw new ValidationError(
      [{ path: value.model != null ? 'model' : 'tier', message: 'only server callers may choose the model or tier' }],
      'submission',
    );
  }
  const maxBytes = Math.min(options.maxAudioBytes ?? PAYLOAD_LIMITS.maxAudioBytes, PAYLOAD_LIMITS.maxAudioBytes);
  const audio = value.audio;
  if (audio.length === 0) throw new PayloadInvalidError('audio is empty');
  if (audio.length > maxBytes) throw new PayloadTooLargeError(audio.length, maxBytes);
  const problem = audioFormatProblem(audio, value.mimeType);
  if (problem) throw new PayloadInvalidError(problem);

  const jobId = options.jobId ?? newDocumentId(options.random);
  if (typeof jobId !== 'string' || !JOB_ID_PATTERN.test(jobId)) {
    throw new ValidationError(
      [{ path: 'jobId', message: 'must be 1-128 letters, digits, "_" or "-", and not __reserved__ (__.*__)' }],
      'submission',
    );
  }
  const durationSec =
    value.durationSec ?? (value.mimeType === 'audio/wav' || value.mimeType === 'audio/x-wav' ? wavDurationSec(audio) : null);
  const inlineMax = options.source === 'server' ? Math.min(options.inlineMaxBytes ?? 0, PAYLOAD_LIMITS.maxInlineBytes) : 0;
  const inline = audio.length <= inlineMax;
  const chunkCount = inline ? 0 : Math.ceil(audio.length / PAYLOAD_LIMITS.chunkBytes);
  const sha256 = await sha256Hex(audio);

  const chunks: SubmissionPlan['chunks'] = [];
  for (let index = 0; index < chunkCount; index++) {
    const data = audio.slice(index * PAYLOAD_LIMITS.chunkBytes, (index + 1) * PAYLOAD_LIMITS.chunkBytes);
    chunks.push({
      id: payloadChunkId(jobId, index),
      doc: { jobId, userId: value.userId, index, count: chunkCount, data, createdAt: options.now },
    });
  }
  return {
    jobId,
    submission: {
      status: 'submitted',
      priority: value.priority,
      userId: value.userId,
      // Left out when not stated, so an older caller's document keeps the shape it had.
      ...(value.userEmail === undefined
        ? {}
        : { userEmail: value.userEmail, userEmailLower: value.userEmail === null ? null : emailSearchKey(value.userEmail) }),
      sessionId: value.sessionId ?? null,
      idempotencyKey: value.idempotencyKey ?? null,
      metadata: value.metadata ?? {},
      audio: { mimeType: value.mimeType, bytes: audio.length, chunkCount, durationSec, sha256 },
      source: options.source,
      createdAt: options.now,
    },
    chunks,
    // A copy: the caller's buffer may be reused after enqueue returns (chunks are slices too).
    inlineAudio: inline ? audio.slice() : null,
    model: value.model ?? null,
    tier: value.tier ?? null,
  };
}

/**
 * The audio a job carries inline, checked against its descriptor like reassembled chunks.
 * Throws `PayloadInvalidError` when it is missing (the job says 0 chunks), has another
 * size, or the hash differs.
 */
export async function inlinePayload(jobId: string, audio: AudioDescriptor, inlineAudio: Uint8Array | null | undefined): Promise<Uint8Array> {
  if (!inlineAudio) throw new PayloadInvalidError(`job ${jobId}: its audio was inline (no chunks) and is missing from the job`);
  if (inlineAudio.length !== audio.bytes) {
    throw new PayloadInvalidError(`job ${jobId}: inline audio holds ${inlineAudio.length} bytes, expected ${audio.bytes}`);
  }
  if (audio.sha256 && (await sha256Hex(inlineAudio)) !== audio.sha256) {
    throw new PayloadInvalidError(`job ${jobId}: audio sha256 does not match; the payload is corrupt`);
  }
  return inlineAudio;
}

/**
 * Reassembles chunk documents (any order) into the audio and checks count, order and hash.
 * Throws `PayloadInvalidError` when a chunk is missing, duplicated or the hash differs.
 */
export async function assemblePayload(
  jobId: string,
  audio: AudioDescriptor,
  chunks: readonly PayloadChunkDoc[],
): Promise<Uint8Array> {
  const sorted = [...chunks].sort((a, b) => a.index - b.index);
  if (sorted.length !== audio.chunkCount) {
    throw new PayloadInvalidError(`job ${jobId}: expected ${audio.chunkCount} audio chunks, found ${sorted.length}`);
  }
  const out = new Uint8Array(audio.bytes);
  let offset = 0;
  for (const [i, chunk] of sorted.entries()) {
    if (chunk.index !== i || chunk.jobId !== jobId) {
      throw new PayloadInvalidError(`job ${jobId}: audio chunk ${i} is missing or belongs to another job`);
    }
    if (offset + chunk.data.length > out.length) {
      throw new PayloadInvalidError(`job ${jobId}: audio chunks exceed the declared ${audio.bytes} bytes`);
    }
    out.set(chunk.data, offset);
    offset += chunk.data.length;
  }
  if (offset !== audio.bytes) {
    throw new PayloadInvalidError(`job ${jobId}: audio chunks hold ${offset} bytes, expected ${audio.bytes}`);
  }
  if (audio.sha256 && (await sha256Hex(out)) !== audio.sha256) {
    throw new PayloadInvalidError(`job ${jobId}: audio sha256 does not match; the payload is corrupt`);
  }
  return out;
}

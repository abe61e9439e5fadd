import type { z } from 'zod';
import { jobDocSchema, jobMetadataSchema, MAX_AUDIO_CHUNKS, type JobDoc } from '../../schema/job.js';
import { decodeDoc, encodeFields } from '../../schema/documents.js';

/** What is wrong with a stored document, field by field (`DocumentDecodeError.issues`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * The rejection of a `submitted` job the engine cannot read: the rules let a browser write
 * it (or an admin wrote it), but it does not match the job schema. It is rejected in place
 * with INVALID_JOB rather than skipped, which would leave it `submitted` forever and, at the
 * head of the oldest-first admission query, starve every later submission.
 */
export interface UnreadableRejection {
  /** Top-level fields to write over the stored document; every other field stays as written. */
  fields: Partial<JobDoc>;
  /** Audio chunk indexes to delete (all possible ones when the descriptor is unreadable). */
  chunkCount: number;
  /** Whether the document matches the schema once `fields` are written (its owner can read the rejection). */
  readable: boolean;
  message: string;
}

type Shape = typeof jobDocSchema.shape;
type FieldName = keyof Shape & keyof JobDoc;

const MAX_LISTED_ISSUES = 5;

function describe(issues: readonly FieldIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `${i.path || '(document)'}: ${i.message.slice(0, 200)}`);
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : '';
  return `the submitted job does not match the job schema, so it cannot be admitted: ${listed.join('; ')}${more}`;
}

function decodes(schema: z.ZodType, value: unknown): { ok: true; value: unknown } | { ok: false } {
  const result = schema.safeDecode(value);
  return result.success ? { ok: true, value: result.data } : { ok: false };
}

/** The metadata entries that are valid on their own (so the owner can still tell which upload it was). */
function salvageMetadata(raw: unknown): JobDoc['metadata'] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  // Plain parsing: metadata has no codecs (safeParse takes unknown input, safeDecode does not).
  const kept = Object.entries(raw as Record<string, unknown>).filter(([key, value]) => jobMetadataSchema.safeParse({ [key]: value }).success);
  const salvaged = jobMetadataSchema.safeParse(Object.fromEntries(kept));
  return salvaged.success ? salvaged.data : {};
}

/**
 * Plans the rejection of an unreadable submission (pure). The fields that failed are reset
 * to their schema defaults (null, [] ...; metadata keeps its valid entries), so a document
 * whose required fields (user, priority, audio, source, creation time) are sound becomes
 * readable again and its owner sees why it was rejected. A document with an unreadable
 * required field keeps it as written: it is rejected and out of the admission queue all the
 * same, and shows as an unreadable row to admins until its retention ends.
 */
export function planUnreadableRejection(
  raw: Record<string, unknown>,
  issues: readonly FieldIssue[],
  args: { now: number; retentionMs: number },
): UnreadableRejection {
  const shape = jobDocSchema.shape;
  const message = describe(issues);
  const fields: Partial<Record<FieldName, unknown>> = {};
  const failed = new Set(issues.map((i) => i.path.split('.')[0] ?? '').filter((f): f is FieldName => f in shape));
  for (const field of failed) {
    if (field === 'metadata') {
      fields.metadata = salvageMetadata(raw.metadata);
      continue;
    }
    // A field with a default (optional in the schema) resets to it; a required one stays.
    const fallback = decodes(shape[field], undefined);
    if (fallback.ok) fields[field] = fallback.value;
  }
  // Engine fields a browser-written submission lacks and a rejected job needs.
  if (!decodes(shape.maxAttempts, raw.maxAttempts).ok) fields.maxAttempts = 1;
  const finished: Partial<JobDoc> = {
    status: 'rejected',
    rejection: { code: 'INVALID_JOB', message, retryAfterMs: null, existingJobId: null },
    lease: null,
    availableAt: null,
    position: null,
    estimatedWaitMs: null,
    positionAt: null,
    updatedAt: args.now,
    completedAt: args.now,
    expireAt: args.now + args.retentionMs,
    payloadDeletedAt: args.now,
  };
  Object.assign(fields, finished);

  const audio = decodes(shape.audio, raw.audio);
  const chunkCount = audio.ok ? (audio.value as JobDoc['audio']).chunkCount : MAX_AUDIO_CHUNKS;
  const planned = fields as Partial<JobDoc>;
  let readable = true;
  try {
    decodeDoc('jobs', { ...raw, ...encodeFields('jobs', planned) });
  } catch {
    readable = false;
  }
  return { fields: planned, chunkCount, readable, message };
}

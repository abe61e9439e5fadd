import { isQueueError, parseAudioDataUri, planGateStep, planSubmission, SubmissionThrottledError, type SubmissionInput, type SubmissionPlan } from '@fq/worker/core';
import { clientSubmissionSchema, encodeDoc, type Priority, type SubmissionQuota } from '@fq/worker/schema';
import { describeError, SubmissionError } from './errors.js';
import { refs } from './refs.js';
import { SERVER_TIME, type QueueStore, type Write } from './store.js';

/**
 * The audio of a submission: a Blob or File (its type names the format), bytes (with
 * `mimeType`), or a data URI string (`data:audio/wav;base64,...`, what FileReader.readAsDataURL
 * gives; the design document's `audioDataUri`), whose media type names the format.
 */
export type AudioInput = Blob | Uint8Array | ArrayBuffer | string;

export interface SubmitOptions {
  priority?: Priority;
  /** Required for byte input; taken from `Blob.type` otherwise (parameters like ";codecs=opus" are dropped). */
  mimeType?: string;
  sessionId?: string;
  /** Same key twice = one job (the engine deduplicates). */
  idempotencyKey?: string;
  metadata?: Record<string, string | number | boolean | null>;
  durationSec?: number;
}

async function toBytes(input: AudioInput): Promise<Uint8Array> {
  if (typeof input === 'string') return parseAudioDataUri(input).audio;
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(await input.arrayBuffer());
}

/** The audio's MIME type without parameters ("audio/webm;codecs=opus" -> "audio/webm"). */
export function mimeTypeOf(input: AudioInput, declared: string | undefined): string {
  if (typeof input === 'string') return declared ?? parseAudioDataUri(input).mimeType;
  return (declared ?? (input instanceof Blob ? input.type : '')).split(';')[0]!.trim();
}

/**
 * Refuses a priority the user's tier does not allow (`allowed`; absent: not checked here),
 * before anything is written: the rules would refuse it with a bare permission error.
 */
export function priorityProblem(priority: Priority, allowed: readonly Priority[] | undefined): SubmissionError | null {
  if (!allowed || allowed.includes(priority)) return null;
  return new SubmissionError(
    'PRIORITY_NOT_ALLOWED',
    `Your account may submit ${allowed.join(' or ')} priority jobs; ${priority} needs the priority tier.`,
    null,
  );
}

/**
 * Validates the audio and splits it into chunk documents with the engine's own
 * `planSubmission`, as a `client` submission with the given job id. Throws `SubmissionError`
 * with the engine's code (VALIDATION, PAYLOAD_INVALID, PAYLOAD_TOO_LARGE) before anything is
 * written.
 */
export async function planClientSubmission(
  input: AudioInput,
  options: SubmitOptions,
  context: { userId: string; requestId: string; now: number; userEmail?: string | null },
): Promise<SubmissionPlan> {
  try {
    return await planSubmission(
      {
        // A data URI is decoded once, by planSubmission (its errors are the engine's).
        ...(typeof input === 'string'
          ? { audioDataUri: input }
          : { audio: await toBytes(input), mimeType: mimeTypeOf(input, options.mimeType) as NonNullable<SubmissionInput['mimeType']> }),
        userId: context.userId,
        ...(context.userEmail === undefined ? {} : { userEmail: context.userEmail }),
        priority: options.priority,
        sessionId: options.sessionId,
        idempotencyKey: options.idempotencyKey,
        metadata: options.metadata,
        durationSec: options.durationSec,
      },
      { now: context.now, source: 'client', jobId: context.requestId },
    );
  } catch (error) {
    if (isQueueError(error)) throw new SubmissionError(error.code, error.message, context.requestId);
    throw new SubmissionError('VALIDATION', describeError(error), context.requestId);
  }
}

/**
 * The writes of one browser submission, as the security rules require them: the `submitted`
 * job and its audio chunks, with times set to Firestore's commit time, and the step of the
 * user's submission gate that names the job (`planGateStep`).
 */
export function submissionWrites(plan: SubmissionPlan, step: { kind: 'open' | 'next'; count: number }): Write[] {
  const userId = plan.submission.userId;
  return [
    {
      op: 'set',
      collection: 'jobs',
      id: plan.jobId,
      data: { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), createdAt: SERVER_TIME },
    },
    ...plan.chunks.map((c): Write => ({ op: 'set', collection: 'payloads', id: c.id, data: { ...encodeDoc('payloads', c.doc), createdAt: SERVER_TIME } })),
    step.kind === 'open'
      ? { op: 'set', collection: 'submissionGates', id: userId, data: { windowStart: SERVER_TIME, count: 1, lastJobId: plan.jobId } }
      : // Only the count moves: the window's start stays exactly as stored (the rules compare it).
        { op: 'update', collection: 'submissionGates', id: userId, data: { count: step.count, lastJobId: plan.jobId } },
  ];
}

/**
 * Commits a planned submission in ONE transaction that reads the user's submission gate
 * first (one read), so two tabs of one user never step it from the same count: the SDK
 * retries the one that lost. Over the quota it writes nothing and throws
 * `SubmissionThrottledError` (the rules would refuse the write anyway, with a bare
 * permission error). `quota` is the one the stats document publishes (the rules read the
 * same); `serverNow` the caller's estimate of Firestore time.
 */
export async function commitSubmission(
  store: QueueStore,
  plan: SubmissionPlan,
  options: { quota: SubmissionQuota; serverNow: () => number },
): Promise<void> {
  const userId = plan.submission.userId;
  await store.transact(async (read) => {
    const row = await read(refs.submissionGate(userId));
    // An unreadable gate reads as none: the rules then judge the new window they are asked for.
    const gate = row?.ok ? row.data : null;
    const step = planGateStep(gate, options.serverNow(), options.quota);
    if (step.kind === 'throttled') throw new SubmissionThrottledError(userId, step.retryAfterMs, step.resetAt, options.quota);
    return { writes: submissionWrites(plan, step), result: undefined };
  });
}

/** `commitSubmission` with its failures as `SubmissionError` (SUBMISSION_THROTTLED or UPLOAD_FAILED). */
export async function uploadSubmission(store: QueueStore, plan: SubmissionPlan, options: { quota: SubmissionQuota; serverNow: () => number }): Promise<void> {
  try {
    await commitSubmission(store, plan, options);
  } catch (error) {
    if (error instanceof SubmissionThrottledError) throw new SubmissionError(error.code, error.message, plan.jobId, error.retryAfterMs);
    throw new SubmissionError('UPLOAD_FAILED', `the audio could not be uploaded: ${describeError(error)}`, plan.jobId);
  }
}

import type { AudioDescriptor, JobDoc } from '../schema/job.js';
import { QUERIES } from '../schema/queries.js';
import type { AudioMimeType } from '../core/audio.js';
import { decideDuration, type DurationDecision, type DurationReading } from '../core/audio-duration.js';
import { PayloadInvalidError } from '../core/errors.js';
import { assemblePayload } from '../core/submission.js';
import { queryOf, type DocStore } from '../ports/store.js';

/** Reads an audio file's duration from its bytes (the music-metadata adapter in production). */
export type AudioDurationReader = (bytes: Uint8Array, mimeType: AudioMimeType) => Promise<DurationReading>;

/** The duration admission uses for `bytes`, and the check the job records (see core/audio-duration). */
export async function measureAudio(
  read: AudioDurationReader,
  bytes: Uint8Array,
  mimeType: AudioMimeType,
  declared: number | null,
): Promise<DurationDecision> {
  return decideDuration(declared, await read(bytes, mimeType), { bytes: bytes.length, mimeType });
}

/**
 * A browser submission's audio lives only in its chunk documents: read and reassemble them
 * (the hash is checked, so a corrupt payload is refused here, with a PayloadInvalidError,
 * instead of when a worker claims it), then measure. One read per chunk (at most 10 for the
 * 7 MiB limit), once per submission; the decision is then written with the job.
 */
export async function measureStoredAudio(
  store: Pick<DocStore, 'query'>,
  read: AudioDurationReader,
  jobId: string,
  job: Pick<JobDoc, 'audio'>,
): Promise<DurationDecision> {
  const chunks = await store.query(queryOf(QUERIES.payloadChunks, { jobId }));
  const bytes = await assemblePayload(jobId, job.audio, chunks.docs.map((d) => d.data));
  return measureAudio(read, bytes, job.audio.mimeType, job.audio.durationSec);
}

/** `sub` with the duration admission decided on (the audio descriptor is otherwise kept). */
export function withMeasuredDuration<T extends { audio: AudioDescriptor }>(sub: T, decision: DurationDecision): T {
  return { ...sub, audio: { ...sub.audio, durationSec: decision.durationSec } };
}

/**
 * `measureStoredAudio` for admission: a payload that cannot be reassembled (a chunk of
 * another job, bytes that do not add up, a hash that does not match) is the submission's
 * problem, returned as the rejection message; other errors (the store) propagate.
 */
export async function measureSubmission(
  store: Pick<DocStore, 'query'>,
  read: AudioDurationReader,
  jobId: string,
  job: Pick<JobDoc, 'audio'>,
): Promise<DurationDecision | { problem: string }> {
  try {
    return await measureStoredAudio(store, read, jobId, job);
  } catch (error) {
    if (error instanceof PayloadInvalidError) return { problem: error.message };
    throw error;
  }
}

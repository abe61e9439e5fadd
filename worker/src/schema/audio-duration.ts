import { z } from 'zod';

/**
 * Longest audio a job may carry or declare, in seconds (24 h). The security rules hold a
 * browser's `audio.durationSec` to the same bound (`validAudio` in firestore.rules); the
 * worker never measures more than this (a longer reading is clamped to it).
 */
export const MAX_AUDIO_DURATION_SEC = 86_400;

/** A duration in seconds: finite, 0 .. MAX_AUDIO_DURATION_SEC. */
export const audioDurationSec = z.number().nonnegative().max(MAX_AUDIO_DURATION_SEC);

export const DURATION_CHECK_METHODS = ['parsed', 'estimated'] as const;

/**
 * `transcription_queue/{jobId}.durationCheck`: how the worker checked the audio's length at
 * admission. A declared `audio.durationSec` is never trusted: the worker measures the bytes
 * (`parsed`, by a maintained container parser) or, when no parser can read them, bounds the
 * length by the byte size and MIME type (`estimated`). A declared value that disagrees beyond
 * the tolerance is replaced in `audio.durationSec` (which drives fair share and token
 * budgets) and `corrected` says so. Null on jobs admitted before this check existed.
 */
export const durationCheckSchema = z.object({
  /** What the submitter declared (null: nothing). */
  declaredSec: z.number().nonnegative().nullable(),
  /** What the worker derived from the bytes; `audio.durationSec` holds it unless the declared value agreed with it. */
  measuredSec: audioDurationSec,
  method: z.enum(DURATION_CHECK_METHODS),
  /** The declared value disagreed beyond the tolerance and was replaced by `measuredSec`. */
  corrected: z.boolean(),
  /** Why the bytes could not be parsed, what bounds the estimate, or why a reading was raised. */
  note: z.string().max(500).nullable(),
});
export type DurationCheck = z.infer<typeof durationCheckSchema>;

import { z } from 'zod';
import { timestampMs } from './time.js';

/**
 * How fast one end user may write submissions from a browser, enforced by the security rules
 * before anything is stored (`firestore.rules`, `validGateStep`): at most `perWindow`
 * submissions in a window that opens with the first submission and lasts at least
 * `windowMs`. Over any span of `windowMs` that is at most 2 x `perWindow` (two windows
 * meet), and `perWindow` per `windowMs` in the long run.
 *
 * Why in the rules and not at admission: a refusal by the rules stores nothing, so a flood
 * costs the flooder a refused request and the queue nothing; a cap applied by the admitter
 * would let every flood document be written, read by the admitters and rejected with
 * another write, and while it waits it sits in the admitters' oldest-first window in front
 * of everyone else's submissions (see the worker README, "Admission and abuse").
 *
 * The defaults match the admission rate limit's sustained rate (120 a minute), in bursts of
 * 10: a user who drops a handful of files at once is never refused, and one user can never
 * have more than 20 submissions waiting for admission (two windows' worth), which the
 * admitters decide in a fraction of a second.
 */
export const SUBMISSION_QUOTA_DEFAULTS = { perWindow: 10, windowMs: 5_000 } as const;

export const submissionQuotaSchema = z.object({
  perWindow: z.number().int().min(1).max(1_000_000).default(SUBMISSION_QUOTA_DEFAULTS.perWindow),
  /** Whole seconds are not required; the rules compare milliseconds. */
  windowMs: z.number().int().min(1).max(86_400_000).default(SUBMISSION_QUOTA_DEFAULTS.windowMs),
});
export type SubmissionQuota = z.infer<typeof submissionQuotaSchema>;

/**
 * `transcription_submission_gates/{userId}`: the user's current submission window, written
 * by the user's own browser in the same request as each submission (the rules require the
 * gate to name the job, so one step admits one job) and never by the engine. Only the
 * steps the rules allow can be written: open a window (`windowStart` = the request's time,
 * `count` 1, when there is none or the last one has lasted `windowMs`), or count one more
 * in the open window while `count` stays within `perWindow`. It cannot be deleted.
 */
export const submissionGateDocSchema = z.object({
  windowStart: timestampMs,
  count: z.number().int().min(1),
  /** The job written with the last step (the rules check the job's create against it). */
  lastJobId: z.string().min(1).max(128),
});
export type SubmissionGateDoc = z.infer<typeof submissionGateDocSchema>;

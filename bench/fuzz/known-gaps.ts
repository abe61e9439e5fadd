import type { Verdict } from './verdict.js';

/**
 * Engine gaps the fuzzer found that are outside bench/ (worker/ owns them). They stay
 * violations (`npm run fuzz` fails on them); the smoke test in `npm test` tolerates exactly
 * these and nothing else, so a new problem still fails it. Remove an entry once the engine
 * is fixed; each carries the repro and the proposed fix.
 */
export interface KnownGap {
  id: string;
  summary: string;
  repro: string;
  fix: string;
  matches(verdict: Verdict, problem: string): boolean;
}

export const KNOWN_GAPS: readonly KnownGap[] = [
  {
    id: 'user-id-not-a-document-id',
    summary: 'A userId that is not a legal Firestore document id ("a/b", "/", ".", "..", "__x__") makes enqueue throw the SDK\'s error instead of a ValidationError: the user id names the rate-limit document.',
    repro: "queue.enqueue({ audio: wav, mimeType: 'audio/wav', userId: 'a/b' }) -> Error: Value for argument \"documentPath\" must point to a document",
    fix: "worker/src/core/submission.ts submissionInputSchema.userId: add .regex(/^(?!\\.\\.?$)(?!__.*__$)[^/]+$/, 'user id must be a valid document id')",
    matches: (v, p) => v.path === 'server' && v.categories.includes('path-like user id') && p.startsWith('untyped error'),
  },
  {
    id: 'user-id-malformed-unicode',
    summary: 'A userId with a lone UTF-16 surrogate is sent as U+FFFD, so the admission transaction reads a different rate-limit document than it asked for and enqueue throws the SDK\'s "Did not receive document" instead of a ValidationError.',
    repro: "queue.enqueue({ audio: wav, mimeType: 'audio/wav', userId: 'u\\ud800' }) -> Error: Did not receive document for \"…transcription_rate_limits/u\ufffd\"",
    fix: "worker/src/core/submission.ts submissionInputSchema.userId (and sessionId, idempotencyKey): .refine((s) => s.isWellFormed(), 'must be well-formed unicode')",
    matches: (v, p) => v.path === 'server' && v.categories.includes('unicode edge cases') && /Did not receive document/.test(p),
  },
  {
    id: 'reserved-job-id',
    summary: 'A jobId matching __.*__ passes planSubmission\'s id check and is refused by Firestore with an untyped INVALID_ARGUMENT.',
    repro: "queue.enqueue({ audio: wav, mimeType: 'audio/wav', userId: 'u' }, { jobId: '__x__' }) -> Error: 3 INVALID_ARGUMENT: Resource id \"__x__\" is invalid because it is reserved",
    fix: 'worker/src/core/submission.ts: test the job id with /^(?!__.*__$)[A-Za-z0-9_-]{1,128}$/',
    matches: (v, p) => v.path === 'server' && v.categories.includes('path-like job id') && /reserved/.test(p),
  },
  {
    id: 'unreadable-submission-never-rejected',
    summary: 'A `submitted` job the rules accept (or an admin writes) but the job schema refuses (e.g. metadata values that are maps, a 2 KB metadata string, a bad priority) is skipped by the store adapter and never rejected: it stays `submitted` forever.',
    repro: "web SDK batch: transcription_queue/{id} = valid submission with metadata: { a: { b: 1 } } + its chunks -> the engine logs 'skipped a document that does not match its schema' and the job never changes",
    fix: "the admitter should read submitted jobs raw and reject undecodable ones with code INVALID_JOB (REJECTION_CODES has it); the rules could also type-check metadata values",
    matches: (v, p) => (v.path === 'web' || v.path === 'admin') && /engine cannot read the document/.test(p),
  },
  {
    id: 'head-of-line-unreadable-submissions',
    summary: 'Because of the gap above, 50 unreadable submissions at the head of `status == submitted order by createdAt limit 50` starve every later browser submission of every user (the admitter only ever sees the 50 it skips).',
    repro: 'bench/fuzz/poison-head.ts: 60 rules-valid submissions with map metadata, then a valid one from another user: it stays submitted',
    fix: 'same as unreadable-submission-never-rejected (rejecting them moves them out of the head)',
    matches: (v) => v.categories.includes('head-of-line: valid submission behind unreadable ones'),
  },
];

/** The known gap a violation belongs to, or null when it is new. */
export function knownGapOf(verdict: Verdict, problem: string): KnownGap | null {
  return KNOWN_GAPS.find((g) => g.matches(verdict, problem)) ?? null;
}

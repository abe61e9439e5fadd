import { isQueueError, type DocStore, type EnqueueOptions, type Queue, type SubmissionInput } from '@fq/worker';
import type { ServerCase } from './server-cases.js';
import { durationProblems } from './duration-oracle.js';
import { describeError, prototypeProblems, type Verdict } from './verdict.js';

/**
 * Runs one server-API case: `queue.enqueue` must answer with a job or a typed QueueError,
 * and a refusal must leave the database exactly as it was (`documents` counts every
 * document of the project, so a stray write anywhere shows).
 */
export async function runServerCase(
  env: { queue: Queue; store: DocStore; documents: () => Promise<number>; prototypeBaseline: readonly string[] },
  c: ServerCase,
): Promise<Verdict> {
  const verdict: Verdict = { n: c.n, path: 'server', categories: c.categories, notes: c.notes, outcome: 'accepted', code: null, violations: [] };
  const before = await env.documents();
  let jobId: string | null = null;
  try {
    jobId = (await env.queue.enqueue(c.input as unknown as SubmissionInput, c.options as EnqueueOptions)).requestId;
  } catch (error) {
    if (isQueueError(error)) {
      verdict.outcome = 'typed';
      verdict.code = error.code;
    } else {
      verdict.outcome = 'untyped';
      verdict.code = describeError(error);
      verdict.violations.push(`untyped error ${verdict.code}`);
    }
  }
  const delta = (await env.documents()) - before;
  if (verdict.outcome !== 'accepted') {
    // A refusal by the rate limiter records itself in the user's limiter document.
    const allowed = verdict.code === 'RATE_LIMITED' ? 1 : 0;
    if (delta > allowed) verdict.violations.push(`refused, yet ${delta} documents were written`);
  } else {
    if (c.expect === 'reject') verdict.violations.push('accepted an input that must be refused');
    const job = jobId ? (await env.store.get('jobs', jobId)).doc : null;
    if (!job) verdict.violations.push(`accepted, but job ${jobId} cannot be read back`);
    else {
      // Admitted to run now (queued), or deferred by the rate limit to the start it booked (waiting).
      const deferred = job.status === 'waiting' && job.deferredUntil != null && job.availableAt === job.deferredUntil && job.attempts === 0;
      if ((job.status !== 'queued' && !deferred) || job.result !== null || job.lease !== null) verdict.violations.push(`accepted job is ${job.status} with result/lease set`);
      const chunks = await env.store.query({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: jobId! }] });
      if (chunks.docs.length !== job.audio.chunkCount) verdict.violations.push(`accepted job has ${chunks.docs.length} of ${job.audio.chunkCount} audio chunks`);
      verdict.violations.push(...durationProblems(job as unknown as Record<string, unknown>, c.trueDurationSec ?? null, c.input.durationSec as number | null | undefined));
    }
  }
  verdict.violations.push(...prototypeProblems(env.prototypeBaseline));
  return verdict;
}

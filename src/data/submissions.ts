import { planGateStep, SubmissionThrottledError, type SubmissionPlan } from '@fq/worker/core';
import { clientSubmissionSchema, encodeDoc, type SubmissionQuota } from '@fq/worker/schema';
import { SERVER_TIME, type DataPort, type Mutation } from './port';
import { specs } from './queries';

/**
 * The writes of one browser submission, as the security rules require them: the
 * `submitted` job and its audio chunks, with times set to Firestore's commit time, and the
 * step of the user's submission gate that names the job (`planGateStep`).
 */
export function submissionMutations(plan: SubmissionPlan, step: { kind: 'open' | 'next'; count: number }): Mutation[] {
  const userId = plan.submission.userId;
  return [
    {
      op: 'set',
      collection: 'jobs',
      id: plan.jobId,
      data: { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), createdAt: SERVER_TIME },
    },
    ...plan.chunks.map(
      (c): Mutation => ({ op: 'set', collection: 'payloads', id: c.id, data: { ...encodeDoc('payloads', c.doc), createdAt: SERVER_TIME } }),
    ),
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
 * permission error). `serverNow` is the caller's estimate of Firestore time.
 */
export async function commitSubmission(
  port: DataPort,
  plan: SubmissionPlan,
  options: { quota: SubmissionQuota; serverNow: () => number },
): Promise<void> {
  const userId = plan.submission.userId;
  await port.transact(async (tx) => {
    const row = await tx.get(specs.submissionGate(userId));
    // An unreadable gate reads as none: the rules then judge the new window they are asked for.
    const gate = row?.ok ? row.data : null;
    const step = planGateStep(gate, options.serverNow(), options.quota);
    if (step.kind === 'throttled') throw new SubmissionThrottledError(userId, step.retryAfterMs, step.resetAt, options.quota);
    return { mutations: submissionMutations(plan, step), result: undefined };
  });
}

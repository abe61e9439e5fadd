import { clientSubmissionSchema, decodeDoc, isQueueError, planSubmission, type DocStore, type Queue } from '@fq/worker';
import type { BenchJob } from '../lib/job-set.js';
import { enqueueJobs } from '../lib/queue-driver.js';
import type { SubmittedJob } from './audit.js';

/**
 * Chaos traffic: jobs submitted at a steady rate while faults fly, through both front doors:
 * the server API (retried with the same id and idempotency key after transient errors) and
 * the browser's path (a `submitted` job with its audio chunks in one batch, which workers
 * admit or reject; retried as the same batch, which is idempotent).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submitLikeABrowser(store: DocStore, job: BenchJob): Promise<SubmittedJob> {
  const plan = await planSubmission(
    { audio: job.audio, mimeType: 'audio/wav', userId: job.userId, priority: job.priority },
    { now: store.now(), source: 'client', jobId: job.id },
  );
  const writes = [
    { op: 'set' as const, collection: 'jobs' as const, id: plan.jobId, data: decodeDoc('jobs', clientSubmissionSchema.encode({ ...plan.submission, source: 'client' })) },
    ...plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })),
  ];
  let last = '';
  for (let tries = 1; tries <= 6; tries++) {
    try {
      await store.commit(writes);
      return { id: job.id, path: 'client', acknowledged: true, error: null };
    } catch (error) {
      if (isQueueError(error)) return { id: job.id, path: 'client', acknowledged: false, error: error.code };
      last = error instanceof Error ? error.message.slice(0, 200) : String(error);
      await sleep(100 * 2 ** tries);
    }
  }
  return { id: job.id, path: 'client', acknowledged: false, error: last };
}

export async function runChaosTraffic(options: {
  queue: Queue;
  store: DocStore;
  jobs: readonly BenchJob[];
  /** Share of jobs sent through the browser path. */
  clientShare: number;
  overMs: number;
  random: () => number;
}): Promise<SubmittedJob[]> {
  const out: SubmittedJob[] = [];
  const gap = options.overMs / Math.max(1, options.jobs.length);
  const inFlight: Promise<void>[] = [];
  for (const job of options.jobs) {
    const client = options.random() < options.clientShare;
    inFlight.push(
      (async () => {
        if (client) out.push(await submitLikeABrowser(options.store, job));
        else {
          const [r] = await enqueueJobs(options.queue, [job], { parallel: 1, idempotent: true });
          out.push({ id: job.id, path: 'server', acknowledged: r!.error === null, error: r!.error });
        }
      })(),
    );
    await sleep(gap);
  }
  await Promise.all(inFlight);
  return out;
}

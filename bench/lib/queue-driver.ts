import { isQueueError, TERMINAL_STATUSES, type Actor, type DocStore, type Job, type Queue } from '@fq/worker';
import type { BenchJob } from './job-set.js';

/** Operator identity of the harness in audit entries. */
export const BENCH_ADMIN: Actor = { kind: 'admin', id: 'bench-harness', email: null };

export interface EnqueueOutcome {
  id: string;
  /** Harness clock when the API call returned. */
  ackAt: number;
  /** Wall time of the API call (ms), retries included. */
  callMs: number;
  /** Set when the call finally failed: the typed code, or the error's name. */
  error: string | null;
  tries: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Enqueues through the server API with `parallel` calls in flight. A transient store error
 * (not a typed queue error) is retried with the same job id and idempotency key, so an
 * ambiguous commit can never turn into two jobs; typed errors are final.
 */
export async function enqueueJobs(
  queue: Queue,
  jobs: readonly BenchJob[],
  options: { parallel?: number; idempotent?: boolean; tries?: number } = {},
): Promise<EnqueueOutcome[]> {
  const out: EnqueueOutcome[] = [];
  let next = 0;
  const one = async (job: BenchJob): Promise<EnqueueOutcome> => {
    const started = Date.now();
    const maxTries = options.tries ?? 6;
    for (let tries = 1; ; tries++) {
      try {
        await queue.enqueue(
          {
            audio: job.audio,
            mimeType: 'audio/wav',
            userId: job.userId,
            priority: job.priority,
            ...(options.idempotent ? { idempotencyKey: job.id } : {}),
          },
          { jobId: job.id },
        );
        return { id: job.id, ackAt: Date.now(), callMs: Date.now() - started, error: null, tries };
      } catch (error) {
        const typed = isQueueError(error);
        if (typed || tries >= maxTries) {
          const code = typed ? error.code : error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error);
          return { id: job.id, ackAt: Date.now(), callMs: Date.now() - started, error: code, tries };
        }
        await sleep(100 * 2 ** tries);
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, options.parallel ?? 8) }, async () => {
    while (next < jobs.length) out.push(await one(jobs[next++]!));
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Builds a backlog while the queue is paused, then releases it: enqueueing through the API
 * is slower than a fleet drains, so without the pause there would be no backlog and a drain
 * time would time the enqueue loop. Returns the store time just before the release.
 */
export async function releaseBacklog(queue: Queue, store: DocStore, fill: () => Promise<void>): Promise<number> {
  await queue.control({ type: 'queue.pause', reason: 'bench: building a backlog' }, BENCH_ADMIN);
  await fill();
  const releasedAt = store.now();
  await queue.control({ type: 'queue.resume', reason: 'bench: backlog released' }, BENCH_ADMIN);
  return releasedAt;
}

export async function countTerminal(store: DocStore): Promise<number> {
  return store.count({ collection: 'jobs', where: [{ field: 'status', op: 'in', value: [...TERMINAL_STATUSES] }] });
}

/** Polls the terminal count (an aggregation: 1 read per 1,000 jobs) until it reaches `count`. */
export async function waitForTerminal(
  store: DocStore,
  count: number,
  options: { timeoutMs: number; what: string; intervalMs?: number; onProgress?: (done: number) => void },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const done = await countTerminal(store);
    options.onProgress?.(done);
    if (done >= count) return done;
    if (Date.now() > deadline) {
      throw new Error(`${options.what}: only ${done} of ${count} jobs reached a terminal status within ${Math.round(options.timeoutMs / 1000)} s`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}

export async function allJobs(store: DocStore): Promise<Job[]> {
  const result = await store.query({ collection: 'jobs' });
  return result.docs.map((d) => ({ ...d.data, id: d.id }));
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

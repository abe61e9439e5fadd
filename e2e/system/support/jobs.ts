import { expect } from '@playwright/test';
import type { FirestoreStore, Queue } from '@fq/worker';
import { makeTestWav } from '@fq/fake-gemini';
import { ACTIVE_STATUSES, SINGLETON_IDS, type Priority } from '@fq/worker/schema';

/** A real 16-bit PCM WAV whose transcript the fake Gemini answers (see makeTestWav). */
export function speechWav(text: string, durationSec = 1.5): Uint8Array {
  return makeTestWav({ durationSec, text, sampleRate: 8_000 });
}

/** Enqueues jobs through the server API; returns their ids in order. */
export async function enqueueJobs(
  queue: Queue,
  jobs: readonly { userId: string; priority: Priority; text?: string }[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, job] of jobs.entries()) {
    const text = job.text ?? `Job ${i + 1} of ${job.userId} at ${job.priority} priority.`;
    const result = await queue.enqueue({ audio: speechWav(text), mimeType: 'audio/wav', userId: job.userId, priority: job.priority });
    ids.push(result.requestId);
  }
  return ids;
}

/** Resolves once none of the prefix's jobs is submitted, queued, waiting or running. */
export async function waitForIdleQueue(store: FirestoreStore, timeoutMs = 60_000): Promise<void> {
  await expect
    .poll(() => store.count({ collection: 'jobs', where: [{ field: 'status', op: 'in', value: [...ACTIVE_STATUSES] }] }), {
      timeout: timeoutMs,
      message: 'jobs of earlier specs still active',
    })
    .toBe(0);
}

/** Time of the leader's latest queue statistics (written every maintenance interval). */
export async function statsAt(store: FirestoreStore): Promise<number> {
  const { doc } = await store.get('stats', SINGLETON_IDS.queueStats);
  return doc?.at ?? 0;
}

/**
 * Waits until the leader refreshed the queue statistics `count` more times: a window defined
 * by the system's own progress (not a sleep) in which workers had every chance to act.
 */
export async function waitForLeaderRounds(store: FirestoreStore, count: number, timeoutMs = 60_000): Promise<void> {
  const seen = new Set<number>([await statsAt(store)]);
  await expect
    .poll(
      async () => {
        seen.add(await statsAt(store));
        return seen.size - 1;
      },
      { timeout: timeoutMs, intervals: [250], message: `${count} leader maintenance rounds` },
    )
    .toBeGreaterThanOrEqual(count);
}

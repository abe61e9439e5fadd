import { decodeDoc, type FirestoreStore } from '@fq/worker';
import type { QueryDocumentSnapshot } from '@google-cloud/firestore';
import type { FinalJob } from './audit.js';

type Chunk = { chunkId: string; jobId: string | null };

/**
 * The documents as they are at the audit, read raw through the admin SDK: a job document
 * that no longer decodes is reported as such instead of being skipped like the store port
 * skips it.
 *
 * When the drain timed out, workers are still finishing jobs while the audit reads, and jobs
 * and chunks are two reads: a running job whose completion deleted its chunks in between
 * looked like a job that lost its audio. So the jobs are read before and after the chunks,
 * and a job that changed in between is judged on its later state with its chunks left out of
 * the payload checks (`changedDuringRead`), instead of on a mix of two moments.
 */
export async function readFinalState(store: FirestoreStore): Promise<{ jobs: FinalJob[]; chunks: Chunk[]; changedDuringRead: number }> {
  const jobsCollection = store.db.collection(store.collectionName('jobs'));
  const before = new Map((await jobsCollection.get()).docs.map((d) => [d.id, d.updateTime.toMillis()]));
  const chunkSnap = await store.db.collection(store.collectionName('payloads')).select('jobId').get();
  const after = (await jobsCollection.get()).docs;
  const changed = new Set(after.filter((d) => before.get(d.id) !== d.updateTime.toMillis()).map((d) => d.id));
  const afterIds = new Set(after.map((d) => d.id));
  for (const id of before.keys()) if (!afterIds.has(id)) changed.add(id);
  const jobs = after.filter((d) => !changed.has(d.id)).map(finalJob);
  const chunks = chunkSnap.docs
    .map((d): Chunk => {
      const jobId: unknown = d.get('jobId');
      return { chunkId: d.id, jobId: typeof jobId === 'string' ? jobId : null };
    })
    .filter((c) => c.jobId === null || !changed.has(c.jobId));
  // Jobs that moved during the read are still audited for loss and status, on their later state.
  const moving = after.filter((d) => changed.has(d.id)).map((d) => ({ ...finalJob(d), chunkCount: null }));
  return { jobs: [...jobs, ...moving], chunks, changedDuringRead: changed.size };
}

function finalJob(d: QueryDocumentSnapshot): FinalJob {
  try {
    const job = decodeDoc('jobs', d.data());
    return {
      id: d.id,
      status: job.status,
      decodeError: null,
      transcript: job.result?.transcript ?? null,
      chunkCount: job.audio.chunkCount,
      hasInlineAudio: job.inlineAudio != null,
      leaseExpiresAt: job.lease?.expiresAt ?? null,
      availableAt: job.availableAt,
    };
  } catch (error) {
    const raw = d.data() as { status?: unknown };
    return {
      id: d.id,
      status: null,
      decodeError: `${typeof raw.status === 'string' ? `status ${raw.status}: ` : ''}${error instanceof Error ? error.message.slice(0, 300) : String(error)}`,
      transcript: null,
      chunkCount: 0,
      hasInlineAudio: false,
      leaseExpiresAt: null,
      availableAt: null,
    };
  }
}

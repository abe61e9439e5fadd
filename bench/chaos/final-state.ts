import { decodeDoc, type FirestoreStore } from '@fq/worker';
import type { FinalJob } from './audit.js';

/**
 * The documents as they are at the audit, read raw through the admin SDK: a job document
 * that no longer decodes is reported as such instead of being skipped like the store port
 * skips it.
 */
export async function readFinalState(store: FirestoreStore): Promise<{ jobs: FinalJob[]; chunks: { chunkId: string; jobId: string | null }[] }> {
  const jobsSnap = await store.db.collection(store.collectionName('jobs')).get();
  const jobs = jobsSnap.docs.map((d): FinalJob => {
    try {
      const job = decodeDoc('jobs', d.data());
      return {
        id: d.id,
        status: job.status,
        decodeError: null,
        transcript: job.result?.transcript ?? null,
        chunkCount: job.audio.chunkCount,
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
        leaseExpiresAt: null,
        availableAt: null,
      };
    }
  });
  const chunkSnap = await store.db.collection(store.collectionName('payloads')).select('jobId').get();
  const chunks = chunkSnap.docs.map((d) => {
    const jobId: unknown = d.get('jobId');
    return { chunkId: d.id, jobId: typeof jobId === 'string' ? jobId : null };
  });
  return { jobs, chunks };
}

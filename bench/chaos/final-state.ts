import { decodeDoc, type FirestoreStore } from '@fq/worker';
import type { FinalJob } from './audit.js';

/**
 * The documents as they are at the audit, read raw through the admin SDK: a job document
 * that no longer decodes is reported as such instead of being skipped like the store port
 * skips it. Jobs and chunks are read in one read-only transaction, at one snapshot: when the
 * drain timed out workers are still finishing jobs, and two reads apart saw a running job
 * whose chunks its completion deleted in between ("lost their audio", which it had not).
 */
export async function readFinalState(store: FirestoreStore): Promise<{ jobs: FinalJob[]; chunks: { chunkId: string; jobId: string | null }[] }> {
  const { jobsSnap, chunkSnap } = await store.db.runTransaction(
    async (tx) => ({
      jobsSnap: await tx.get(store.db.collection(store.collectionName('jobs'))),
      chunkSnap: await tx.get(store.db.collection(store.collectionName('payloads')).select('jobId')),
    }),
    { readOnly: true },
  );
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
  const chunks = chunkSnap.docs.map((d) => {
    const jobId: unknown = d.get('jobId');
    return { chunkId: d.id, jobId: typeof jobId === 'string' ? jobId : null };
  });
  return { jobs, chunks };
}

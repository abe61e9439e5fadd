import { admitSubmission, encodeDoc, type FirestoreStore, type JobDoc, type Priority } from '@fq/worker';

/**
 * Seeds N queued jobs fast through the admin SDK's BulkWriter (throttling off: the 500/50/5
 * ramp is for production traffic, not for filling an emulator). The jobs are complete,
 * schema-valid `queued` documents with spread ranks; they have no audio (the probe claims
 * and releases them, it never runs them).
 */
export function seededJob(i: number, now: number, priority: Priority = 'normal'): JobDoc {
  return admitSubmission(
    {
      status: 'submitted',
      priority,
      userId: `seed-user-${i % 1000}`,
      sessionId: null,
      idempotencyKey: null,
      metadata: {},
      audio: { mimeType: 'audio/wav', bytes: 32_044, chunkCount: 1, durationSec: 1, sha256: null },
      source: 'server',
      createdAt: now,
    },
    { now, rank: now + i, maxAttempts: 5, tier: 'default', model: null },
  );
}

export async function seedQueuedJobs(store: FirestoreStore, count: number, onProgress?: (done: number) => void): Promise<number> {
  const started = Date.now();
  const now = store.now();
  const writer = store.db.bulkWriter({ throttling: false });
  let failures = 0;
  writer.onWriteError((error) => {
    if (error.failedAttempts < 5) return true;
    failures += 1;
    return false;
  });
  const collection = store.db.collection(store.collectionName('jobs'));
  for (let i = 0; i < count; i++) {
    void writer.set(collection.doc(`seed-${String(i).padStart(7, '0')}`), encodeDoc('jobs', seededJob(i, now)));
    if (i % 5_000 === 4_999) {
      await writer.flush();
      onProgress?.(i + 1);
    }
  }
  await writer.close();
  if (failures) throw new Error(`seeding: ${failures} writes failed after retries`);
  return Date.now() - started;
}

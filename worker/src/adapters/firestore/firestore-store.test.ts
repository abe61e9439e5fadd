import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreContract } from '../store.contract.js';
import { describeJobsContract } from '../../engine/jobs.contract.js';
import { describeCoordinationContract } from '../../engine/coordination.contract.js';
import { firestoreFixture, firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../../testing/firestore-env.js';
import { uniquePrefix } from '../../testing/engine-fixture.js';
import { clientSubmissionSchema } from '../../schema/job.js';
import { planSubmission } from '../../core/submission.js';
import { makeWav } from '../../testing/audio.js';

let env: FirestoreTestEnv;
beforeAll(async () => {
  env = await startFirestoreTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

describeStoreContract('firestore', async () => {
  const prefix = uniquePrefix('store');
  const store = firestoreStore(env, prefix);
  const other = firestoreStore(env, prefix);
  return {
    store,
    other,
    writeRaw: async (collection, id, data) => void (await store.db.collection(store.collectionName(collection)).doc(id).set(data)),
    cleanup: async () => void (await Promise.all([store.close(), other.close()])),
  };
});

describeJobsContract('firestore', firestoreFixture(() => env));
describeCoordinationContract('firestore', firestoreFixture(() => env));

describe('FirestoreStore specifics', () => {
  it('reads a browser-shaped submitted job (client fields only) as a job', async () => {
    const store = firestoreStore(env, uniquePrefix('raw'));
    try {
      const plan = await planSubmission({ audio: makeWav(0.2), mimeType: 'audio/wav', userId: 'web' }, { now: Date.now(), source: 'client' });
      // Exactly what the web SDK writes (no engine fields), through the raw SDK.
      await store.db.collection(store.collectionName('jobs')).doc(plan.jobId).set(clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }));
      const { doc } = await store.get('jobs', plan.jobId);
      expect(doc).toMatchObject({ status: 'submitted', source: 'client', userId: 'web', updatedAt: plan.submission.createdAt });
    } finally {
      await store.close();
    }
  });
});

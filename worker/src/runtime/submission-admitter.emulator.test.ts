import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSubmissionSchema } from '../schema/job.js';
import { QUERIES } from '../schema/queries.js';
import { queryOf } from '../ports/store.js';
import { planSubmission } from '../core/submission.js';
import type { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { Admission } from '../engine/admission.js';
import { StraySubmissionSweep } from '../engine/unreadable-submissions.js';
import { makeWav } from '../testing/audio.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../testing/firestore-env.js';
import { waitFor } from '../testing/wait.js';
import { SubmissionAdmitter } from './submission-admitter.js';

/**
 * The admitter on Firestore (our emulator, or FIRESTORE_EMULATOR_HOST): documents the job
 * schema refuses come through a real listener with a limit, written with the SDK's own types
 * (Timestamps, Buffers) as a browser or an admin would store them. Real time: every
 * assertion waits on observed state.
 */
let env: FirestoreTestEnv;
beforeAll(async () => {
  env = await startFirestoreTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

/** `patch` replaces fields; a field patched with `undefined` is left out. */
async function rawSubmission(store: FirestoreStore, userId: string, createdAt: Date, patch: Record<string, unknown>, seed: number): Promise<string> {
  const plan = await planSubmission({ audio: makeWav(0.2, { seed }), mimeType: 'audio/wav', userId }, { now: createdAt.getTime(), source: 'client' });
  await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  const job: Record<string, unknown> = { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete job[k];
  await store.db.collection(store.collectionName('jobs')).doc(plan.jobId).set(job);
  return plan.jobId;
}

describe('SubmissionAdmitter on Firestore', () => {
  it('rejects 60 unreadable submissions at the head of the queue and admits the valid one behind them', async () => {
    const store = firestoreStore(env, uniquePrefix('hol'));
    const ctx = engineContext(store, { serverId: 'srv-hol' });
    const admitter = new SubmissionAdmitter(ctx, new Admission(ctx), 50);
    try {
      const t0 = Date.now() - 60_000;
      const poison = await Promise.all(
        Array.from({ length: 60 }, (_, i) => rawSubmission(store, 'poisoner', new Date(t0 + i), { metadata: { nested: { value: i } } }, i)),
      );
      const victim = await rawSubmission(store, 'victim', new Date(t0 + 1_000), {}, 99);
      admitter.start();
      const jobs = store.db.collection(store.collectionName('jobs'));
      await waitFor(
        async () => (await jobs.doc(victim).get()).get('status') === 'queued' && (await jobs.where('status', '==', 'submitted').count().get()).data().count === 0,
        { timeoutMs: 120_000, what: 'the victim admitted and every unreadable submission decided' },
      );
      for (const id of poison) {
        expect((await store.get('jobs', id)).doc).toMatchObject({ status: 'rejected', metadata: {}, rejection: { code: 'INVALID_JOB' } });
      }
      const chunks = store.db.collection(store.collectionName('payloads'));
      expect((await chunks.where('userId', '==', 'poisoner').count().get()).data().count).toBe(0);
      expect((await chunks.where('userId', '==', 'victim').count().get()).data().count).toBe(1);
    } finally {
      admitter.stop();
      await store.close();
    }
  }, 180_000);

  it('the leader\u2019s sweep rejects a submission without createdAt, which the ordered listener never delivers', async () => {
    const store = firestoreStore(env, uniquePrefix('stray'));
    const ctx = engineContext(store, { serverId: 'srv-stray' });
    try {
      const stray = await rawSubmission(store, 'admin-bug', new Date(), { createdAt: undefined }, 7);
      const readable = await rawSubmission(store, 'ok', new Date(), {}, 8);
      const head = await store.query(queryOf(QUERIES.submittedJobs, { status: 'submitted' }, { limit: 50 }));
      expect([...head.docs, ...head.undecodable].map((d) => d.id)).toEqual([readable]);
      expect(await new StraySubmissionSweep(ctx).run()).toBe(1);
      const jobs = store.db.collection(store.collectionName('jobs'));
      expect((await jobs.doc(stray).get()).data()).toMatchObject({ status: 'rejected', rejection: { code: 'INVALID_JOB' }, userId: 'admin-bug' });
      expect((await jobs.doc(readable).get()).get('status')).toBe('submitted');
      const chunks = store.db.collection(store.collectionName('payloads'));
      expect((await chunks.where('jobId', '==', stray).count().get()).data().count).toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreContract } from '../store.contract.js';
import { describeJobsContract } from '../../engine/jobs.contract.js';
import { describeCoordinationContract } from '../../engine/coordination.contract.js';
import { firestoreFixture, firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../../testing/firestore-env.js';
import { uniquePrefix } from '../../testing/engine-fixture.js';
import { clientSubmissionSchema, type JobDoc } from '../../schema/job.js';
import { decodeDoc, encodeDoc } from '../../schema/documents.js';
import { planSubmission } from '../../core/submission.js';
import { makeWav } from '../../testing/audio.js';
import { Timestamp } from 'firebase-admin/firestore';
import { engineContext, TEST_CONFIG } from '../../testing/engine-fixture.js';
import { createQueue } from '../../runtime/queue.js';
import { JobLeases } from '../../engine/job-leases.js';
import { claimJob } from '../../core/jobs/transitions.js';
import type { FirestoreStore } from './firestore-store.js';

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

  describe('guarded writes over a version the adapter knows', () => {
    // A stored time with a microsecond part: a write of the whole job stores it again in
    // milliseconds (the domain's unit), a write of the changed fields leaves it as it is.
    const MICROS = new Timestamp(1_700_000_000, 123_456_000);
    const raw = async (store: FirestoreStore, id: string) => (await store.db.collection(store.collectionName('jobs')).doc(id).get()).data()!;
    const definedKeys = (data: Record<string, unknown>) => Object.keys(data).filter((k) => data[k] !== undefined).sort();
    // What reading back a full write of `job` gives (times are stored in milliseconds).
    const stored = (job: JobDoc) => decodeDoc('jobs', encodeDoc('jobs', job));

    async function queuedJobs(store: FirestoreStore, n: number): Promise<string[]> {
      const queue = createQueue({ store, config: TEST_CONFIG });
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const { requestId: jobId } = await queue.enqueue({ audio: makeWav(0.2, { seed: i }), mimeType: 'audio/wav', userId: 'u' });
        await store.db.collection(store.collectionName('jobs')).doc(jobId).update({ createdAt: MICROS });
        ids.push(jobId);
      }
      return ids;
    }

    it('a claim over the version read sends only what changed and stores what a full write stores', async () => {
      const prefix = uniquePrefix('diff');
      const [a, b, reader] = [firestoreStore(env, prefix), firestoreStore(env, prefix), firestoreStore(env, prefix)];
      try {
        const [diffed, full] = await queuedJobs(a, 2);
        const now = a.now();
        const writes: Record<string, Record<string, unknown>> = {};
        for (const [id, writer] of [[diffed!, a], [full!, b]] as const) {
          // `a` reads both; `b` never read `full`, so its write cannot be a diff.
          const read = await a.get('jobs', id);
          expect(read.doc?.inlineAudio?.length).toBeGreaterThan(0);
          const next = claimJob(id, read.doc!, { owner: 'w1', now, leaseMs: 60_000 });
          expect((await writer.commitIf([{ op: 'set', collection: 'jobs', id, data: next, guard: { ifVersion: read.version! } }])).ok).toBe(true);
          expect((await reader.get('jobs', id)).doc).toEqual(stored(next));
          writes[id] = await raw(reader, id);
        }
        expect((writes[diffed!]!.createdAt as Timestamp).nanoseconds).toBe(123_456_000);
        expect((writes[full!]!.createdAt as Timestamp).nanoseconds).toBe(123_000_000);
        expect(definedKeys(writes[diffed!]!)).toEqual(definedKeys(writes[full!]!));
      } finally {
        await Promise.all([a.close(), b.close(), reader.close()]);
      }
    });

    it("a holder's later steps write over the version its own last write produced", async () => {
      const prefix = uniquePrefix('diffheld');
      const [store, reader] = [firestoreStore(env, prefix), firestoreStore(env, prefix)];
      try {
        const [id] = await queuedJobs(store, 1);
        const leases = new JobLeases(engineContext(store, { serverId: 'w1' }));
        const claimed = (await leases.claim(id!))!;
        const beat = await leases.heartbeat(id!, claimed.holder);
        expect((await reader.get('jobs', id!)).doc).toEqual(stored(beat.job));
        const done = await leases.complete(id!, claimed.holder, { transcript: 't', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: 0.2, tokens: 1 });
        expect(done.inlineAudio).toBeNull();
        expect((await reader.get('jobs', id!)).doc).toEqual(stored(done));
        const data = await raw(reader, id!);
        expect(data.inlineAudio).toBeNull();
        expect((data.createdAt as Timestamp).nanoseconds).toBe(123_456_000);
      } finally {
        await Promise.all([store.close(), reader.close()]);
      }
    });

    it('writes the engine fields a browser-written submission lacks, as a full write does', async () => {
      const prefix = uniquePrefix('diffsub');
      const [a, b] = [firestoreStore(env, prefix), firestoreStore(env, prefix)];
      try {
        const written: Record<string, unknown>[] = [];
        for (const writer of [a, b]) {
          const plan = await planSubmission({ audio: makeWav(0.2), mimeType: 'audio/wav', userId: 'web' }, { now: Date.now(), source: 'client' });
          await a.db.collection(a.collectionName('jobs')).doc(plan.jobId).set(clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }));
          const read = await a.get('jobs', plan.jobId);
          const next = { ...read.doc!, priority: 'low' as const };
          expect((await writer.commitIf([{ op: 'set', collection: 'jobs', id: plan.jobId, data: next, guard: { ifVersion: read.version! } }])).ok).toBe(true);
          written.push(await raw(a, plan.jobId));
        }
        expect(written[0]).toHaveProperty('fence', 0);
        expect(definedKeys(written[0]!)).toEqual(definedKeys(written[1]!));
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('a write over a version that moved on still fails its guard', async () => {
      const prefix = uniquePrefix('diffstale');
      const store = firestoreStore(env, prefix);
      try {
        const [id] = await queuedJobs(store, 1);
        const read = await store.get('jobs', id!);
        await store.db.collection(store.collectionName('jobs')).doc(id!).update({ priority: 'low' });
        const next = claimJob(id!, read.doc!, { owner: 'w1', now: store.now(), leaseMs: 60_000 });
        expect((await store.commitIf([{ op: 'set', collection: 'jobs', id: id!, data: next, guard: { ifVersion: read.version! } }])).ok).toBe(false);
        expect((await store.get('jobs', id!)).doc).toMatchObject({ status: 'queued', priority: 'low' });
      } finally {
        await store.close();
      }
    });
  });
});

/**
 * End users cancel by asking: the hook writes only `cancelRequest {at, by, reason}` on their
 * own unfinished job; the engine performs the cancellation.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import type { JobDoc } from '@fq/worker/schema';
import { doc, getDoc, serverTimestamp, updateDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UID, startRulesEnv, type Role, type RulesEnv } from './support/env.js';
import { job, seed } from './support/fixtures.js';
import { commitBatch, planUserSubmission, submissionWrites } from './support/product-writes.js';

let env: RulesEnv;
let submittedId: string;

const JOBS: Record<string, JobDoc> = {
  'alice-queued': job(UID.alice, 'queued'),
  'alice-queued-2': job(UID.alice, 'queued'),
  'alice-running': job(UID.alice, 'running'),
  'alice-waiting': job(UID.alice, 'waiting'),
  'alice-succeeded': job(UID.alice, 'succeeded'),
  'alice-failed': job(UID.alice, 'failed'),
  'alice-forgeries': job(UID.alice, 'queued'),
  'bob-queued': job(UID.bob, 'queued'),
};

beforeAll(async () => {
  env = await startRulesEnv('cancel');
  await seed(env, Object.entries(JOBS).map(([id, data]) => ({ collection: 'jobs' as const, id, data })));
  // A job exactly as the hook wrote it (only the submission's keys, microsecond createdAt).
  const plan = await planUserSubmission(UID.alice);
  await commitBatch(env.db('alice'), env.names, submissionWrites(plan));
  submittedId = plan.jobId;
});

afterAll(async () => {
  await env?.stop();
});

/** The hook's `cancel(requestId, reason)`: an update of the cancel request alone. */
function requestCancel(role: Role, jobId: string, patch: DocumentData = {}, reason: string | null = 'changed my mind'): Promise<void> {
  const by = role === 'anonymous' ? 'nobody' : role === 'admin' ? UID.admin : UID[role];
  const { request, ...rest } = patch as { request?: DocumentData };
  return updateDoc(doc(env.db(role), env.names.jobs, jobId), { cancelRequest: { at: serverTimestamp(), by, reason, ...request }, ...rest });
}

describe('cancel requests on own unfinished jobs', () => {
  for (const id of ['alice-queued', 'alice-running', 'alice-waiting']) {
    it(`alice may request cancellation of ${id}`, async () => {
      await assertSucceeds(requestCancel('alice', id));
      const stored = await env.asOwner(async (db) => (await getDoc(doc(db, env.names.jobs, id))).data());
      expect(stored?.cancelRequest).toMatchObject({ by: UID.alice, reason: 'changed my mind' });
      expect(stored?.status).toBe(JOBS[id]!.status);
    });
  }

  it('alice may request cancellation of a job she just submitted (client-written document)', async () => {
    await assertSucceeds(requestCancel('alice', submittedId, {}, null));
  });

  it('a second request on the same job is refused (the first one stands)', async () => {
    await assertFails(requestCancel('alice', 'alice-queued'));
  });
});

describe('refused cancel requests', () => {
  const cases: Array<[string, Role, string, DocumentData?, (string | null)?]> = [
    ['a finished job (succeeded)', 'alice', 'alice-succeeded'],
    ['a finished job (failed)', 'alice', 'alice-failed'],
    ["another user's job", 'alice', 'bob-queued'],
    ['by someone signed out', 'anonymous', 'alice-forgeries'],
    ["by another user on alice's job", 'bob', 'alice-forgeries'],
    ['by an admin through the end-user path (admins use job.cancel)', 'admin', 'alice-forgeries'],
    ['in the name of someone else', 'alice', 'alice-forgeries', { request: { by: UID.bob } }],
    ['with a client-clock time', 'alice', 'alice-forgeries', { request: { at: new Date() } }],
    ['with a 501-character reason', 'alice', 'alice-forgeries', {}, 'r'.repeat(501)],
    ['with an extra field in the request', 'alice', 'alice-forgeries', { request: { force: true } }],
    ['that also marks the job cancelled', 'alice', 'alice-forgeries', { status: 'cancelled' }],
    ['that also raises the priority', 'alice', 'alice-forgeries', { priority: 'urgent' }],
    ['that also takes a lease', 'alice', 'alice-forgeries', { lease: { owner: UID.alice, token: 1 }, fence: 1 }],
  ];
  for (const [what, role, id, patch, reason] of cases) {
    it(what, async () => {
      await assertFails(requestCancel(role, id, patch, reason === undefined ? 'changed my mind' : reason));
    });
  }

  it('left the job untouched', async () => {
    const stored = await env.asOwner(async (db) => (await getDoc(doc(db, env.names.jobs, 'alice-forgeries'))).data());
    expect(stored?.cancelRequest).toBeNull();
    expect(stored?.status).toBe('queued');
  });
});

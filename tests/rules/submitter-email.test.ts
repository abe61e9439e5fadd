/**
 * A submission records the submitter's e-mail as their token states it (the console searches
 * jobs by it): the own e-mail (and its lowercased copy) is accepted, another's is refused,
 * and an account without an e-mail records null. Submissions that leave both fields out (clients
 * from before e-mails were recorded) still pass. An operator control keeps it as submitted.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { doc, getDoc, type DocumentData, type Firestore } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, job, seed } from './support/fixtures.js';
import { adminActor, commitBatch, planUserSubmission, runControl, submissionWrites, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const CONTROLLED = ['kept', 'changed', 'dropped'] as const;

beforeAll(async () => {
  env = await startRulesEnv('email');
  // Failed jobs with their audio (a retry needs it) that recorded their submitter's e-mail.
  await seed(
    env,
    CONTROLLED.flatMap((id) => [
      { collection: 'jobs' as const, id, data: job(UID.alice, 'failed', { userEmail: 'Alice@Example.com', userEmailLower: 'alice@example.com' }) },
      { collection: 'payloads' as const, id: `${id}_0000`, data: chunk(id, UID.alice) },
    ]),
  );
});

afterAll(async () => {
  await env?.stop();
});

const jobOf = (writes: PlannedWrite[]): DocumentData => writes.find((w) => w.collection === 'jobs')!.data!;

async function stored(jobId: string): Promise<DocumentData | undefined> {
  return env.asOwner(async (db) => (await getDoc(doc(db, env.names.jobs, jobId))).data());
}

/** A user of the normal tier (alice's context has the priority tier; the plan asks for `normal`). */
const asUser = (uid: string, email?: string): Firestore => env.dbAs(uid, email === undefined ? {} : { email });

describe('the submitter e-mail on a submission', () => {
  it('the own e-mail is accepted and stored with its lowercased copy', async () => {
    const plan = await planUserSubmission(UID.alice, { userEmail: 'Alice.Smith@Example.COM', priority: 'normal' });
    expect(plan.submission).toMatchObject({ userEmail: 'Alice.Smith@Example.COM', userEmailLower: 'alice.smith@example.com' });
    await assertSucceeds(commitBatch(asUser(UID.alice, 'Alice.Smith@Example.COM'), env.names, submissionWrites(plan)));
    expect(await stored(plan.jobId)).toMatchObject({ userEmail: 'Alice.Smith@Example.COM', userEmailLower: 'alice.smith@example.com' });
  });

  it("another user's e-mail is refused, and so is null from an account that has one", async () => {
    const bobs = await planUserSubmission(UID.alice, { userEmail: 'bob@example.com', priority: 'normal' });
    await assertFails(commitBatch(asUser(UID.alice, 'alice@example.com'), env.names, submissionWrites(bobs)));
    const hidden = await planUserSubmission(UID.alice, { userEmail: null, priority: 'normal' });
    await assertFails(commitBatch(asUser(UID.alice, 'alice@example.com'), env.names, submissionWrites(hidden)));
    expect(await stored(bobs.jobId)).toBeUndefined();
    expect(await stored(hidden.jobId)).toBeUndefined();
  });

  it('the lowercased copy must be the e-mail lowercased (it is what the search matches)', async () => {
    const plan = await planUserSubmission(UID.alice, { userEmail: 'alice@example.com', priority: 'normal' });
    const writes = submissionWrites(plan);
    jobOf(writes).userEmailLower = 'bob@example.com';
    await assertFails(commitBatch(asUser(UID.alice, 'alice@example.com'), env.names, writes));
    // Only one of the two fields: refused too.
    const half = submissionWrites(await planUserSubmission(UID.alice, { userEmail: 'alice@example.com', priority: 'normal' }));
    delete jobOf(half).userEmailLower;
    await assertFails(commitBatch(asUser(UID.alice, 'alice@example.com'), env.names, half));
  });

  it('an account without an e-mail records null, and cannot claim one', async () => {
    const none = await planUserSubmission(UID.bob, { userEmail: null, priority: 'normal' });
    await assertSucceeds(commitBatch(asUser(UID.bob), env.names, submissionWrites(none)));
    expect(await stored(none.jobId)).toMatchObject({ userEmail: null, userEmailLower: null });
    const claimed = await planUserSubmission(UID.bob, { userEmail: 'bob@example.com', priority: 'normal' });
    await assertFails(commitBatch(asUser(UID.bob), env.names, submissionWrites(claimed)));
  });

  it('a submission without the fields (an older client) is still accepted', async () => {
    const plan = await planUserSubmission(UID.alice, { priority: 'normal' });
    expect(plan.submission).not.toHaveProperty('userEmail');
    await assertSucceeds(commitBatch(asUser(UID.alice, 'alice@example.com'), env.names, submissionWrites(plan)));
  });

  it('an operator control keeps the e-mail as submitted; one that changes or drops it is refused', async () => {
    const admin = adminActor(UID.admin, ADMIN_EMAIL);
    const jobData = (writes: PlannedWrite[]) => writes.find((w) => w.collection === 'jobs')!.data!;
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['kept'] }, admin));
    expect(await stored('kept')).toMatchObject({ status: 'queued', userEmail: 'Alice@Example.com', userEmailLower: 'alice@example.com' });
    await assertFails(
      runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['changed'] }, admin, {
        tamper: (writes) => void Object.assign(jobData(writes), { userEmail: 'bob@example.com', userEmailLower: 'bob@example.com' }),
      }),
    );
    await assertFails(
      runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['dropped'] }, admin, {
        tamper: (writes) => {
          delete jobData(writes).userEmail;
          delete jobData(writes).userEmailLower;
        },
      }),
    );
    expect(await stored('changed')).toMatchObject({ status: 'failed', userEmail: 'Alice@Example.com' });
  });
});

/**
 * One rules file for every collection prefix (tenants or test runs sharing a project), and
 * nothing for collections that are not Firequeue's.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { collectionNames } from '@fq/worker/schema';
import { collection, doc, getDoc, getDocs, limit, query, setDoc, where } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { encoded, job, seed } from './support/fixtures.js';
import { adminActor, commitBatch, planUserSubmission, runControl, submissionWrites } from './support/product-writes.js';

let env: RulesEnv;

beforeAll(async () => {
  env = await startRulesEnv('prefix', 'tenant-a_');
  await seed(env, [{ collection: 'jobs', id: 'j1', data: job(UID.alice, 'waiting') }]);
  await env.asOwner((db) => setDoc(doc(db, 'users', UID.alice), { name: 'Alice' }));
});

afterAll(async () => {
  await env?.stop();
});

describe('a prefixed deployment', () => {
  it('end users submit and read their own jobs', async () => {
    expect(env.names.jobs).toBe('tenant-a_transcription_queue');
    const plan = await planUserSubmission(UID.alice);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
    const own = query(collection(env.db('alice'), env.names.jobs), where('userId', '==', UID.alice), limit(10));
    expect((await assertSucceeds(getDocs(own))).size).toBe(2);
  });

  it('audio chunks must go to the payload collection of the same prefix', async () => {
    const plan = await planUserSubmission(UID.alice);
    const mixed = { ...env.names, payloads: collectionNames('tenant-b_').payloads };
    await assertFails(commitBatch(env.db('alice'), mixed, submissionWrites(plan)));
  });

  it('admins run controls', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['j1'] }, adminActor(UID.admin, ADMIN_EMAIL)));
  });
});

describe('collections that are not Firequeue collections', () => {
  it('are not readable even by admins, nor writable by anyone', async () => {
    await assertFails(getDoc(doc(env.db('admin'), 'users', UID.alice)));
    await assertFails(getDoc(doc(env.db('alice'), 'users', UID.alice)));
    await assertFails(setDoc(doc(env.db('admin'), 'users', 'x'), { name: 'X' }));
  });

  it('a name that only contains a Firequeue name, or a prefix with forbidden characters, does not count', async () => {
    const plan = await planUserSubmission(UID.alice);
    for (const prefix of ['', 'tenant.a_']) {
      const names = { ...collectionNamesUnchecked(prefix), jobs: `${prefix}transcription_queue_archive` };
      await assertFails(commitBatch(env.db('alice'), names, submissionWrites(plan)));
    }
    await assertFails(getDocs(collection(env.db('admin'), 'tenant.a_transcription_queue')));
    await assertFails(setDoc(doc(env.db('alice'), 'transcription_queue_archive', 'x'), encoded('jobs', job(UID.alice, 'queued'))));
  });
});

/** collectionNames() refuses invalid prefixes; build such names by hand to try them. */
function collectionNamesUnchecked(prefix: string): ReturnType<typeof collectionNames> {
  const base = collectionNames('');
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, prefix + v])) as ReturnType<typeof collectionNames>;
}

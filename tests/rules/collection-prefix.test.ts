/**
 * One rules file for every collection prefix (tenants or test runs sharing a project), and
 * nothing for collections that are not Firequeue's. The `tenant` claim binds an account to
 * one prefix (none: the default prefix ""), admins included; a prefix takes writes only
 * while `firequeue_config/tenants` lists it as served.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { collectionNames, SERVED_PREFIXES_DOC } from '@fq/worker/schema';
import { collection, deleteDoc, doc, getDoc, getDocs, limit, query, serverTimestamp, setDoc, updateDoc, where } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { encoded, engineDocs, job, seed } from './support/fixtures.js';
import { adminActor, commitBatch, planUserSubmission, runControl, submissionWrites } from './support/product-writes.js';

let env: RulesEnv;

const DEFAULT_NAMES = collectionNames('');
const TENANT_B = collectionNames('tenant-b_');
/** Accounts of other tenants: the default tenant (no claim) and tenant-b_. */
const defaultUser = () => env.dbAs(UID.alice, { email: 'alice@example.com' });
const defaultAdmin = () => env.dbAs(UID.admin, { email: ADMIN_EMAIL, admin: true });
const userB = () => env.dbAs('mallory', { email: 'mallory@example.com', tenant: 'tenant-b_' });
const adminB = () => env.dbAs('admin-b', { email: 'admin-b@example.com', admin: true, tenant: 'tenant-b_' });

beforeAll(async () => {
  env = await startRulesEnv('prefix', 'tenant-a_');
  await env.serve(['', 'tenant-a_', 'tenant-b_']);
  await seed(env, [
    { collection: 'jobs', id: 'j1', data: job(UID.alice, 'waiting') },
    { collection: 'jobs', id: 'j2', data: job(UID.alice, 'waiting') },
    { collection: 'stats', id: 'queue', data: engineDocs(UID.alice).stats.data },
  ]);
  // The same user id in the default tenant's collections (another tenant's data).
  await env.asOwner((db) => setDoc(doc(db, DEFAULT_NAMES.jobs, 'd1'), encoded('jobs', job(UID.alice, 'waiting'))));
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
    expect((await assertSucceeds(getDocs(own))).size).toBe(3);
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

describe('tenants: an account touches only the prefix its claim names', () => {
  it("cross-tenant reads are refused: another tenant's user and admin, and the same uid without the claim", async () => {
    const ownJobs = (names: typeof env.names) => query(collection(userB(), names.jobs), where('userId', '==', 'mallory'), limit(10));
    await assertSucceeds(getDocs(ownJobs(TENANT_B)));
    await assertFails(getDocs(ownJobs(env.names)));
    await assertFails(getDoc(doc(userB(), env.names.stats, 'queue')));
    await assertFails(getDoc(doc(adminB(), env.names.jobs, 'j1')));
    await assertFails(getDocs(query(collection(adminB(), env.names.audit), limit(10))));
    // alice's uid, but her account here carries no claim: it belongs to the default tenant.
    await assertFails(getDoc(doc(defaultUser(), env.names.jobs, 'j1')));
    await assertSucceeds(getDoc(doc(defaultUser(), DEFAULT_NAMES.jobs, 'd1')));
    // ... and the tenant-a_ account cannot read the default tenant's copy.
    await assertFails(getDoc(doc(env.db('alice'), DEFAULT_NAMES.jobs, 'd1')));
    await assertFails(getDoc(doc(env.db('admin'), DEFAULT_NAMES.jobs, 'd1')));
    await assertSucceeds(getDoc(doc(defaultAdmin(), DEFAULT_NAMES.jobs, 'd1')));
  });

  it("cross-tenant writes are refused: a submission into another tenant's prefix, a cancel request there", async () => {
    const plan = await planUserSubmission('mallory', { priority: 'normal' });
    await assertFails(commitBatch(userB(), env.names, submissionWrites(plan)));
    await assertSucceeds(commitBatch(userB(), TENANT_B, submissionWrites(plan)));
    const own = await planUserSubmission(UID.alice, { priority: 'normal' });
    await assertFails(commitBatch(defaultUser(), env.names, submissionWrites(own)));
    await assertFails(commitBatch(env.db('alice'), DEFAULT_NAMES, submissionWrites(own)));
    await assertFails(updateDoc(doc(defaultUser(), env.names.jobs, 'j1'), { cancelRequest: { at: serverTimestamp(), by: UID.alice, reason: null } }));
  });

  it("admin controls of another tenant are refused (admin: true spans only the admin's own prefix)", async () => {
    const b = adminActor('admin-b', 'admin-b@example.com');
    await assertFails(runControl(adminB(), env.names, { type: 'job.retry', jobIds: ['j2'] }, b));
    await assertFails(runControl(adminB(), env.names, { type: 'queue.pause' }, b));
    await assertFails(runControl(adminB(), env.names, { type: 'breaker.force_open', model: 'gemini-x' }, b));
    await assertFails(runControl(defaultAdmin(), env.names, { type: 'queue.pause' }, adminActor(UID.admin, ADMIN_EMAIL)));
    // The tenant's own admin may, in its own prefix only.
    await assertFails(runControl(env.db('admin'), DEFAULT_NAMES, { type: 'job.retry', jobIds: ['d1'] }, adminActor(UID.admin, ADMIN_EMAIL)));
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['j2'] }, adminActor(UID.admin, ADMIN_EMAIL)));
  });

  it('a prefix no deployment serves takes no writes, whatever the claim says', async () => {
    const ghost = collectionNames('ghost_');
    const user = env.dbAs('casper', { email: 'casper@example.com', tenant: 'ghost_' });
    const admin = env.dbAs('ghost-admin', { email: 'ops@ghost.example', admin: true, tenant: 'ghost_' });
    const plan = await planUserSubmission('casper', { priority: 'normal' });
    await assertFails(commitBatch(user, ghost, submissionWrites(plan)));
    await assertFails(runControl(admin, ghost, { type: 'queue.pause' }, adminActor('ghost-admin', 'ops@ghost.example')));
    // Once a deployment serves it, the same writes go through.
    await env.serve(['', 'tenant-a_', 'tenant-b_', 'ghost_']);
    await assertSucceeds(commitBatch(user, ghost, submissionWrites(plan)));
    await assertSucceeds(runControl(admin, ghost, { type: 'queue.pause' }, adminActor('ghost-admin', 'ops@ghost.example')));
    await env.serve(['', 'tenant-a_', 'tenant-b_']);
  });

  it('without the served-prefixes document nothing is writable', async () => {
    await env.asOwner((db) => deleteDoc(doc(db, SERVED_PREFIXES_DOC.collection, SERVED_PREFIXES_DOC.id)));
    const plan = await planUserSubmission(UID.alice, { priority: 'normal' });
    await assertFails(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
    await env.serve(['', 'tenant-a_', 'tenant-b_']);
    await assertSucceeds(commitBatch(env.db('alice'), env.names, submissionWrites(plan)));
  });

  it('nobody reads or writes the served-prefixes document from a client', async () => {
    const ref = (role: 'admin' | 'alice') => doc(env.db(role), SERVED_PREFIXES_DOC.collection, SERVED_PREFIXES_DOC.id);
    await assertFails(getDoc(ref('admin')));
    await assertFails(setDoc(ref('admin'), { servedPrefixes: ['evil_'] }));
    await assertFails(setDoc(ref('alice'), { servedPrefixes: ['evil_'] }));
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

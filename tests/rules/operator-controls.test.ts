/**
 * Operators' controls, planned by the engine's `planControl` and committed the way the
 * dashboard commits them (one transaction: the plan's `set`s and deletes plus the audit
 * entry). Every control the product offers is allowed for an admin in exactly that shape;
 * the same plans from a non-admin, and forged variants from an admin, are refused.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { payloadChunkId, type CollectionKey, type DocOf, type JobDoc } from '@fq/worker/schema';
import { collection, deleteDoc, doc, getDoc, getDocs, setDoc, updateDoc, type DocumentData, type Timestamp } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, engineDocs, HOUR_AGO, job, seed } from './support/fixtures.js';
import {
  adminActor,
  auditWrite,
  commitBatch,
  planUserSubmission,
  runControl,
  submissionWrites,
  type PlannedWrite,
} from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);
const BULK = Array.from({ length: 30 }, (_, i) => `bulk-${i}`);
let submittedId: string;

type Seed = { collection: CollectionKey; id: string; data: DocOf<CollectionKey> };
const jobSeed = (id: string, data: JobDoc): Seed[] => [
  { collection: 'jobs', id, data },
  { collection: 'payloads', id: payloadChunkId(id, 0), data: chunk(id, data.userId) },
];

beforeAll(async () => {
  env = await startRulesEnv('controls');
  const base = engineDocs(UID.alice);
  const withUserCancel = job(UID.alice, 'queued', { cancelRequest: { at: HOUR_AGO, by: UID.alice, reason: 'no longer needed' } });
  await seed(env, [
    { collection: 'breakers', id: 'gemini-a', data: { ...base.breakers.data, model: 'gemini-a', history: [{ from: 'open', to: 'closed', at: HOUR_AGO, reason: 'probe ok', by: 'server-1' }] } },
    { collection: 'breakers', id: 'gemini-b', data: { ...base.breakers.data, model: 'gemini-b' } },
    { collection: 'locks', id: 'maintenance', data: base.locks.data },
    { collection: 'locks', id: 'forged', data: { ...base.locks.data, name: 'forged' } },
    ...jobSeed('queued', job(UID.alice, 'queued')),
    ...jobSeed('queued-user-cancel', withUserCancel),
    ...jobSeed('running', job(UID.alice, 'running')),
    ...jobSeed('waiting', job(UID.alice, 'waiting')),
    ...jobSeed('failed', job(UID.alice, 'failed')),
    ...jobSeed('dead', job(UID.bob, 'dead_lettered', { redriveCount: 1 })),
    ...jobSeed('forge-target', job(UID.bob, 'waiting')),
    ...BULK.flatMap((id) => jobSeed(id, job(UID.bob, 'queued'))),
  ]);
  // A job exactly as the hook wrote it: the admin cancels it before admission.
  const plan = await planUserSubmission(UID.alice);
  await commitBatch(env.db('alice'), env.names, submissionWrites(plan));
  submittedId = plan.jobId;
});

afterAll(async () => {
  await env?.stop();
});

async function stored(collection: CollectionKey, id: string): Promise<DocumentData | undefined> {
  return env.asOwner(async (db) => (await getDoc(doc(db, env.names[collection], id))).data());
}

async function auditCount(): Promise<number> {
  return env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).size);
}

describe('every control the dashboard offers is allowed to an admin, in the planner shape', () => {
  it('queue.pause and a partial queue.resume', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'queue.pause', reason: 'upstream incident' }, admin));
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'queue.resume', priorities: ['urgent', 'high'] }, admin));
    expect(await stored('controls', 'queue')).toMatchObject({ paused: false, pausedPriorities: ['normal', 'low'], updatedBy: UID.admin });
  });

  it('breaker.force_open of a breaker no server created yet', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'breaker.force_open', model: 'gemini-new' }, admin));
    expect(await stored('breakers', 'gemini-new')).toMatchObject({ state: 'open', override: 'force_open', overrideBy: UID.admin, generation: 1 });
  });

  it('breaker.force_close and breaker.reset of breakers no server created yet', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'breaker.force_close', model: 'gemini-pinned' }, admin));
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'breaker.reset', model: 'gemini-fresh' }, admin));
    expect(await stored('breakers', 'gemini-pinned')).toMatchObject({ state: 'closed', override: 'force_closed', generation: 0 });
    expect(await stored('breakers', 'gemini-fresh')).toMatchObject({ state: 'closed', override: null, generation: 0 });
  });

  it('breaker.force_close, clear_override, force_open, reset on a breaker with history', async () => {
    for (const type of ['breaker.force_close', 'breaker.clear_override', 'breaker.force_open', 'breaker.reset'] as const) {
      await assertSucceeds(runControl(env.db('admin'), env.names, { type, model: 'gemini-a', reason: `test ${type}` }, admin));
    }
    const breaker = await stored('breakers', 'gemini-a');
    expect(breaker).toMatchObject({ state: 'closed', override: null, generation: 4 });
    expect(breaker?.history).toHaveLength(3);
  });

  it('lock.force_release keeps the fencing token', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'lock.force_release', name: 'maintenance' }, admin));
    expect(await stored('locks', 'maintenance')).toMatchObject({ holder: null, token: 7, releasedBy: UID.admin });
  });

  it('job.cancel of a queued job deletes its audio in the same transaction', async () => {
    const plan = await runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: ['queued'] }, admin);
    expect(plan.mutations.some((m) => m.op === 'delete' && m.collection === 'payloads')).toBe(true);
    expect(await stored('jobs', 'queued')).toMatchObject({ status: 'cancelled', cancelRequest: { by: UID.admin } });
    expect(await stored('payloads', payloadChunkId('queued', 0))).toBeUndefined();
  });

  it('job.cancel keeps the cancel request a user made before', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: ['queued-user-cancel'] }, admin));
    expect(await stored('jobs', 'queued-user-cancel')).toMatchObject({ status: 'cancelled', cancelRequest: { by: UID.alice } });
  });

  it('job.cancel of a job still `submitted` (written by the browser, not yet admitted)', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: [submittedId] }, admin));
    expect(await stored('jobs', submittedId)).toMatchObject({ status: 'cancelled', userId: UID.alice });
  });

  it('job.cancel of a running job only records the request', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: ['running'], reason: 'stuck' }, admin));
    expect(await stored('jobs', 'running')).toMatchObject({ status: 'running', cancelRequest: { by: UID.admin, reason: 'stuck' } });
  });

  it('job.retry of a waiting and of a failed job, job.redrive of a dead letter', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['waiting', 'failed'] }, admin));
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.redrive', jobIds: ['dead'] }, admin));
    expect(await stored('jobs', 'waiting')).toMatchObject({ status: 'queued', attempts: 1 });
    expect(await stored('jobs', 'failed')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await stored('jobs', 'dead')).toMatchObject({ status: 'queued', attempts: 0, redriveCount: 2 });
    // Seeded without a claim shard (jobs from before shards): the requeue gives them one.
    for (const id of ['waiting', 'failed', 'dead']) expect((await stored('jobs', id))?.shard).toEqual(expect.any(Number));
  });

  it('a bulk cancel of 30 jobs with their audio (61 writes in one transaction)', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: BULK, selection: 'status=queued, user=bob' }, admin));
    expect(await stored('jobs', BULK[29]!)).toMatchObject({ status: 'cancelled' });
  });

  it('wrote one audit entry per control, by the acting admin, at the commit time', async () => {
    const entries = await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs.map((d) => d.data()));
    expect(entries).toHaveLength(17);
    for (const e of entries) {
      expect(e.actor).toEqual({ kind: 'admin', id: UID.admin, email: ADMIN_EMAIL });
      expect(Math.abs((e.at as Timestamp).toMillis() - Date.now())).toBeLessThan(300_000);
    }
  });
});

describe('the same controls from anyone but an admin are refused', () => {
  for (const role of ['anonymous', 'alice', 'bob'] as const) {
    it(`${role}: pause, breaker override, lock release, retry`, async () => {
      const actor = adminActor(role === 'anonymous' ? 'nobody' : UID[role], null);
      const db = env.db(role);
      await assertFails(runControl(db, env.names, { type: 'queue.pause' }, actor));
      await assertFails(runControl(db, env.names, { type: 'breaker.force_close', model: 'gemini-b' }, actor));
      await assertFails(runControl(db, env.names, { type: 'lock.force_release', name: 'forged' }, actor));
      await assertFails(runControl(db, env.names, { type: 'job.retry', jobIds: ['forge-target'] }, actor));
    });
  }
});

type Forgery = [string, Parameters<typeof runControl>[2], (writes: PlannedWrite[]) => void];
const main = (w: PlannedWrite[]): DocumentData => w.find((x) => x.collection !== 'audit' && x.op === 'set')!.data!;
const audit = (w: PlannedWrite[]): DocumentData => auditWrite(w).data!;

const FORGERIES: Forgery[] = [
  ['an audit entry stamped with the client clock', { type: 'queue.pause' }, (w) => void (audit(w).at = new Date())],
  ["an audit entry in another admin's name", { type: 'queue.pause' }, (w) => void (audit(w).actor = { kind: 'admin', id: 'other-admin', email: ADMIN_EMAIL })],
  ['an audit actor that claims to be a server', { type: 'queue.pause' }, (w) => void (audit(w).actor = { kind: 'server', id: UID.admin, email: ADMIN_EMAIL })],
  ['an audit actor with a forged email', { type: 'queue.pause' }, (w) => void (audit(w).actor = { kind: 'admin', id: UID.admin, email: 'ceo@example.com' })],
  ['an audit target that does not fit the action', { type: 'queue.pause' }, (w) => void (audit(w).target = { kind: 'job', id: 'x' })],
  ['an unknown audit action', { type: 'queue.pause' }, (w) => void (audit(w).action = 'queue.delete')],
  ['an audit entry with an extra field', { type: 'queue.pause' }, (w) => void (audit(w).approvedBy = 'ceo')],
  ['queue controls in another admin\'s name', { type: 'queue.pause' }, (w) => void (main(w).updatedBy = 'other-admin')],
  ['queue controls with an hour-old time', { type: 'queue.pause' }, (w) => void (main(w).updatedAt = new Date(HOUR_AGO))],
  ['queue controls with a duplicated priority', { type: 'queue.pause', priorities: ['low'] }, (w) => void (main(w).pausedPriorities = ['low', 'low'])],
  ['queue controls with an extra field', { type: 'queue.pause' }, (w) => void (main(w).maxQueueSize = 1)],
  ['a breaker override credited to someone else', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (main(w).overrideBy = 'other-admin')],
  ['a forced-open breaker that is closed', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (main(w).state = 'closed')],
  ['a breaker with a moved probe token', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (main(w).probeToken = 99)],
  ['a breaker with rewritten history', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (main(w).history = [])],
  ['a breaker generation jump', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (main(w).generation = 10)],
  ['a lock release that moves the fencing token', { type: 'lock.force_release', name: 'forged' }, (w) => void (main(w).token = 0)],
  ['a lock release credited to someone else', { type: 'lock.force_release', name: 'forged' }, (w) => void (main(w).releasedBy = 'server-1')],
  ['a lock "release" that hands the lock over', { type: 'lock.force_release', name: 'forged' }, (w) => void (main(w).holder = 'admin-box')],
  ['a retry that marks the job succeeded', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).status = 'succeeded')],
  ['a retry that moves the job to another user', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).userId = UID.alice)],
  ['a retry that raises the priority', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).priority = 'urgent')],
  ['a retry that moves the fencing token', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).fence = 0)],
  ['a retry that keeps a lease', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).lease = { owner: 'x', token: 1 })],
  ['a retry that rewrites the error history', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).errors = [])],
  ['a retry that adds redrives', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).redriveCount = 5)],
  ['a retry that gives the job a claim shard that does not exist', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).shard = 8)],
  ['a cancel that keeps the job claimable', { type: 'job.cancel', jobIds: ['forge-target'] }, (w) => void (main(w).availableAt = new Date())],
  ['a cancel in another admin\'s name', { type: 'job.cancel', jobIds: ['forge-target'] }, (w) => void ((main(w).cancelRequest as DocumentData).by = 'other-admin')],
  ['a cancel that adds a result', { type: 'job.cancel', jobIds: ['forge-target'] }, (w) => void (main(w).result = { transcript: 'x' })],
];

describe('forged control writes from an admin are refused and change nothing', () => {
  for (const [what, command, forge] of FORGERIES) {
    it(what, async () => {
      const before = await auditCount();
      await assertFails(runControl(env.db('admin'), env.names, command, admin, { tamper: forge }));
      expect(await auditCount()).toBe(before);
    });
  }

  it('a planner clock an hour off is refused (times must be the server time, within minutes)', async () => {
    await assertFails(runControl(env.db('admin'), env.names, { type: 'queue.pause' }, admin, { now: HOUR_AGO }));
  });

  it('the forged targets are untouched', async () => {
    expect(await stored('jobs', 'forge-target')).toMatchObject({ status: 'waiting', userId: UID.bob, fence: 1 });
    expect(await stored('breakers', 'gemini-b')).toMatchObject({ state: 'closed', override: null, generation: 2 });
    expect(await stored('locks', 'forged')).toMatchObject({ holder: 'server-1', token: 7 });
  });
});

describe('the audit log is append-only', () => {
  it('nobody updates or deletes an entry, not even an admin', async () => {
    const id = await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs[0]!.id);
    for (const role of ['admin', 'alice', 'anonymous'] as const) {
      const ref = doc(env.db(role), env.names.audit, id);
      await assertFails(updateDoc(ref, { reason: 'rewritten' }));
      await assertFails(deleteDoc(ref));
      await assertFails(setDoc(ref, { reason: 'replaced' }));
    }
  });

  it('an audit entry on its own is refused to everyone but an admin', async () => {
    const entry = { ...(await stored('audit', (await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs[0]!.id)))!) };
    await assertFails(setDoc(doc(env.db('alice'), env.names.audit, 'by-alice'), { ...entry, actor: { kind: 'admin', id: UID.alice, email: 'alice@example.com' } }));
  });
});

/**
 * Operators' controls, planned by the engine's `planControl` and committed the way the
 * dashboard commits them (one transaction: the plan's `set`s and deletes plus the audit
 * entry). Every control the product offers is allowed for an admin in exactly that shape;
 * the same plans from a non-admin, and forged variants from an admin, are refused.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  AUDIT_MIN_RETENTION_DAYS,
  AUDIT_MIN_RETENTION_MS,
  auditEntryId,
  payloadChunkId,
  type CollectionKey,
  type DocOf,
  type JobDoc,
} from '@fq/worker/schema';
import { Bytes, collection, deleteDoc, doc, getDoc, getDocs, serverTimestamp, setDoc, updateDoc, type DocumentData, type Timestamp } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, engineDocs, HOUR_AGO, job, seed } from './support/fixtures.js';
import {
  adminActor,
  auditWrite,
  commitBatch,
  planUserSubmission,
  runBulkControl,
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
/** Small server-submitted audio travels inline in the job (`inlineAudio`, no chunk). */
const INLINE = new Uint8Array(2_000).fill(5);
const inlineJob = (status: JobDoc['status']): JobDoc =>
  job(UID.bob, status, { source: 'server', audio: { mimeType: 'audio/wav', bytes: INLINE.length, chunkCount: 0, durationSec: null, sha256: null }, inlineAudio: INLINE });
const inlineSeed = (id: string, status: JobDoc['status']): Seed[] => [{ collection: 'jobs', id, data: inlineJob(status) }];

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
    ...inlineSeed('forge-inline', 'waiting'),
    ...inlineSeed('inline-queued', 'queued'),
    ...inlineSeed('inline-dead', 'dead_lettered'),
    ...jobSeed('retry-a', job(UID.bob, 'waiting')),
    ...jobSeed('retry-b', job(UID.bob, 'failed')),
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

  it('a bulk cancel of 30 jobs with their audio, as the dashboard commits it (16 jobs + 16 chunks + 1 entry, then 14 + 14 + 1)', async () => {
    const plans = await assertSucceeds(
      runBulkControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: BULK, selection: 'status=queued, user=bob' }, admin),
    );
    expect(plans.map((p) => p.audit.targetIds.length)).toEqual([16, 14]);
    expect(await stored('jobs', BULK[29]!)).toMatchObject({ status: 'cancelled', controlAudit: { id: plans[1]!.auditId, index: 13 } });
    expect(await stored('audit', plans[0]!.auditId)).toMatchObject({ target: { kind: 'job', id: 'status=queued, user=bob (part 1 of 2)' } });
  });

  it('job.cancel of a queued job with inline audio drops it in the job write (no chunk to delete)', async () => {
    const plan = await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: ['inline-queued'] }, admin));
    expect(plan.mutations.some((m) => m.op === 'delete')).toBe(false);
    expect(await stored('jobs', 'inline-queued')).toMatchObject({ status: 'cancelled', inlineAudio: null, audio: { chunkCount: 0 } });
  });

  it('job.redrive of a dead letter with inline audio keeps the audio, byte for byte', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.redrive', jobIds: ['inline-dead'] }, admin));
    const redriven = await stored('jobs', 'inline-dead');
    expect(redriven).toMatchObject({ status: 'queued', redriveCount: 1 });
    expect((redriven?.inlineAudio as Bytes).toUint8Array()).toEqual(INLINE);
  });

  it('wrote one audit entry per control, by the acting admin, at the commit time', async () => {
    const entries = await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs.map((d) => d.data()));
    expect(entries).toHaveLength(20);
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
/** An entry the suite committed before the forgeries (set in their beforeAll). */
let existingEntryId = '';
function commandFor(type: 'queue.pause' | 'breaker.force_open' | 'lock.force_release' | 'job.retry' | 'job.cancel'): Parameters<typeof runControl>[2] {
  switch (type) {
    case 'queue.pause':
      return { type };
    case 'breaker.force_open':
      return { type, model: 'gemini-b' };
    case 'lock.force_release':
      return { type, name: 'forged' };
    case 'job.retry':
    case 'job.cancel':
      return { type, jobIds: ['forge-target'] };
  }
}
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
  [
    'a breaker with forged trip evidence',
    { type: 'breaker.force_open', model: 'gemini-b' },
    (w) => void (main(w).trip = { at: new Date(HOUR_AGO), rule: 'window', reason: 'forged', by: 'server-1', failures: 99, calls: 99, failuresByClass: {}, since: null }),
  ],
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
  ['a retry that gives the job a claim shard that does not exist', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).shard = 16)],
  ['a cancel that keeps the job claimable', { type: 'job.cancel', jobIds: ['forge-target'] }, (w) => void (main(w).availableAt = new Date())],
  ['a cancel in another admin\'s name', { type: 'job.cancel', jobIds: ['forge-target'] }, (w) => void ((main(w).cancelRequest as DocumentData).by = 'other-admin')],
  ['a cancel that adds a result', { type: 'job.cancel', jobIds: ['forge-target'] }, (w) => void (main(w).result = { transcript: 'x' })],
  // Audit by construction: no control without its entry, no entry without its control.
  ...(['queue.pause', 'breaker.force_open', 'lock.force_release', 'job.retry', 'job.cancel'] as const).map(
    (type): Forgery => [`${type} without its audit entry`, commandFor(type), (w) => void w.splice(w.indexOf(auditWrite(w)), 1)],
  ),
  ...(['queue.pause', 'breaker.force_open', 'lock.force_release', 'job.retry'] as const).map(
    (type): Forgery => [`${type} with its entry under another id`, commandFor(type), (w) => void (auditWrite(w).id = `${auditWrite(w).id}x`)],
  ),
  ['a control naming an entry that already exists (an earlier control\'s)', { type: 'queue.pause' }, (w) => {
    w.splice(w.indexOf(auditWrite(w)), 1);
    main(w).controlAudit = { id: existingEntryId, index: 0 };
  }],
  ['a control whose document names no entry', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (main(w).controlAudit = null)],
  ['a pause recorded as a resume', { type: 'queue.pause' }, (w) => void (audit(w).action = 'queue.resume')],
  ['a pause whose entry misstates the state before', { type: 'queue.pause' }, (w) => void (audit(w).details = { ...audit(w).details, pausedBefore: 'low' })],
  ['a forced-open breaker recorded as a reset', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (audit(w).action = 'breaker.reset')],
  ['a breaker entry that misstates the new state', { type: 'breaker.force_open', model: 'gemini-b' }, (w) => void (audit(w).details = { ...audit(w).details, to: 'closed' })],
  ['a lock entry that misstates the holder', { type: 'lock.force_release', name: 'forged' }, (w) => void (audit(w).details = { ...audit(w).details, holder: 'someone-else' })],
  ['a retry recorded as a redrive', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (audit(w).action = 'job.redrive')],
  ['a job entry that lists a job the control did not write', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => {
    audit(w).targetIds = ['forge-target', 'dead'];
    audit(w).details = { applied: 2, skipped: 0, requested: 2 };
  }],
  ['a job entry that misstates the transition', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (audit(w).details = { transition: 'failed->queued' })],
  ['a job control whose entry comes from another job', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).controlAudit = { id: 'jobs:dead:1', index: 0 })],
  ['an audit entry that expires after one second', { type: 'queue.pause' }, (w) => void (audit(w).expireAt = new Date(Date.now() + 1_000))],
  ['an audit entry kept 364 days', { type: 'queue.pause' }, (w) => void (audit(w).expireAt = new Date(Date.now() + (AUDIT_MIN_RETENTION_DAYS - 1) * 86_400_000))],
  ['audio deleted with a retry (only a cancel deletes audio)', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => {
    w.push({ op: 'delete', collection: 'payloads', id: payloadChunkId('forge-target', 0) });
  }],
  ['a retry that replaces the inline audio', { type: 'job.retry', jobIds: ['forge-inline'] }, (w) => void (main(w).inlineAudio = Bytes.fromUint8Array(new Uint8Array(2_000).fill(9)))],
  ['a retry that drops the inline audio', { type: 'job.retry', jobIds: ['forge-inline'] }, (w) => void (main(w).inlineAudio = null)],
  ['a retry that gives a chunked job inline audio', { type: 'job.retry', jobIds: ['forge-target'] }, (w) => void (main(w).inlineAudio = Bytes.fromUint8Array(INLINE))],
  ['a cancel that keeps the inline audio', { type: 'job.cancel', jobIds: ['forge-inline'] }, (w) => void (main(w).inlineAudio = Bytes.fromUint8Array(INLINE))],
];

describe('forged control writes from an admin are refused and change nothing', () => {
  beforeAll(async () => {
    existingEntryId = await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs[0]!.id);
  });

  for (const [what, command, forge] of FORGERIES) {
    it(what, async () => {
      const before = await auditCount();
      await assertFails(runControl(env.db('admin'), env.names, command, admin, { tamper: forge }));
      expect(await auditCount()).toBe(before);
    });
  }

  it('a planner clock hours off is refused (times must be the server time, within minutes)', async () => {
    // The control's time is at least 1 ms past the breaker's version, which is an hour old.
    await assertFails(runControl(env.db('admin'), env.names, { type: 'breaker.force_open', model: 'gemini-b' }, admin, { now: HOUR_AGO - 3_600_000 }));
  });

  it('the forged targets are untouched', async () => {
    expect(await stored('jobs', 'forge-target')).toMatchObject({ status: 'waiting', userId: UID.bob, fence: 1 });
    expect(await stored('jobs', 'forge-target')).not.toHaveProperty('inlineAudio');
    const inline = await stored('jobs', 'forge-inline');
    expect(inline).toMatchObject({ status: 'waiting', userId: UID.bob });
    expect((inline?.inlineAudio as Bytes).toUint8Array()).toEqual(INLINE);
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

  it('an audit entry with no control is refused, even under the id a control would use', async () => {
    const now = Date.now();
    const entry = {
      at: serverTimestamp(),
      actor: { kind: 'admin', id: UID.admin, email: ADMIN_EMAIL },
      action: 'breaker.force_open',
      target: { kind: 'breaker', id: 'gemini-b' },
      targetIds: [],
      reason: 'it never happened',
      details: { from: 'closed', to: 'open', override: 'force_open' },
      expireAt: new Date(now + AUDIT_MIN_RETENTION_MS + 60_000),
    };
    await assertFails(setDoc(doc(env.db('admin'), env.names.audit, auditEntryId('breakers', 'gemini-b', now)), entry));
    await assertFails(setDoc(doc(env.db('admin'), env.names.audit, 'any-id'), entry));
    const jobEntry = { ...entry, action: 'job.cancel', target: { kind: 'job', id: 'forge-target' }, targetIds: ['forge-target'], details: { transition: 'waiting->cancelled' } };
    await assertFails(setDoc(doc(env.db('admin'), env.names.audit, auditEntryId('jobs', 'forge-target', now)), jobEntry));
  });

  it('every controlled document names the entry committed with it', async () => {
    const plan = await runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['retry-a', 'retry-b'] }, admin);
    expect(plan.auditId).toMatch(/^jobs:retry-a:\d+$/);
    expect(await stored('jobs', 'retry-b')).toMatchObject({ controlAudit: { id: plan.auditId, index: 1 } });
    expect(await stored('audit', plan.auditId)).toMatchObject({ action: 'job.retry', targetIds: ['retry-a', 'retry-b'] });
  });

  it('an audit entry on its own is refused to everyone but an admin', async () => {
    const entry = { ...(await stored('audit', (await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs[0]!.id)))!) };
    await assertFails(setDoc(doc(env.db('alice'), env.names.audit, 'by-alice'), { ...entry, actor: { kind: 'admin', id: UID.alice, email: 'alice@example.com' } }));
  });
});

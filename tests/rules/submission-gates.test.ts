/**
 * The submission quota (issue 18): a browser's submission must step the user's submission
 * gate in the same request, and the rules allow a step only inside the quota the leader
 * publishes in the stats document (the defaults without one). A refused flood stores
 * nothing: no job, no audio, no gate change.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { collectionNames, SUBMISSION_QUOTA_DEFAULTS, type CollectionNames } from '@fq/worker/schema';
import { deleteDoc, doc, getDoc, increment, serverTimestamp, setDoc, Timestamp, writeBatch, type Firestore } from 'firebase/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { commitBatch, planUserSubmission, submissionWrites, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const QUOTA = { perWindow: 3, windowMs: 60_000 };
/** A tenant whose stats document carries no quota: the rules' defaults apply. */
const BARE_PREFIX = 'bare_';
const BARE: CollectionNames = collectionNames(BARE_PREFIX);

beforeAll(async () => {
  env = await startRulesEnv('gates');
  await env.serve(['', BARE_PREFIX]);
  await env.publishQuota(QUOTA);
});

afterAll(async () => {
  await env?.stop();
});

const gateRef = (db: Firestore, uid: string, names: CollectionNames = env.names) => doc(db, names.submissionGates, uid);

async function gateOf(uid: string, names: CollectionNames = env.names): Promise<{ count: number; lastJobId: string; windowStart: number } | null> {
  return env.asOwner(async (db) => {
    const snap = await getDoc(gateRef(db, uid, names));
    return snap.exists() ? { count: snap.get('count'), lastJobId: snap.get('lastJobId'), windowStart: (snap.get('windowStart') as Timestamp).toMillis() } : null;
  });
}

async function stored(jobId: string, names: CollectionNames = env.names): Promise<{ job: boolean; chunk: boolean }> {
  return env.asOwner(async (db) => ({
    job: (await getDoc(doc(db, names.jobs, jobId))).exists(),
    chunk: (await getDoc(doc(db, names.payloads, `${jobId}_0000`))).exists(),
  }));
}

/** Sets a user's gate with rules off (a window of some age and count). */
async function seedGate(uid: string, windowStart: number, count: number): Promise<void> {
  await env.asOwner((db) => setDoc(gateRef(db, uid), { windowStart: Timestamp.fromMillis(windowStart), count, lastJobId: 'seeded' }));
}

/** The job and its chunks only, with the gate step replaced by `gate` (null: none). */
function withGate(writes: PlannedWrite[], gate: ((batch: ReturnType<typeof writeBatch>, db: Firestore) => void) | null) {
  return async (db: Firestore) => {
    const batch = writeBatch(db);
    for (const w of writes) {
      if (w.op === 'set') batch.set(doc(db, env.names[w.collection], w.id!), w.data!);
    }
    gate?.(batch, db);
    await batch.commit();
  };
}

describe('the quota the leader publishes', () => {
  const user = 'carol';
  const db = () => env.dbAs(user, { email: 'carol@example.com' });

  it('perWindow submissions go in as the hook writes them; the next is refused and stores nothing', async () => {
    for (let i = 0; i < QUOTA.perWindow; i++) {
      const plan = await planUserSubmission(user, { priority: 'normal' });
      await assertSucceeds(commitBatch(db(), env.names, submissionWrites(plan)));
      expect(await gateOf(user)).toMatchObject({ count: i + 1, lastJobId: plan.jobId });
    }
    const before = await gateOf(user);
    const flood = await planUserSubmission(user, { priority: 'normal' });
    await assertFails(commitBatch(db(), env.names, submissionWrites(flood)));
    expect(await stored(flood.jobId)).toEqual({ job: false, chunk: false });
    expect(await gateOf(user)).toEqual(before);
    // Nor can the window be reopened before it has lasted windowMs.
    const reopen = await planUserSubmission(user, { priority: 'normal' });
    const early = withGate(submissionWrites(reopen), (b, d) => b.set(gateRef(d, user), { windowStart: serverTimestamp(), count: 1, lastJobId: reopen.jobId }));
    await assertFails(early(db()));
    expect(await stored(reopen.jobId)).toEqual({ job: false, chunk: false });
  });
});

describe('gate steps', () => {
  const user = 'dave';
  const db = () => env.dbAs(user, { email: 'dave@example.com' });
  beforeEach(async () => {
    await seedGate(user, Date.now(), 1);
  });

  it('a window that has lasted windowMs reopens, full or not', async () => {
    await seedGate(user, Date.now() - QUOTA.windowMs - 1_000, QUOTA.perWindow);
    const plan = await planUserSubmission(user, { priority: 'normal' });
    await assertSucceeds(commitBatch(db(), env.names, submissionWrites(plan)));
    const gate = await gateOf(user);
    expect(gate).toMatchObject({ count: 1, lastJobId: plan.jobId });
    expect(Math.abs(gate!.windowStart - Date.now())).toBeLessThan(30_000);
  });

  it('an old window with room left is counted on (the rules never force a reopen)', async () => {
    await seedGate(user, Date.now() - 10 * QUOTA.windowMs, 1);
    const plan = await planUserSubmission(user, { priority: 'normal' });
    const next = withGate(submissionWrites(plan), (b, d) => b.update(gateRef(d, user), { count: 2, lastJobId: plan.jobId }));
    await assertSucceeds(next(db()));
  });

  it('a blind increment counts like the exact next count, and is refused past the quota', async () => {
    for (const expected of ['ok', 'ok', 'refused'] as const) {
      const plan = await planUserSubmission(user, { priority: 'normal' });
      const step = withGate(submissionWrites(plan), (b, d) => b.set(gateRef(d, user), { count: increment(1), lastJobId: plan.jobId }, { merge: true }));
      if (expected === 'ok') await assertSucceeds(step(db()));
      else await assertFails(step(db()));
    }
    expect((await gateOf(user))!.count).toBe(QUOTA.perWindow);
  });

  const FORGED: Array<[string, (jobId: string) => (b: ReturnType<typeof writeBatch>, d: Firestore) => void]> = [
    ['no gate step at all', () => () => undefined],
    ['a step naming another job', () => (b, d) => b.update(gateRef(d, user), { count: 2, lastJobId: 'some-other-job' })],
    ['a count that skips ahead', (id) => (b, d) => b.update(gateRef(d, user), { count: 3, lastJobId: id })],
    ['a count that goes back', (id) => (b, d) => b.update(gateRef(d, user), { count: 0, lastJobId: id })],
    ['a new window while the open one runs', (id) => (b, d) => b.set(gateRef(d, user), { windowStart: serverTimestamp(), count: 1, lastJobId: id })],
    ['a window start from the client clock', (id) => (b, d) => b.set(gateRef(d, user), { windowStart: Timestamp.fromMillis(Date.now() - 3_600_000), count: 1, lastJobId: id })],
    ['a window moved back with the count', (id) => (b, d) => b.update(gateRef(d, user), { windowStart: Timestamp.fromMillis(Date.now() - 3_600_000), count: 2, lastJobId: id })],
    ['an extra field', (id) => (b, d) => b.update(gateRef(d, user), { count: 2, lastJobId: id, perWindow: 1_000 })],
    ["another user's gate", (id) => (b, d) => b.set(gateRef(d, 'erin'), { windowStart: serverTimestamp(), count: 1, lastJobId: id })],
  ];
  for (const [what, gate] of FORGED) {
    it(`a submission with ${what} is refused and stores nothing`, async () => {
      const plan = await planUserSubmission(user, { priority: 'normal' });
      await assertFails(withGate(submissionWrites(plan), gate(plan.jobId))(db()));
      expect(await stored(plan.jobId)).toEqual({ job: false, chunk: false });
      expect(await gateOf(user)).toMatchObject({ count: 1, lastJobId: 'seeded' });
    });
  }

  it('one step admits one job: a second job in the same request is refused', async () => {
    const first = await planUserSubmission(user, { priority: 'normal' });
    const second = await planUserSubmission(user, { priority: 'normal' });
    const both = withGate([...submissionWrites(first), ...submissionWrites(second)], (b, d) => b.update(gateRef(d, user), { count: 2, lastJobId: first.jobId }));
    await assertFails(both(db()));
    expect(await stored(first.jobId)).toEqual({ job: false, chunk: false });
  });

  it('users read their own gate only, and nobody deletes one', async () => {
    await assertSucceeds(getDoc(gateRef(db(), user)));
    await assertFails(getDoc(gateRef(env.db('bob'), user)));
    await assertFails(deleteDoc(gateRef(db(), user)));
    await assertSucceeds(getDoc(gateRef(env.db('admin'), user)));
    await assertFails(deleteDoc(gateRef(env.db('admin'), user)));
  });
});

describe('without a published quota', () => {
  const db = () => env.dbAs(UID.bob, { email: 'bob@example.com', tenant: BARE_PREFIX });
  const seedBare = (ageMs: number, count: number) =>
    env.asOwner((d) => setDoc(gateRef(d, UID.bob, BARE), { windowStart: Timestamp.fromMillis(Date.now() - ageMs), count, lastJobId: 'seeded' }));
  const step = (plan: Awaited<ReturnType<typeof planUserSubmission>>, gate: Record<string, unknown>, merge = true) => {
    const d = db();
    const batch = writeBatch(d);
    for (const w of submissionWrites(plan)) if (w.op === 'set') batch.set(doc(d, BARE[w.collection], w.id!), w.data!);
    batch.set(gateRef(d, UID.bob, BARE), { ...gate, lastJobId: plan.jobId }, { merge });
    return batch.commit();
  };
  const { perWindow, windowMs } = SUBMISSION_QUOTA_DEFAULTS;

  it(`the rules count up to SUBMISSION_QUOTA_DEFAULTS.perWindow (${perWindow}) in a window`, async () => {
    await seedBare(0, perWindow - 1);
    await assertSucceeds(step(await planUserSubmission(UID.bob, { priority: 'normal' }), { count: perWindow }));
    const over = await planUserSubmission(UID.bob, { priority: 'normal' });
    await assertFails(step(over, { count: perWindow + 1 }));
    expect(await stored(over.jobId, BARE)).toEqual({ job: false, chunk: false });
  });

  it(`and reopen a window after SUBMISSION_QUOTA_DEFAULTS.windowMs (${windowMs} ms), not well before`, async () => {
    await seedBare(windowMs - 3_000, perWindow);
    await assertFails(step(await planUserSubmission(UID.bob, { priority: 'normal' }), { windowStart: serverTimestamp(), count: 1 }, false));
    await seedBare(windowMs + 1_000, perWindow);
    await assertSucceeds(step(await planUserSubmission(UID.bob, { priority: 'normal' }), { windowStart: serverTimestamp(), count: 1 }, false));
  });
});

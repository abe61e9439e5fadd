/**
 * Graceful queuing: a job the rate limit deferred carries `deferredUntil`, the start
 * admission booked. Its owner reads it (the end-user page says when the job is scheduled);
 * nobody else does, and nobody but the engine writes it: a browser's submission cannot carry
 * one, an owner's cancel request cannot touch it, and an operator control (which rewrites the
 * whole job document) keeps it exactly as admission wrote it.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { doc, getDoc, serverTimestamp, setLogLevel, updateDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, HOUR_AGO, job, seed } from './support/fixtures.js';
import { adminActor, commitBatch, planUserSubmission, runControl, submissionWrites, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);
// Booked an hour ahead: still waiting whatever the test's pace.
const BOOKED = HOUR_AGO + 2 * 3_600_000;
const IDS = ['read', 'retried', 'cancelled', 'forged', 'dropped', 'owner-forged'] as const;

beforeAll(async () => {
  env = await startRulesEnv('deferred');
  setLogLevel('silent');
  await seed(
    env,
    IDS.flatMap((id) => [
      { collection: 'jobs' as const, id, data: job(UID.alice, 'waiting', { attempts: 0, errors: [], lastErrorClass: null, availableAt: BOOKED, deferredUntil: BOOKED }) },
      { collection: 'payloads' as const, id: `${id}_0000`, data: chunk(id, UID.alice) },
    ]),
  );
});

afterAll(async () => {
  await env?.stop();
});

const jobWrite = (writes: PlannedWrite[]) => writes.find((w) => w.collection === 'jobs')!.data!;

describe('deferredUntil: read by its owner, written by the engine only', () => {
  it('the owner reads the booked start; another user cannot read the job', async () => {
    const snap = await getDoc(doc(env.db('alice'), env.names.jobs, 'read'));
    expect(snap.get('deferredUntil')?.toMillis()).toBe(BOOKED);
    await assertFails(getDoc(doc(env.db('bob'), env.names.jobs, 'read')));
  });

  it('operator retry (skip the wait) and cancel keep it as admission wrote it', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['retried'] }, admin));
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'job.cancel', jobIds: ['cancelled'] }, admin));
    const stored = await env.asOwner((db) => getDoc(doc(db, env.names.jobs, 'retried')));
    expect(stored.get('status')).toBe('queued');
    expect(stored.get('deferredUntil')?.toMillis()).toBe(BOOKED);
  });

  it('an operator control that moves it, or drops it, is refused', async () => {
    await assertFails(
      runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['forged'] }, admin, {
        tamper: (writes) => void Object.assign(jobWrite(writes), { deferredUntil: new Date(BOOKED - 60_000) }),
      }),
    );
    await assertFails(
      runControl(env.db('admin'), env.names, { type: 'job.retry', jobIds: ['dropped'] }, admin, {
        tamper: (writes) => void delete (jobWrite(writes) as DocumentData).deferredUntil,
      }),
    );
  });

  it('the owner cannot move it, not even beside a cancel request', async () => {
    const ref = doc(env.db('alice'), env.names.jobs, 'owner-forged');
    await assertFails(updateDoc(ref, { deferredUntil: new Date(HOUR_AGO) }));
    await assertFails(updateDoc(ref, { cancelRequest: { at: serverTimestamp(), by: UID.alice, reason: null }, deferredUntil: new Date(HOUR_AGO) }));
    // The cancel request alone passes: the refusal is the field's.
    await assertSucceeds(updateDoc(ref, { cancelRequest: { at: serverTimestamp(), by: UID.alice, reason: null } }));
  });

  it('a browser submission that brings its own is refused', async () => {
    const writes = submissionWrites(await planUserSubmission(UID.alice, { priority: 'normal' }));
    Object.assign(jobWrite(writes), { deferredUntil: new Date(HOUR_AGO) });
    await assertFails(commitBatch(env.db('alice'), env.names, writes));
    delete (jobWrite(writes) as DocumentData).deferredUntil;
    await expect(commitBatch(env.db('alice'), env.names, writes)).resolves.toBeUndefined();
  });
});

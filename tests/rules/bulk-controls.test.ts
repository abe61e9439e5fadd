/**
 * "Apply to all matching" from the console: a bulk control document (transcription_bulk_controls)
 * created, stopped and resumed by an admin, each with its audit entry in the same request.
 * Without the entry, with an entry that says something else, with forged progress or a
 * carrier's lease, or from a user or a viewer, it is refused.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { Timestamp, doc, getDoc, updateDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { adminActor, auditWrite, runControl, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);
const FILTER = { status: 'failed', priority: null, userId: null, fromMs: null, toMs: null } as const;
const start = (bulkId: string) => ({ type: 'bulk.start', bulkId, action: 'job.retry', filter: FILTER, expectedCount: 3_000, reason: 'upstream fixed' }) as const;

beforeAll(async () => {
  env = await startRulesEnv('bulk');
});

afterAll(async () => {
  await env?.stop();
});

async function bulkDoc(id: string): Promise<DocumentData | undefined> {
  return env.asOwner(async (db) => (await getDoc(doc(db, env.names.bulkControls, id))).data());
}

const bulkWrite = (writes: PlannedWrite[]): DocumentData => {
  const w = writes.find((x) => x.collection === 'bulkControls');
  if (!w?.data) throw new Error('no bulk control write');
  return w.data;
};

describe('bulk controls from the console', () => {
  it('an admin starts one with its audit entry; the entry records the action and the filter', async () => {
    const plan = await assertSucceeds(runControl(env.db('admin'), env.names, start('b-ok'), admin));
    expect(await bulkDoc('b-ok')).toMatchObject({ state: 'running', action: 'job.retry', description: 'status=failed', carrier: null });
    const entry = await env.asOwner(async (db) => (await getDoc(doc(db, env.names.audit, plan.auditId))).data());
    expect(entry).toMatchObject({ action: 'bulk.start', target: { kind: 'bulk', id: 'b-ok' }, details: { action: 'job.retry', filter: 'status=failed' } });
  });

  it('a start without its audit entry, or with an entry that says something else, is refused', async () => {
    const tampers: Array<(w: PlannedWrite[]) => void> = [
      (w) => void w.splice(w.indexOf(auditWrite(w)), 1),
      (w) => void (auditWrite(w).data!.action = 'bulk.stop'),
      (w) => void (auditWrite(w).data!.details = { ...auditWrite(w).data!.details, action: 'job.cancel' }),
      (w) => void (auditWrite(w).data!.details = { ...auditWrite(w).data!.details, filter: 'all jobs' }),
      (w) => void (auditWrite(w).data!.target = { kind: 'bulk', id: 'another' }),
    ];
    for (const [i, tamper] of tampers.entries()) {
      await assertFails(runControl(env.db('admin'), env.names, start(`b-audit-${i}`), admin, { tamper }));
      expect(await bulkDoc(`b-audit-${i}`), `forgery ${i}`).toBeUndefined();
    }
  });

  it('a start with forged progress, a carrier, another requester or a state other than running is refused', async () => {
    const tampers: Array<(w: PlannedWrite[]) => void> = [
      (w) => void (bulkWrite(w).progress = { ...bulkWrite(w).progress, done: 3_000 }),
      (w) => void (bulkWrite(w).carrier = 'server-1'),
      (w) => void (bulkWrite(w).carrierToken = 5),
      (w) => void (bulkWrite(w).requestedBy = { kind: 'admin', id: 'someone-else', email: null }),
      (w) => void (bulkWrite(w).state = 'done'),
      (w) => void (bulkWrite(w).action = 'job.delete'),
      (w) => void (bulkWrite(w).filter = { ...FILTER, status: 'everything' }),
      (w) => void (bulkWrite(w).extra = 1),
    ];
    for (const [i, tamper] of tampers.entries()) {
      await assertFails(runControl(env.db('admin'), env.names, start(`b-forged-${i}`), admin, { tamper }));
      expect(await bulkDoc(`b-forged-${i}`), `forgery ${i}`).toBeUndefined();
    }
  });

  it('a user or a viewer may not start, stop or resume one, even in the planner shape', async () => {
    await assertFails(runControl(env.db('alice'), env.names, start('b-user'), { kind: 'admin', id: UID.alice, email: null }));
    const viewer = env.dbAs('viewer-1', { email: 'viewer@example.com', viewer: true });
    await assertFails(runControl(viewer, env.names, start('b-viewer'), { kind: 'admin', id: 'viewer-1', email: 'viewer@example.com' }));
    await assertSucceeds(runControl(env.db('admin'), env.names, start('b-target'), admin));
    await assertFails(runControl(env.db('alice'), env.names, { type: 'bulk.stop', bulkId: 'b-target' }, { kind: 'admin', id: UID.alice, email: null }));
    await assertFails(runControl(viewer, env.names, { type: 'bulk.stop', bulkId: 'b-target' }, { kind: 'admin', id: 'viewer-1', email: 'viewer@example.com' }));
    expect(await bulkDoc('b-target')).toMatchObject({ stopRequested: false });
  });

  it('an admin stops and resumes one, each with its entry; a stop that also forges progress, or comes without its entry, is refused', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, start('b-switch'), admin));
    const stop = { type: 'bulk.stop', bulkId: 'b-switch', reason: 'wrong filter' } as const;
    await assertFails(runControl(env.db('admin'), env.names, stop, admin, { tamper: (w) => void w.splice(w.indexOf(auditWrite(w)), 1) }));
    await assertFails(runControl(env.db('admin'), env.names, stop, admin, { tamper: (w) => void (bulkWrite(w).progress = { ...bulkWrite(w).progress, done: 5 }) }));
    await assertFails(runControl(env.db('admin'), env.names, stop, admin, { tamper: (w) => void (auditWrite(w).data!.action = 'bulk.resume') }));
    await assertSucceeds(runControl(env.db('admin'), env.names, stop, admin));
    expect(await bulkDoc('b-switch')).toMatchObject({ state: 'running', stopRequested: true });
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'bulk.resume', bulkId: 'b-switch' }, admin));
    expect(await bulkDoc('b-switch')).toMatchObject({ state: 'running', stopRequested: false });
  });

  it('an admin resumes one the fleet gave up on (failed), with its entry; a resume that also clears its last error, or comes without its entry, is refused', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, start('b-failed'), admin));
    const lastError = 'The store refused the query for the next page (FAILED_PRECONDITION) 3 times';
    // What a carrier writes when it gives up (the Admin SDK, past the rules).
    await env.asOwner((db) =>
      updateDoc(doc(db, env.names.bulkControls, 'b-failed'), { state: 'failed', finishedAt: Timestamp.now(), 'progress.done': 96, 'progress.lastError': lastError }),
    );
    const resume = { type: 'bulk.resume', bulkId: 'b-failed', reason: 'index deployed' } as const;
    await assertFails(runControl(env.db('admin'), env.names, resume, admin, { tamper: (w) => void (bulkWrite(w).progress = { ...bulkWrite(w).progress, lastError: null }) }));
    await assertFails(runControl(env.db('admin'), env.names, resume, admin, { tamper: (w) => void w.splice(w.indexOf(auditWrite(w)), 1) }));
    const plan = await assertSucceeds(runControl(env.db('admin'), env.names, resume, admin));
    expect(await bulkDoc('b-failed')).toMatchObject({ state: 'running', stopRequested: false, finishedAt: null, progress: { done: 96, lastError } });
    const entry = await env.asOwner(async (db) => (await getDoc(doc(db, env.names.audit, plan.auditId))).data());
    expect(entry).toMatchObject({ action: 'bulk.resume', reason: 'index deployed', details: { from: 'failed' } });
  });
});

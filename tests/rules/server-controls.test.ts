/**
 * server.drain / server.resume from the console: the drained servers live in the queue
 * controls document (beside the pause switches), written with an audit entry the same
 * request creates. The planner's shapes are allowed to an admin; forged variants are refused:
 * a drain that also flips the pause switches, a pause that drops the drained servers, an entry
 * that says "resume" for a drain, miscounted or duplicated servers, and any of it from a user.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import type { DocOf } from '@fq/worker/schema';
import { collection, doc, getDoc, getDocs, setDoc, Timestamp, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { engineDocs, seed } from './support/fixtures.js';
import { adminActor, auditWrite, runControl, type PlannedWrite } from './support/product-writes.js';

let env: RulesEnv;
const admin = adminActor(UID.admin, ADMIN_EMAIL);
const base = engineDocs(UID.alice);
const server = (id: string): DocOf<'servers'> => ({ ...base.servers.data, serverId: id });

beforeAll(async () => {
  env = await startRulesEnv('drain');
  await seed(env, [
    { collection: 'servers', id: 'srv-a', data: server('srv-a') },
    { collection: 'servers', id: 'srv-b', data: server('srv-b') },
  ]);
  // Controls written before drained servers existed: no `drainedServers` field.
  await env.asOwner((db) =>
    setDoc(doc(db, env.names.controls, 'queue'), { paused: false, pausedPriorities: ['low'], reason: null, updatedAt: Timestamp.fromMillis(Date.now() - 60_000), updatedBy: 'ops-admin' }),
  );
});

afterAll(async () => {
  await env?.stop();
});

async function controls(): Promise<DocumentData | undefined> {
  return env.asOwner(async (db) => (await getDoc(doc(db, env.names.controls, 'queue'))).data());
}

const controlsWrite = (writes: PlannedWrite[]): DocumentData => {
  const w = writes.find((x) => x.collection === 'controls');
  if (!w?.data) throw new Error('no controls write');
  return w.data;
};

describe('drain and resume, as the console plans them', () => {
  it('a forged drain is refused: it flips a pause switch, names the wrong action or count, or lists the server twice', async () => {
    const drain = { type: 'server.drain', serverId: 'srv-a' } as const;
    const tampers: Array<(w: PlannedWrite[]) => void> = [
      (w) => void (controlsWrite(w).paused = true),
      (w) => void (controlsWrite(w).pausedPriorities = []),
      (w) => void (controlsWrite(w).reason = 'changed'),
      (w) => void (auditWrite(w).data!.action = 'server.resume'),
      (w) => void (auditWrite(w).data!.details = { drainedBefore: 0, drainedAfter: 2 }),
      (w) => void (controlsWrite(w).drainedServers = ['srv-a', 'srv-a']),
      (w) => void (controlsWrite(w).drainedServers = ['srv-a', 'srv-b']),
      (w) => void (auditWrite(w).data!.target = { kind: 'server', id: 'srv-b' }),
      (w) => void (controlsWrite(w).unexpected = 1),
    ];
    for (const [i, tamper] of tampers.entries()) {
      await assertFails(runControl(env.db('admin'), env.names, drain, admin, { tamper }));
      expect(await controls(), `forgery ${i}`).not.toHaveProperty('drainedServers');
    }
  });

  it('an end user may not drain a server, even in the planner shape', async () => {
    await assertFails(runControl(env.db('alice'), env.names, { type: 'server.drain', serverId: 'srv-a' }, { kind: 'admin', id: UID.alice, email: null }));
  });

  it('an admin drains two servers; the pause switches stay as they were', async () => {
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'server.drain', serverId: 'srv-a', reason: 'kernel update' }, admin));
    await assertSucceeds(runControl(env.db('admin'), env.names, { type: 'server.drain', serverId: 'srv-b' }, admin));
    expect(await controls()).toMatchObject({ drainedServers: ['srv-a', 'srv-b'], paused: false, pausedPriorities: ['low'], updatedBy: UID.admin });
  });

  it('a pause keeps the drained servers; one that drops them is refused', async () => {
    const pause = { type: 'queue.pause' as const, priorities: ['normal' as const] };
    await assertFails(runControl(env.db('admin'), env.names, pause, admin, { tamper: (w) => void (controlsWrite(w).drainedServers = []) }));
    await assertSucceeds(runControl(env.db('admin'), env.names, pause, admin));
    expect(await controls()).toMatchObject({ drainedServers: ['srv-a', 'srv-b'], pausedPriorities: ['normal', 'low'] });
  });

  it('a resume takes one server off; a resume that takes the other off too is refused', async () => {
    const resume = { type: 'server.resume', serverId: 'srv-a' } as const;
    await assertFails(runControl(env.db('admin'), env.names, resume, admin, { tamper: (w) => void (controlsWrite(w).drainedServers = []) }));
    await assertFails(runControl(env.db('admin'), env.names, resume, admin, { tamper: (w) => void (auditWrite(w).data!.action = 'server.drain') }));
    await assertSucceeds(runControl(env.db('admin'), env.names, resume, admin));
    expect(await controls()).toMatchObject({ drainedServers: ['srv-b'] });
    const entries = await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs.map((d) => d.data()));
    expect(entries.map((e) => `${e.action}:${(e.target as { id: string }).id}`).sort()).toEqual(
      ['queue.pause:normal', 'server.drain:srv-a', 'server.drain:srv-b', 'server.resume:srv-a'].sort(),
    );
  });
});

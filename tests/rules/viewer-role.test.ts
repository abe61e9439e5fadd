/**
 * The `viewer` claim: a read-only operator. A viewer reads everything an admin reads (every
 * Firequeue collection of its tenant, one document and a list each) and makes none of the
 * writes an operator makes: each control the console offers, planned by the engine and
 * committed exactly as the console commits it, is refused from a viewer and then accepted
 * from an admin (so the refusal is the role's, not a malformed plan). Generic writes to every
 * collection are refused too, and a viewer of another tenant reads nothing here.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { payloadChunkId, type CollectionKey, type DocOf, type JobDoc } from '@fq/worker/schema';
import type { ControlCommandInput } from '@fq/worker/core';
import { collection, deleteDoc, doc, getDoc, getDocs, limit, query, setDoc, type Firestore } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, UID, startRulesEnv, type RulesEnv } from './support/env.js';
import { chunk, encoded, engineDocs, job, seed } from './support/fixtures.js';
import { adminActor, runControl } from './support/product-writes.js';

const VIEWER = { uid: 'ops-viewer', email: 'viewer@example.com' };
const OTHER_TENANT = 'other_';
let env: RulesEnv;
const seeded = engineDocs(UID.alice);
const COLLECTIONS = Object.keys(seeded) as CollectionKey[];
const admin = adminActor(UID.admin, ADMIN_EMAIL);

function viewerDb(): Firestore {
  return env.dbAs(VIEWER.uid, { email: VIEWER.email, viewer: true });
}

type Seed = { collection: CollectionKey; id: string; data: DocOf<CollectionKey> };
const jobSeed = (id: string, data: JobDoc): Seed[] => [
  { collection: 'jobs', id, data },
  { collection: 'payloads', id: payloadChunkId(id, 0), data: chunk(id, data.userId) },
];

beforeAll(async () => {
  env = await startRulesEnv('viewer');
  await env.serve(['', OTHER_TENANT]);
  await seed(env, [
    ...COLLECTIONS.map((c) => ({ collection: c, id: seeded[c].id, data: seeded[c].data }) as Seed),
    ...jobSeed('v-queued', job(UID.bob, 'queued')),
    ...jobSeed('v-failed', job(UID.bob, 'failed')),
    ...jobSeed('v-dead', job(UID.bob, 'dead_lettered')),
  ]);
});

afterAll(async () => {
  await env?.stop();
});

describe('a viewer reads what an admin reads', () => {
  for (const coll of COLLECTIONS) {
    it(`gets and lists ${coll}`, async () => {
      const db = viewerDb();
      const name = env.names[coll];
      await assertSucceeds(getDoc(doc(db, name, seeded[coll].id)).then((snap) => expect(snap.exists()).toBe(true)));
      await assertSucceeds(getDocs(query(collection(db, name), limit(10))).then((snap) => expect(snap.size).toBeGreaterThan(0)));
    });
  }

  it('a viewer of another tenant reads nothing of this one', async () => {
    const db = env.dbAs('other-viewer', { email: 'ov@example.com', viewer: true, tenant: OTHER_TENANT });
    for (const coll of ['jobs', 'servers', 'controls', 'audit'] as const) {
      await assertFails(getDoc(doc(db, env.names[coll], seeded[coll].id)));
      await assertFails(getDocs(query(collection(db, env.names[coll]), limit(1))));
    }
  });

  it('a viewer claim that is not `true` reads nothing', async () => {
    const db = env.dbAs('almost-viewer', { email: 'av@example.com', viewer: 'yes' });
    await assertFails(getDoc(doc(db, env.names.servers, seeded.servers.id)));
  });
});

describe('a viewer writes nothing', () => {
  for (const coll of COLLECTIONS) {
    it(`creates, updates and deletes nothing in ${coll}`, async () => {
      const db = viewerDb();
      const name = env.names[coll];
      await assertFails(setDoc(doc(db, name, 'new-by-viewer'), encoded(coll, seeded[coll].data as never)));
      await assertFails(setDoc(doc(db, name, seeded[coll].id), { updatedBy: VIEWER.uid }, { merge: true }));
      await assertFails(deleteDoc(doc(db, name, seeded[coll].id)));
    });
  }
});

/**
 * Every control the console offers, in an order in which each is valid when it runs. The
 * viewer's attempt comes first and must change nothing; the admin's must then succeed.
 */
const CONTROLS: ControlCommandInput[] = [
  { type: 'queue.pause', reason: 'viewer test' },
  { type: 'queue.resume' },
  { type: 'queue.pause', priorities: ['low'] },
  { type: 'breaker.force_open', model: seeded.breakers.id },
  { type: 'breaker.clear_override', model: seeded.breakers.id },
  { type: 'breaker.force_close', model: seeded.breakers.id },
  { type: 'breaker.reset', model: seeded.breakers.id },
  { type: 'lock.force_release', name: seeded.locks.id },
  { type: 'job.cancel', jobIds: ['v-queued'] },
  { type: 'job.retry', jobIds: ['v-failed'] },
  { type: 'job.redrive', jobIds: ['v-dead'] },
  { type: 'server.drain', serverId: seeded.servers.id },
  { type: 'server.resume', serverId: seeded.servers.id },
];

describe('every control is refused from a viewer and accepted from an admin', () => {
  for (const command of CONTROLS) {
    it(command.type + ('priorities' in command && command.priorities ? ` (${command.priorities.join(',')})` : ''), async () => {
      // The viewer's plan names the viewer (an operator's plan names its author).
      const asViewer = runControl(viewerDb(), env.names, command, { kind: 'admin', id: VIEWER.uid, email: VIEWER.email });
      await assertFails(asViewer);
      await assertSucceeds(runControl(env.db('admin'), env.names, command, admin));
    });
  }

  it('left no audit entry of the viewer', async () => {
    const entries = await env.asOwner(async (db) => (await getDocs(collection(db, env.names.audit))).docs.map((d) => d.data()));
    expect(entries.length).toBeGreaterThanOrEqual(CONTROLS.length);
    expect(entries.filter((e) => (e.actor as { id: string }).id === VIEWER.uid)).toEqual([]);
  });
});

/**
 * Roles x collections x operations. Every Firequeue collection holds one engine-written
 * document (alice owns the per-user ones); each role tries to get it, list the collection,
 * create an engine-shaped document, tamper with the stored one and delete it. The writes a
 * browser may make in the product's exact shapes are proven in the submission, cancel and
 * control suites; here every generic write must fail, except an operator deleting audio
 * (a cancel does that).
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { COLLECTION_BASE_NAMES, type CollectionKey } from '@fq/worker/schema';
import { collection, deleteDoc, doc, getDoc, getDocs, limit, query, setDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, UID, startRulesEnv, type RulesEnv, type Role } from './support/env.js';
import { encoded, engineDocs, seed } from './support/fixtures.js';

type Op = 'get' | 'list' | 'create' | 'update' | 'delete';
const OPS: readonly Op[] = ['get', 'list', 'create', 'update', 'delete'];
const COLLECTIONS = Object.keys(COLLECTION_BASE_NAMES) as CollectionKey[];

/** The policy, stated once: who may do what to the seeded documents. */
function allowed(role: Role, coll: CollectionKey, op: Op): boolean {
  if (role === 'anonymous') return false;
  if (role === 'admin') return op === 'get' || op === 'list' || (op === 'delete' && coll === 'payloads');
  if (op !== 'get') return false;
  // The stats `queue` document (it mirrors the pause switches); the controls document names
  // the operator and the reason, so only admins read it.
  if (coll === 'stats') return true;
  return role === 'alice' && (coll === 'jobs' || coll === 'rateLimits'); // alice's own
}

/** A forged change per collection: what a client might want to rewrite. */
const TAMPER: Record<CollectionKey, DocumentData> = {
  jobs: { status: 'succeeded' },
  payloads: { userId: 'mallory' },
  servers: { state: 'stopped' },
  leader: { holder: 'mallory', term: 4 },
  locks: { holder: 'mallory', token: 8 },
  breakers: { override: 'force_closed' },
  rateLimits: { remaining: 1_000 },
  budgets: { requestsPerMinute: 1_000_000 },
  controls: { paused: true },
  stats: { inFlight: 999 },
  analytics: { servers: ['forged'] },
  analyticsPartials: { serverId: 'forged' },
  audit: { reason: 'rewritten' },
  idempotency: { jobId: 'someone-else' },
};

let env: RulesEnv;
const seeded = engineDocs(UID.alice);

beforeAll(async () => {
  env = await startRulesEnv('matrix');
  await seed(
    env,
    COLLECTIONS.map((c) => ({ collection: c, id: seeded[c].id, data: seeded[c].data })),
  );
});

afterAll(async () => {
  await env?.stop();
});

function attempt(role: Role, coll: CollectionKey, op: Op): Promise<unknown> {
  const db = env.db(role);
  const name = env.names[coll];
  const ref = doc(db, name, seeded[coll].id);
  switch (op) {
    case 'get':
      return getDoc(ref).then((snap) => expect(snap.exists()).toBe(true));
    case 'list':
      return getDocs(query(collection(db, name), limit(10))).then((snap) => expect(snap.size).toBeGreaterThan(0));
    case 'create':
      return setDoc(doc(db, name, `new-${role}`), encoded(coll, seeded[coll].data as never));
    case 'update':
      return setDoc(ref, TAMPER[coll], { merge: true });
    case 'delete':
      return deleteDoc(ref);
  }
}

// Declaration order is execution order: reads first, the one allowed delete last.
for (const op of OPS) {
  describe(op, () => {
    for (const coll of COLLECTIONS) {
      for (const role of ROLES) {
        const allow = allowed(role, coll, op);
        it(`${role} ${allow ? 'may' : 'may not'} ${op} ${coll}`, async () => {
          if (allow) await assertSucceeds(attempt(role, coll, op));
          else await assertFails(attempt(role, coll, op));
        });
      }
    }
  });
}

describe('the matrix left the data alone', () => {
  it('every denied write changed nothing', async () => {
    await env.asOwner(async (db) => {
      for (const coll of COLLECTIONS) {
        const snap = await getDoc(doc(db, env.names[coll], seeded[coll].id));
        if (coll === 'payloads') expect(snap.exists()).toBe(false); // the admin's delete
        else expect(snap.data()).toEqual(expect.not.objectContaining(TAMPER[coll]));
        expect((await getDoc(doc(db, env.names[coll], 'new-admin'))).exists()).toBe(false);
      }
    });
  });
});

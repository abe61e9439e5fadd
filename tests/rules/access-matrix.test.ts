/**
 * Roles x collections x operations. Every Firequeue collection holds one engine-written
 * document (alice owns the per-user ones); each role tries to get it, list the collection,
 * create an engine-shaped document, tamper with the stored one and delete it. The writes a
 * browser may make in the product's exact shapes are proven in the submission, cancel and
 * control suites; here every generic write must fail (an operator deletes audio only with
 * the cancel of its job, and controls only with their audit entry).
 *
 * Two more roles belong to another tenant (the `tenant` claim names prefix `other_`, which a
 * deployment serves too): a user and an admin there may do nothing at all here, not even
 * read the stats document.
 */
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import { COLLECTION_BASE_NAMES, type CollectionKey } from '@fq/worker/schema';
import { collection, deleteDoc, doc, getDoc, getDocs, limit, query, setDoc, type DocumentData } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ROLES, UID, startRulesEnv, type RulesEnv, type Role } from './support/env.js';
import { encoded, engineDocs, seed } from './support/fixtures.js';

type Op = 'get' | 'list' | 'create' | 'update' | 'delete';
type MatrixRole = Role | 'other-tenant user' | 'other-tenant admin';
const OTHER_TENANT = 'other_';
const MATRIX_ROLES: readonly MatrixRole[] = [...ROLES, 'other-tenant user', 'other-tenant admin'];
const OPS: readonly Op[] = ['get', 'list', 'create', 'update', 'delete'];
const COLLECTIONS = Object.keys(COLLECTION_BASE_NAMES) as CollectionKey[];

/** The policy, stated once: who may do what to the seeded documents. */
function allowed(role: MatrixRole, coll: CollectionKey, op: Op): boolean {
  if (role === 'anonymous' || role === 'other-tenant user' || role === 'other-tenant admin') return false;
  if (role === 'admin') return op === 'get' || op === 'list';
  if (op !== 'get') return false;
  // The stats `queue` document (it mirrors the pause switches); the controls document names
  // the operator and the reason, so only admins read it.
  if (coll === 'stats') return true;
  return role === 'alice' && (coll === 'jobs' || coll === 'rateLimits' || coll === 'submissionGates'); // alice's own
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
  // A window reset by hand: the rules allow only the next step or a new window once due.
  submissionGates: { count: 0 },
  // Hiding an incident from the feed, or marking it delivered.
  alerts: { status: 'resolved' },
  alertState: { active: {} },
  // Progress the fleet did not make, or the carrier's lease.
  bulkControls: { progress: { matched: 3_000, done: 3_000, skipped: 0, failed: 0, skippedByReason: {}, steps: 188, lastError: null } },
};

let env: RulesEnv;
const seeded = engineDocs(UID.alice);

beforeAll(async () => {
  env = await startRulesEnv('matrix');
  await env.serve(['', OTHER_TENANT]);
  await seed(
    env,
    COLLECTIONS.map((c) => ({ collection: c, id: seeded[c].id, data: seeded[c].data })),
  );
});

afterAll(async () => {
  await env?.stop();
});

function dbOf(role: MatrixRole) {
  if (role === 'other-tenant user') return env.dbAs('mallory', { email: 'mallory@example.com', tenant: OTHER_TENANT });
  if (role === 'other-tenant admin') return env.dbAs('other-admin', { email: ADMIN_EMAIL, admin: true, tenant: OTHER_TENANT });
  return env.db(role);
}

function attempt(role: MatrixRole, coll: CollectionKey, op: Op): Promise<unknown> {
  const db = dbOf(role);
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

// Declaration order is execution order: reads first, deletes last.
for (const op of OPS) {
  describe(op, () => {
    for (const coll of COLLECTIONS) {
      for (const role of MATRIX_ROLES) {
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
        expect(snap.exists()).toBe(true);
        expect(snap.data()).toEqual(expect.not.objectContaining(TAMPER[coll]));
        for (const role of MATRIX_ROLES) expect((await getDoc(doc(db, env.names[coll], `new-${role}`))).exists()).toBe(false);
      }
    });
  });
});

import { afterAll, beforeAll } from 'vitest';
import { firestoreFixture, startFirestoreTestEnv, type FirestoreTestEnv } from '../testing/firestore-env.js';
import { describeBulkCarrierContract } from './bulk-carrier.contract.js';

/**
 * The bulk carrier on Firestore (our emulator, or FIRESTORE_EMULATOR_HOST): the same
 * scenarios as on the memory store, with real transactions, real store time and two clients.
 */
let env: FirestoreTestEnv;
beforeAll(async () => {
  env = await startFirestoreTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

// 1,000 jobs (63 steps of 16, enough for the scenarios' stop at step 40 and a death at 30 plus
// a stall at 20): the memory store runs them on 3,000; on the emulator 3,000 took 268 s of a
// loaded machine, too long for every `npm test`.
describeBulkCarrierContract('Firestore', firestoreFixture(() => env), { jobs: 1_000, leaseMs: 3_000 });

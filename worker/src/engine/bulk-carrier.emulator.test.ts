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

describeBulkCarrierContract('Firestore', firestoreFixture(() => env), { jobs: 3_000, leaseMs: 3_000 });

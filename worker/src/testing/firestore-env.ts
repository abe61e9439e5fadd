import { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import type { EngineFixtureFactory } from './engine-fixture.js';
import { passStoreTime } from './engine-fixture.js';
import { systemClock } from '../ports/clock.js';

export interface FirestoreTestEnv {
  /** `host:port` of the emulator (ours, or FIRESTORE_EMULATOR_HOST). */
  host: string;
  projectId: string;
  /** Our emulator's HTTP base URL (null when pointing at someone else's emulator). */
  url: string | null;
  stop(): Promise<void>;
}

/**
 * The Firestore to test against: FIRESTORE_EMULATOR_HOST when set (Google's emulator or a
 * shared one), otherwise our own emulator on a free port. Each test isolates its data with a
 * unique collection prefix; the project id comes from GCLOUD_PROJECT or a demo id.
 */
export async function startFirestoreTestEnv(): Promise<FirestoreTestEnv> {
  const projectId = process.env.GCLOUD_PROJECT ?? 'demo-fq-worker';
  const external = process.env.FIRESTORE_EMULATOR_HOST;
  if (external) return { host: external, projectId, url: null, stop: async () => {} };
  const { startEmulator } = await import('@fq/emulator');
  const emulator = await startEmulator({ port: 0, projectId, logLevel: 'warn' });
  return { host: emulator.hostAndPort, projectId, url: emulator.url, stop: () => emulator.stop() };
}

export function firestoreStore(env: FirestoreTestEnv, prefix: string): FirestoreStore {
  return new FirestoreStore({ projectId: env.projectId, prefix, emulatorHost: env.host });
}

/** Engine fixture on Firestore: two clients, real store time. */
export function firestoreFixture(env: () => FirestoreTestEnv): EngineFixtureFactory {
  return async (prefix) => {
    const a = firestoreStore(env(), prefix);
    const b = firestoreStore(env(), prefix);
    return {
      stores: [a, b],
      clock: systemClock,
      passTime: (ms) => passStoreTime(a, ms),
      writeRaw: async (collection, id, data) => void (await a.db.collection(a.collectionName(collection)).doc(id).set(data)),
      cleanup: async () => void (await Promise.all([a.close(), b.close()])),
    };
  };
}

import type { QueueStore } from '@fq/client';
import { createFirebaseAuthPort } from '../auth/firebaseAuth';
import type { DataPort } from '../data/port';
import { createFirebase } from '../firebase/app';
import { configFromEnv, loadRuntimeConfig, resolveConfig, type FirequeueConfig } from '../firebase/config';
import type { AppServices } from './services';

export function backendLabel(config: FirequeueConfig): string {
  const emulators = [
    config.firestoreEmulatorHost && `Firestore emulator ${config.firestoreEmulatorHost}`,
    config.authEmulatorHost && `Auth emulator ${config.authEmulatorHost}`,
  ].filter(Boolean);
  const prefix = config.collectionPrefix ? `, prefix "${config.collectionPrefix}"` : '';
  return `${config.projectId}${emulators.length ? ` (${emulators.join(', ')})` : ''}${prefix}`;
}

/** Resolves config (env, /config.json, window.__FIREQUEUE_CONFIG__) and wires Firebase. */
export async function bootstrap(): Promise<AppServices> {
  const config = resolveConfig(configFromEnv(import.meta.env), ...(await loadRuntimeConfig()));
  const firebase = await createFirebase(config);
  let data: Promise<DataPort> | null = null;
  let queueStore: Promise<QueueStore> | null = null;
  return {
    auth: createFirebaseAuthPort(firebase.auth),
    prefix: config.collectionPrefix,
    backendLabel: backendLabel(config),
    loadData() {
      data ??= Promise.all([import('../firebase/firestore'), import('../data/firestoreData')]).then(
        ([{ firestoreFor }, { createFirestoreData }]) =>
          createFirestoreData(firestoreFor(firebase.app, config), config.collectionPrefix),
      );
      // A failed chunk load (deploy in between, network) must be retryable.
      void data.catch(() => (data = null));
      return data;
    },
    loadQueueStore() {
      queueStore ??= Promise.all([import('../firebase/firestore'), import('@fq/client')]).then(([{ firestoreFor }, { firestoreQueueStore }]) =>
        firestoreQueueStore(firestoreFor(firebase.app, config), { prefix: config.collectionPrefix }),
      );
      void queueStore.catch(() => (queueStore = null));
      return queueStore;
    },
  };
}

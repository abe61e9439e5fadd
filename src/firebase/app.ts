import { initializeApp, type FirebaseApp } from 'firebase/app';
import {
  browserLocalPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
  type Auth,
} from 'firebase/auth';
import { startAppCheck } from './appCheck';
import { parseHostPort, type FirequeueConfig } from './config';

export interface FirebaseHandles {
  app: FirebaseApp;
  auth: Auth;
  config: FirequeueConfig;
}

/**
 * App + Auth only: this runs on the first screen. Firestore is initialised later by the data
 * layer (its own lazily loaded chunk), so the sign-in page does not pay for it.
 *
 * App Check (`startAppCheck`) is started first when configured.
 *
 * `initializeAuth` with explicit persistence (instead of `getAuth`) keeps the popup/redirect
 * resolver out of the bundle: the console signs in with email and password only.
 */
export async function createFirebase(config: FirequeueConfig): Promise<FirebaseHandles> {
  const app = initializeApp(
    {
      projectId: config.projectId,
      apiKey: config.apiKey,
      authDomain: config.authDomain,
      ...(config.appId ? { appId: config.appId } : {}),
    },
    `firequeue-${config.projectId}-${config.collectionPrefix || 'default'}`,
  );
  // Before Auth: its first requests then carry App Check tokens too.
  await startAppCheck(app, config);
  const auth = initializeAuth(app, { persistence: [indexedDBLocalPersistence, browserLocalPersistence] });
  if (config.authEmulatorHost) {
    const hp = parseHostPort(config.authEmulatorHost);
    if (hp) connectAuthEmulator(auth, `http://${hp.host}:${hp.port}`, { disableWarnings: true });
  }
  return { app, auth, config };
}

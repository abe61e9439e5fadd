import type { FirebaseApp } from 'firebase/app';
import { connectFirestoreEmulator, initializeFirestore, type Firestore } from 'firebase/firestore';
import { parseHostPort, type FirequeueConfig } from './config';

const instances = new WeakMap<FirebaseApp, Firestore>();

/** Firestore for the app, connected to the emulator when configured. Idempotent per app. */
export function firestoreFor(app: FirebaseApp, config: FirequeueConfig): Firestore {
  const existing = instances.get(app);
  if (existing) return existing;
  const db = initializeFirestore(app, {
    ...(config.forceLongPolling ? { experimentalForceLongPolling: true } : {}),
    // Documents carry nullable fields; never send `undefined` by accident, drop it instead.
    ignoreUndefinedProperties: true,
  });
  if (config.firestoreEmulatorHost) {
    const hp = parseHostPort(config.firestoreEmulatorHost);
    if (hp) connectFirestoreEmulator(db, hp.host, hp.port);
  }
  instances.set(app, db);
  return db;
}

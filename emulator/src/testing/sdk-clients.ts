import { randomBytes } from 'node:crypto';
import { deleteApp as deleteAdminApp, initializeApp as initializeAdminApp } from 'firebase-admin/app';
import type { Firestore as AdminFirestore } from 'firebase-admin/firestore';
import { getFirestore as getAdminFirestore } from 'firebase-admin/firestore';
import { deleteApp, initializeApp } from 'firebase/app';
import type { EmulatorMockTokenOptions, Firestore, FirestoreSettings } from 'firebase/firestore';
import { connectFirestoreEmulator, initializeFirestore, terminate } from 'firebase/firestore';
import type { TestTarget } from './test-env.js';

const appName = (kind: string): string => `${kind}-${randomBytes(6).toString('hex')}`;

/** A firebase-admin Firestore pointed at the target; its own app per call (`preferRest`: REST transport). */
export function adminFirestore(target: TestTarget, projectId: string, options: { preferRest?: boolean } = {}): { db: AdminFirestore; close(): Promise<void> } {
  const app = initializeAdminApp({ projectId }, appName('admin'));
  const db = getAdminFirestore(app);
  // google-gax asks an auth client for headers over REST and for the universe domain over
  // gRPC (a preferRest instance still listens over gRPC): a stand-in that adds nothing; the
  // SDK sends `Authorization: Bearer owner` itself when ssl is off.
  const auth = {
    universeDomain: 'googleapis.com',
    getClient: async () => auth,
    getRequestHeaders: async () => ({}),
    getUniverseDomain: async () => 'googleapis.com',
  };
  const rest = options.preferRest ? { preferRest: true, auth } : {};
  db.settings({ host: target.hostAndPort, ssl: false, ...rest });
  return {
    db,
    close: async () => {
      await db.terminate();
      await deleteAdminApp(app);
    },
  };
}

/** The official client SDK (Node build: gRPC) pointed at the target; its own app per call. */
export function clientFirestore(
  target: TestTarget,
  projectId: string,
  mockUserToken?: EmulatorMockTokenOptions | string,
  settings: FirestoreSettings = {},
): { db: Firestore; close(): Promise<void> } {
  const app = initializeApp({ projectId, apiKey: 'fake-api-key' }, appName('client'));
  const db = initializeFirestore(app, settings);
  connectFirestoreEmulator(db, target.host, target.port, mockUserToken ? { mockUserToken } : {});
  return {
    db,
    close: async () => {
      await terminate(db);
      await deleteApp(app);
    },
  };
}

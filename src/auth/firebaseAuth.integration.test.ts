// @vitest-environment node
/** The Firebase Auth port against the real Auth emulator (email/password, admin claim). */
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, initializeAuth, inMemoryPersistence } from 'firebase/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startAuthEmulator, type AuthEmulator } from '../test/authEmulatorProcess';
import { createFirebaseAuthPort } from './firebaseAuth';
import type { AuthPort, SessionUser } from './port';

const projectId = 'demo-firequeue-auth';
let emulator: AuthEmulator;
let app: FirebaseApp;
let port: AuthPort;
let seen: (SessionUser | null)[] = [];
const email = `ops-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function grantAdmin(uid: string) {
  const res = await fetch(`${emulator.url}/identitytoolkit.googleapis.com/v1/projects/${projectId}/accounts:update`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
    body: JSON.stringify({ localId: uid, customAttributes: JSON.stringify({ admin: true }) }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  emulator = await startAuthEmulator(projectId);
  app = initializeApp({ projectId, apiKey: 'demo-api-key' }, `auth-it-${email}`);
  const auth = initializeAuth(app, { persistence: inMemoryPersistence });
  connectAuthEmulator(auth, emulator.url, { disableWarnings: true });
  port = createFirebaseAuthPort(auth);
  port.onChange((u) => seen.push(u));
}, 120_000);

afterAll(async () => {
  await deleteApp(app);
  await emulator.stop();
}, 60_000);

describe('Firebase Auth port (Auth emulator)', () => {
  it('maps wrong credentials to a typed failure', async () => {
    await expect(port.signIn('nobody@example.com', 'pw123456')).rejects.toMatchObject({ code: 'invalid-credentials', message: 'Wrong email or password.' });
  });

  it('signs up without the admin claim, sees the claim after a grant, signs out and in again', async () => {
    await port.signUp(email, 'pw123456');
    const user = await eventually(() => seen.find((u) => u?.email === email), 15_000, 'signed-in user');
    expect(user?.isAdmin).toBe(false);
    await expect(port.signUp(email, 'pw123456')).rejects.toMatchObject({ code: 'email-in-use' });

    await grantAdmin(user!.uid);
    seen = [];
    await port.refreshClaims();
    await eventually(() => seen.find((u) => u?.isAdmin === true), 15_000, 'admin claim');

    seen = [];
    await port.signOut();
    await eventually(() => (seen.includes(null) ? true : undefined), 15_000, 'signed out');
    seen = [];
    await port.signIn(email, 'pw123456');
    expect(await eventually(() => seen.find((u) => u !== null), 15_000, 'signed in again')).toMatchObject({ email, isAdmin: true });
    await expect(port.signIn(email, 'wrong-password')).rejects.toMatchObject({ code: 'invalid-credentials' });
  }, 60_000);
});

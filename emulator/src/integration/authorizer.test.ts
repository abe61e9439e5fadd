import { collection, doc, getDoc, onSnapshot, setDoc } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../emulator.js';
import { startEmulator } from '../emulator.js';
import type { AccessRequest } from '../service/index.js';
import { adminFirestore, clientFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { uniqueProjectId, waitFor } from '../testing/test-env.js';

// The authorizer hook is our extension point for the rules engine, so this suite always
// runs against an in-process emulator.
let emulator: RunningEmulator;
let target: TestTarget;
const requests: AccessRequest[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, logLevel: 'silent' });
  target = { host: emulator.host, port: emulator.port, hostAndPort: emulator.hostAndPort, url: emulator.url, stop: () => emulator.stop() };
  emulator.service.setAuthorizer({
    authorize: (req) => {
      requests.push(req);
      // Users may only touch documents under their own uid; nobody else may do anything.
      if (req.auth.kind !== 'user') return { allow: false, reason: 'sign in first' };
      return req.path.startsWith(`users/${req.auth.uid}`);
    },
  });
});

afterAll(async () => {
  await emulator.stop();
});

describe('authorization hook', () => {
  it('passes the signed-in user (unsigned emulator JWT) and enforces decisions', async () => {
    const projectId = uniqueProjectId('authz');
    const alice = clientFirestore(target, projectId, { user_id: 'alice', sub: 'alice', email: 'alice@example.com' } as never);
    await setDoc(doc(alice.db, 'users/alice/notes/n1'), { text: 'hi' });
    const create = requests.find((r) => r.method === 'create' && r.path === 'users/alice/notes/n1');
    expect(create?.auth).toMatchObject({ kind: 'user', uid: 'alice' });
    expect(create?.newResource?.fields).toEqual({ text: { stringValue: 'hi' } });
    expect(create?.resource).toBeNull();

    await expect(setDoc(doc(alice.db, 'users/bob/notes/n1'), { text: 'x' })).rejects.toMatchObject({ code: 'permission-denied' });
    expect((await getDoc(doc(alice.db, 'users/alice/notes/n1'))).get('text')).toBe('hi');

    // A denied listen target fails only that listener.
    const error = await new Promise<{ code?: string }>((resolve) => {
      const unsub = onSnapshot(collection(alice.db, 'users/bob/notes'), () => undefined, (e) => {
        unsub();
        resolve(e as { code?: string });
      });
    });
    expect(error.code).toBe('permission-denied');
    await alice.close();
  });

  it('treats requests without a token as unauthenticated and the admin SDK as owner', async () => {
    const projectId = uniqueProjectId('authz-anon');
    const anon = clientFirestore(target, projectId);
    await expect(setDoc(doc(anon.db, 'users/x/notes/n'), { a: 1 })).rejects.toMatchObject({ code: 'permission-denied' });
    await anon.close();
    const before = requests.length;
    const admin = adminFirestore(target, projectId);
    await admin.db.doc('anything/goes').set({ a: 1 });
    await waitFor(async () => ((await admin.db.doc('anything/goes').get()).exists ? true : undefined));
    expect(requests.length).toBe(before); // owner calls never reach the authorizer
    await admin.close();
  });
});

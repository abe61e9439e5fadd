import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../emulator.js';
import { startEmulator } from '../emulator.js';
import { adminFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { uniqueProjectId, waitFor } from '../testing/test-env.js';

// Needs our in-process emulator to look at its internals.
let emulator: RunningEmulator;
let target: TestTarget;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, logLevel: 'silent' });
  target = { host: emulator.host, port: emulator.port, hostAndPort: emulator.hostAndPort, url: emulator.url, stop: () => emulator.stop() };
});

afterAll(async () => {
  await emulator.stop();
});

describe('stream lifecycle', () => {
  it('frees listen sessions when clients unsubscribe, and transactions when they finish', async () => {
    const projectId = uniqueProjectId('lifecycle');
    const { db, close } = adminFirestore(target, projectId);
    await db.doc('c/a').set({ v: 1 });
    const database = emulator.service.store.database({ projectId, databaseId: '(default)' });
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const unsub = db.collection('c').onSnapshot(() => {
          unsub();
          resolve();
        });
      });
    }
    await waitFor(() => (database.listenerCount === 0 ? true : undefined), 10_000, 'all listen sessions closed');
    await Promise.all(Array.from({ length: 5 }, (_, i) => db.runTransaction(async (tx) => tx.set(db.doc(`c/t${i}`), { v: (await tx.get(db.doc('c/a'))).get('v') }))));
    expect(emulator.service.store.transactions.size).toBe(0);
    expect(emulator.service.store.locks.size).toBe(0);
    await close();
  });
});

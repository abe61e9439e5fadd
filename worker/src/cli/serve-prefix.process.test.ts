import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { servedPrefixes } from '../adapters/firestore/served-prefixes.js';
import { spawnWorker, type WorkerProcess } from '../testing/worker-process.js';

/**
 * A worker started from the CLI adds its prefix to the project's served prefixes (what the
 * security rules require before a browser may submit there), unless told not to: an app
 * developer's deployment needs no separate registration step. Real processes.
 */
const PROJECT = 'demo-fq-cli-serve';
const spawned: WorkerProcess[] = [];
afterEach(async () => {
  for (const w of spawned.splice(0)) {
    if (!w.isRunning()) continue;
    w.child.kill('SIGTERM');
    await w.exited;
  }
});

describe('worker CLI serves its prefix', () => {
  let emulator: { hostAndPort: string; stop(): Promise<void> };
  let app: App;
  beforeAll(async () => {
    const { startEmulator } = await import('@fq/emulator');
    emulator = await startEmulator({ port: 0, host: '127.0.0.1', projectId: PROJECT, logLevel: 'warn' });
    process.env.FIRESTORE_EMULATOR_HOST = emulator.hostAndPort;
    app = initializeApp({ projectId: PROJECT }, 'serve-prefix-test');
  }, 60_000);
  afterAll(async () => {
    if (app) await deleteApp(app);
    delete process.env.FIRESTORE_EMULATOR_HOST;
    await emulator?.stop();
  });

  it('adds its prefix when it starts; --no-serve-prefix leaves the list alone', async () => {
    const base = { projectId: PROJECT, emulatorHost: emulator.hostAndPort, fakeGeminiUrl: 'http://127.0.0.1:9' };
    spawned.push(await spawnWorker({ ...base, serverId: 'serve-a', prefix: 'served_a_' }));
    spawned.push(await spawnWorker({ ...base, serverId: 'serve-b', prefix: 'served_b_', extraArgs: ['--no-serve-prefix'] }));
    const served = await servedPrefixes(getFirestore(app));
    expect(served).toContain('served_a_');
    expect(served).not.toContain('served_b_');
  }, 180_000);
});

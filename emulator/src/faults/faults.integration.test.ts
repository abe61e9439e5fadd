import { doc, onSnapshot, setDoc } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../emulator.js';
import { startEmulator } from '../emulator.js';
import { adminFirestore, clientFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { uniqueProjectId, waitFor } from '../testing/test-env.js';
import { faultsClient } from './client.js';

// Faults need our emulator (they are not part of Firestore's API).
let emu: RunningEmulator;
let target: TestTarget;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, logLevel: 'silent' });
  target = { host: emu.host, port: emu.port, hostAndPort: emu.hostAndPort, url: emu.url, stop: async () => undefined };
});

afterAll(async () => {
  await emu.stop();
});

describe('fault injection over gRPC and the HTTP endpoint', () => {
  it('drops gRPC Listen/Write streams; the Node client SDK reconnects and keeps receiving', async () => {
    const projectId = uniqueProjectId('faults-grpc');
    const admin = adminFirestore(target, projectId);
    const client = clientFirestore(target, projectId);
    const seen: number[] = [];
    const unsub = onSnapshot(doc(client.db, 'live/x'), (s) => {
      if (s.exists()) seen.push(Number(s.get('v')));
    });
    await admin.db.doc('live/x').set({ v: 1 });
    await waitFor(() => (seen.includes(1) ? true : undefined), 10_000, 'first value');
    await setDoc(doc(client.db, 'live/y'), { v: 0 }); // opens the Write stream too
    const remote = faultsClient(emu.url, projectId);
    expect(await remote.dropStreams()).toBeGreaterThanOrEqual(2);
    await admin.db.doc('live/x').set({ v: 2 });
    await waitFor(() => (seen.includes(2) ? true : undefined), 20_000, 'value after the drop');
    await setDoc(doc(client.db, 'live/y'), { v: 1 });
    expect((await admin.db.doc('live/y').get()).get('v')).toBe(1);
    expect((await remote.snapshot()).stats.droppedStreams).toBeGreaterThanOrEqual(2);
    unsub();
    await client.close();
    await admin.close();
  });

  it('makes admin transactions retry after an ABORTED commit', async () => {
    const projectId = uniqueProjectId('faults-tx');
    const admin = adminFirestore(target, projectId);
    await admin.db.doc('c/counter').set({ n: 0 });
    emu.faults.failNextCommits(projectId, 2, 'ABORTED');
    let attempts = 0;
    await admin.db.runTransaction(async (tx) => {
      attempts++;
      const n = Number((await tx.get(admin.db.doc('c/counter'))).get('n'));
      tx.update(admin.db.doc('c/counter'), { n: n + 1 });
    });
    expect(attempts).toBe(3);
    expect((await admin.db.doc('c/counter').get()).get('n')).toBe(1);
    expect(emu.service.store.transactions.size).toBe(0);
    await admin.close();
  });

  it('validates requests to the fault endpoint and reports active faults', async () => {
    const projectId = uniqueProjectId('faults-http');
    const url = `${emu.url}/emulator/v1/projects/${projectId}:faults`;
    for (const body of ['{oops', JSON.stringify({ delays: { Commit: -5 } }), JSON.stringify({ failCommits: { count: 1, status: 'DATA_LOSS' } }), JSON.stringify([1])]) {
      const res = await fetch(url, { method: 'POST', body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    }
    const set = await fetch(url, { method: 'POST', body: JSON.stringify({ delays: { RunQuery: 50 }, failCommits: { count: 3, status: 'UNAVAILABLE' } }) });
    expect(await set.json()).toMatchObject({ projectId, delays: { RunQuery: 50 }, failCommits: { remaining: 3, status: 'UNAVAILABLE' }, dropped: 0 });
    expect(await (await fetch(url)).json()).toMatchObject({ delays: { RunQuery: 50 }, openStreams: 0 });
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(url)).json()).toMatchObject({ delays: {}, failCommits: null });
  });
});

import { collection, doc, getDoc, getDocs, limit, onSnapshot, query, setDoc } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterSnapshot } from '../service/index.js';
import { adminFirestore, clientFirestore } from '../testing/sdk-clients.js';
import type { TestTarget } from '../testing/test-env.js';
import { startTestTarget, uniqueProjectId, waitFor } from '../testing/test-env.js';

let target: TestTarget;

beforeAll(async () => {
  target = await startTestTarget();
});

afterAll(async () => {
  await target.stop();
});

async function meter(projectId: string): Promise<MeterSnapshot> {
  const res = await fetch(`${target.url}/emulator/v1/projects/${projectId}:meter`);
  expect(res.status).toBe(200);
  return (await res.json()) as MeterSnapshot;
}

describe('emulator HTTP endpoints', () => {
  it('answers the health check like Google\'s emulator', async () => {
    const res = await fetch(`${target.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ok');
  });

  it('answers unknown routes with a JSON error', async () => {
    const res = await fetch(`${target.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { status: 'NOT_FOUND' } });
  });

  it('clears one database and leaves other projects alone', async () => {
    const p1 = uniqueProjectId('clear');
    const p2 = uniqueProjectId('keep');
    const a = adminFirestore(target, p1);
    const b = adminFirestore(target, p2);
    await a.db.doc('c/d').set({ v: 1 });
    await b.db.doc('c/d').set({ v: 2 });
    const res = await fetch(`${target.url}/emulator/v1/projects/${p1}/databases/(default)/documents`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await a.db.doc('c/d').get()).exists).toBe(false);
    expect((await b.db.doc('c/d').get()).get('v')).toBe(2);
    await a.close();
    await b.close();
  });

  it.skipIf(process.env.FIRESTORE_EMULATOR_HOST !== undefined)('meters reads, writes and deletes like Firestore bills them', async () => {
    const projectId = uniqueProjectId('meter');
    const admin = adminFirestore(target, projectId);
    const batch = admin.db.batch();
    for (let i = 0; i < 5; i++) batch.set(admin.db.doc(`items/i${i}`), { i });
    await batch.commit();
    await admin.db.doc('items/i0').delete();
    let m = await meter(projectId);
    expect(m).toMatchObject({ writes: 5, deletes: 1, reads: 0 });

    await admin.db.collection('items').get(); // 4 documents -> 4 reads
    await admin.db.collection('empty').get(); // no documents -> still 1 read
    await admin.db.doc('items/missing').get(); // a lookup costs 1 read even when missing
    await admin.db.collection('items').count().get(); // aggregation: 1 read per 1000 entries
    m = await meter(projectId);
    expect(m.reads).toBe(4 + 1 + 1 + 1);
    expect(m.connections.length).toBeGreaterThanOrEqual(1);
    expect(m.connections.reduce((s, c) => s + c.reads, 0)).toBe(m.reads);
    expect(m.databases['(default)']).toMatchObject({ reads: 7, writes: 5, deletes: 1 });
    // The same operations by kind of call and by collection id.
    expect(m.byCall).toEqual({
      commit: { reads: 0, writes: 5, deletes: 1 },
      query: { reads: 5, writes: 0, deletes: 0 },
      batchGet: { reads: 1, writes: 0, deletes: 0 },
      aggregation: { reads: 1, writes: 0, deletes: 0 },
    });
    expect(m.byCollection).toEqual({ items: { reads: 6, writes: 5, deletes: 1 }, empty: { reads: 1, writes: 0, deletes: 0 } });
    const adminConns = m.connections.filter((c) => c.reads + c.writes + c.deletes > 0);
    expect(adminConns.reduce((s, c) => s + (c.byCollection.items?.reads ?? 0), 0)).toBe(6);

    const reset = await fetch(`${target.url}/emulator/v1/projects/${projectId}:meter`, { method: 'DELETE' });
    expect(reset.status).toBe(200);
    expect(await meter(projectId)).toMatchObject({ reads: 0, writes: 0, deletes: 0, connections: [] });

    // A listener pays one read per document added or changed in its results.
    const client = clientFirestore(target, projectId);
    const seen: number[] = [];
    const unsub = onSnapshot(query(collection(client.db, 'items'), limit(10)), (s) => seen.push(s.size));
    await waitFor(() => (seen.includes(4) ? true : undefined));
    await waitFor(async () => ((await meter(projectId)).reads === 4 ? true : undefined), 10_000, '4 reads for the initial listen');
    await admin.db.doc('items/i1').update({ i: 100 });
    await waitFor(async () => ((await meter(projectId)).reads === 5 ? true : undefined), 10_000, '1 read for the change');
    unsub();
    // The client SDK's own traffic is attributed to its connection, separately from admin's.
    const afterListen = await meter(projectId);
    const clientConn = afterListen.connections.find((c) => (c.client ?? '').includes('fire/'));
    expect(clientConn?.reads).toBe(5);
    expect(clientConn?.byCall).toEqual({ listen: { reads: 5, writes: 0, deletes: 0 } });
    expect(afterListen.byCall.listen).toEqual({ reads: 5, writes: 0, deletes: 0 });
    expect(afterListen.byCollection.items).toEqual({ reads: 5, writes: 1, deletes: 0 });
    await client.close();
    await admin.close();
  });

  it.skipIf(process.env.FIRESTORE_EMULATOR_HOST !== undefined)('counts client SDK reads of single documents', async () => {
    const projectId = uniqueProjectId('meter-client');
    const client = clientFirestore(target, projectId);
    await setDoc(doc(client.db, 'x/y'), { v: 1 });
    await getDoc(doc(client.db, 'x/y'));
    await getDocs(collection(client.db, 'x'));
    const m = await meter(projectId);
    expect(m.writes).toBe(1);
    expect(m.reads).toBe(2);
    await client.close();
  });
});

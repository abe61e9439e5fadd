// @vitest-environment node
/// <reference types="node" />
/**
 * The client over the web SDK (`firestoreQueueStore`) against a real Firestore protocol
 * endpoint: our emulator in this process, enforcing the project's firestore.rules, with users
 * signed in through the emulator's mock tokens. So the rules judge exactly what the client
 * writes: the submission (job, chunks, gate step), the cancel request, and the reads.
 */
import { startEmulator, type RunningEmulator } from '@fq/emulator';
import { encodeDoc, SERVED_PREFIXES_DOC, collectionNames } from '@fq/worker/schema';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectFirestoreEmulator, doc, getDoc, initializeFirestore, setDoc, terminate, type EmulatorMockTokenOptions, type Firestore } from 'firebase/firestore';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createQueueClient, type MyRequestsSnapshot, type QueueClient, type RequestSnapshot } from './index.js';
import { firestoreQueueStore, toFirestoreValue } from './firestoreStore.js';
import { monitorRefs } from './monitor.js';
import { makeWav } from './test/audio.js';
import { server, stats } from './test/factories.js';

const RULES = fileURLToPath(new URL('../../firestore.rules', import.meta.url));
const prefix = `c${Math.random().toString(36).slice(2, 8)}_`;
const projectId = `demo-client-${prefix.slice(1, 7)}`;
const names = collectionNames(prefix);
let emulator: RunningEmulator;
const opened: { app: FirebaseApp; db: Firestore }[] = [];

function firestore(name: string, token: EmulatorMockTokenOptions | 'owner'): Firestore {
  const app = initializeApp({ projectId, apiKey: 'demo-api-key' }, `client-it-${prefix}-${name}`);
  const db = initializeFirestore(app, {});
  connectFirestoreEmulator(db, emulator.host, emulator.port, { mockUserToken: token });
  opened.push({ app, db });
  return db;
}

/** A user of this run's tenant (the claim binds them to its prefix), as an app creates it. */
const endUser = (uid: string): QueueClient =>
  createQueueClient({ firestore: firestore(uid, { sub: uid, user_id: uid, tenant: prefix } as EmulatorMockTokenOptions), prefix, userId: uid, storage: null, tickMs: 0 });

/** The last value `watch` reported once `pred` holds for it. */
async function until<T>(watch: (push: (v: T) => void) => () => void, pred: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  const stop = watch((v) => (last = v));
  try {
    return await vi.waitFor(
      () => {
        if (last === undefined || !pred(last)) throw new Error(`not yet: ${what} (last: ${JSON.stringify(last)})`);
        return last;
      },
      { timeout: 20_000, interval: 20 },
    );
  } finally {
    stop();
  }
}

let owner: Firestore;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', projectId, logLevel: 'silent', rules: { file: RULES } });
  owner = firestore('owner', 'owner');
  // A deployment serves this tenant: without it the rules refuse every client write.
  await setDoc(doc(owner, SERVED_PREFIXES_DOC.collection, SERVED_PREFIXES_DOC.id), { servedPrefixes: [prefix], updatedAt: new Date() });
}, 60_000);

afterAll(async () => {
  for (const c of opened) {
    await terminate(c.db);
    await deleteApp(c.app);
  }
  await emulator?.stop();
});

describe('the client on Firestore, under the project’s rules', () => {
  it('submits audio the rules accept, watches it, and writes a cancel request the rules accept', async () => {
    const client = endUser('u-1');
    const audio = makeWav(0.5);
    const id = await client.submit(new Blob([audio], { type: 'audio/wav' }), { priority: 'normal', metadata: { deck: 'it' } });
    const mine = await until<MyRequestsSnapshot>((push) => client.watchMine(push), (s) => s.requests.some((r) => r.requestId === id && r.status === 'submitted'), 'the job shows');
    const request = mine.requests.find((r) => r.requestId === id)!;
    expect(request).toMatchObject({ priority: 'normal', metadata: { deck: 'it' }, canCancel: true });
    // Stamped with the commit time by Firestore, not the browser.
    expect(Math.abs(request.createdAt - Date.now())).toBeLessThan(60_000);
    // The audio and the gate step went in with it (read as the owner).
    const chunk = await getDoc(doc(owner, names.payloads, `${id}_0000`));
    expect(new Uint8Array((chunk.get('data') as { toUint8Array(): Uint8Array }).toUint8Array())).toEqual(audio);
    expect((await getDoc(doc(owner, names.submissionGates, 'u-1'))).data()).toMatchObject({ count: 1, lastJobId: id });

    await client.cancel(id, 'integration test');
    const watched = await until<RequestSnapshot>((push) => client.watch(id, push), (s) => s.request?.cancelRequested === true, 'the cancel request shows');
    expect(watched.request).toMatchObject({ canCancel: false });
    expect((await getDoc(doc(owner, names.jobs, id))).get('cancelRequest')).toMatchObject({ by: 'u-1', reason: 'integration test' });
  }, 60_000);

  it('refuses over the published quota before writing, and cannot touch another user’s job', async () => {
    const client = endUser('u-2');
    await setDoc(doc(owner, names.stats, 'queue'), toFirestoreValue(encodeDoc('stats', stats({ at: Date.now(), submissionQuota: { perWindow: 1, windowMs: 60_000 } }))) as Record<string, unknown>);
    const first = await client.submit(makeWav(0.1), { mimeType: 'audio/wav' });
    await expect(client.submit(makeWav(0.1), { mimeType: 'audio/wav' })).rejects.toMatchObject({ name: 'SubmissionError', code: 'SUBMISSION_THROTTLED' });
    expect((await getDoc(doc(owner, names.submissionGates, 'u-2'))).data()).toMatchObject({ count: 1, lastJobId: first });

    // u-3 may not read u-2's job: it is not a request of theirs, and nothing is written.
    const other = endUser('u-3');
    await expect(other.cancel(first)).rejects.toMatchObject({ name: 'CancelError', code: 'UNKNOWN_REQUEST' });
    expect((await getDoc(doc(owner, names.jobs, first))).get('cancelRequest')).toBeUndefined();
  }, 60_000);

  it('reads a query and a document once (no listener) for an admin, and the rules refuse an end user the same reads', async () => {
    for (const [id, state] of [['srv-live', 'active'], ['srv-gone', 'stopped']] as const) {
      await setDoc(doc(owner, names.servers, id), toFirestoreValue(encodeDoc('servers', server({ serverId: id, state, inFlight: 2 }))) as Record<string, unknown>);
    }
    const admin = firestoreQueueStore(firestore('admin', { sub: 'admin-1', admin: true, tenant: prefix } as EmulatorMockTokenOptions), { prefix });
    const liveServers = monitorRefs().servers;
    const serverDoc = (id: string) => ({ collection: 'servers' as const, id });
    const rows = await admin.getQuery(liveServers);
    expect(rows.map((r) => (r.ok ? [r.id, r.data.state, r.data.inFlight] : r.error))).toEqual([['srv-live', 'active', 2]]);
    expect(await admin.getDoc(serverDoc('srv-gone'))).toMatchObject({ id: 'srv-gone', ok: true, data: { state: 'stopped' } });
    expect(await admin.getDoc(serverDoc('srv-never'))).toBeNull();

    const user = firestoreQueueStore(firestore('u-4', { sub: 'u-4', user_id: 'u-4', tenant: prefix } as EmulatorMockTokenOptions), { prefix });
    await expect(user.getQuery(liveServers)).rejects.toMatchObject({ code: 'permission-denied' });
    await expect(user.getDoc(serverDoc('srv-live'))).rejects.toMatchObject({ code: 'permission-denied' });
  }, 60_000);
});

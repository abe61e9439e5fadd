// @vitest-environment node
/**
 * The web SDK adapter against a real Firestore protocol endpoint: our emulator (Node build of
 * the SDK, gRPC), or Google's / a real one via FIRESTORE_EMULATOR_HOST. Browser transports
 * come later; the adapter code is the same.
 */
import { commitSubmission } from '@fq/client';
import { planSubmission } from '@fq/worker/core';
import { encodeDoc, SERVED_PREFIXES_DOC, SUBMISSION_QUOTA_DEFAULTS } from '@fq/worker/schema';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectFirestoreEmulator, doc, initializeFirestore, setDoc, terminate, type EmulatorMockTokenOptions, type Firestore } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../firebase/config';
import { firestoreFor } from '../firebase/firestore';
import { makeWav } from '../test/audio';
import { T0, breaker, job } from '../test/factories';
import { startFirestoreEmulator, type EmulatorTarget } from '../test/emulatorProcess';
import { queueStoreOver } from '../test/queueStore';
import { executeControl } from './controls';
import { createFirestoreData } from './firestoreData';
import { SERVER_TIME, type DataPort, type Mutation } from './port';
import type { Row } from './rows';
import { docSpec, querySpec, where } from './specs';
import { describeDataPortContract } from './dataPort.contract';

let target: EmulatorTarget;
const clients: { app: FirebaseApp; db: Firestore }[] = [];
let port: DataPort;
let userPort: DataPort;
const prefix = `t${Math.random().toString(36).slice(2, 8)}_`;
const projectId = `demo-dash-${prefix.slice(1, 7)}`;
const actor = { kind: 'admin' as const, id: 'admin-1', email: 'admin@example.com' };

/**
 * A web-SDK client signed in as `token` (the emulator's mock tokens), so the project's
 * security rules, when the emulator enforces them, judge these writes like a browser's.
 */
function client(name: string, token: EmulatorMockTokenOptions | string, collectionPrefix = prefix): DataPort {
  const app = initializeApp({ projectId, apiKey: 'demo-api-key' }, `it-${collectionPrefix}-${name}`);
  const db = initializeFirestore(app, { ignoreUndefinedProperties: true });
  connectFirestoreEmulator(db, target.host, target.port, { mockUserToken: token });
  clients.push({ app, db });
  return createFirestoreData(db, collectionPrefix);
}

/** Resolves with the first value that satisfies `pred` (listeners deliver asynchronously). */
function until<T>(subscribe: (sink: { next(v: T): void; error(e: Error): void }) => () => void, pred: (v: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a snapshot')), 20_000);
    const unsub = subscribe({
      next(v) {
        if (!pred(v)) return;
        clearTimeout(timer);
        queueMicrotask(() => unsub());
        resolve(v);
      },
      error(e) {
        clearTimeout(timer);
        reject(e);
      },
    });
  });
}

beforeAll(async () => {
  target = await startFirestoreEmulator();
  // Accounts of this run's tenant (the claim binds them to its prefix), which a deployment serves.
  port = client('admin', { sub: 'admin-1', email: 'admin@example.com', admin: true, tenant: prefix } as EmulatorMockTokenOptions);
  userPort = client('user', { sub: 'u-1', email: 'u1@example.com', tenant: prefix } as EmulatorMockTokenOptions);
  client('owner-raw', 'owner');
  await setDoc(doc(clients.at(-1)!.db, SERVED_PREFIXES_DOC.collection, SERVED_PREFIXES_DOC.id), { servedPrefixes: [prefix], updatedAt: new Date() });
}, 90_000);

afterAll(async () => {
  for (const c of clients) {
    await terminate(c.db);
    await deleteApp(c.app);
  }
  await target.stop();
});

/**
 * Seeds documents no end user or admin may write (servers, jobs in engine states) the way a
 * worker does: the emulator's `owner` token bypasses rules like the Admin SDK.
 */
let ownerPort: DataPort | null = null;
async function seed(mutations: Mutation[]) {
  ownerPort ??= client('owner', 'owner');
  await ownerPort.commitBatch(mutations);
}

// The data-port contract on a namespace of its own: two owner clients (rules do not apply to
// them, as to the Admin SDK) and a signed-in end user, whom the rules refuse the servers.
describeDataPortContract('Firestore web-SDK adapter on the emulator', async () => {
  const own = `k${Math.random().toString(36).slice(2, 8)}_`;
  return {
    port: client('contract-a', 'owner', own),
    other: client('contract-b', 'owner', own),
    denied: client('contract-user', { sub: 'u-9', email: 'u9@example.com', tenant: own } as EmulatorMockTokenOptions, own),
    deniedCollection: 'servers',
    // The clients end with the others in afterAll.
    cleanup: async () => undefined,
  };
});

describe('config wiring', () => {
  it('connects one Firestore per app to the configured emulator', async () => {
    const config = resolveConfig({ projectId, firestoreEmulatorHost: `${target.host}:${target.port}`, collectionPrefix: prefix });
    const app = initializeApp({ projectId, apiKey: config.apiKey }, `it-${prefix}-config`);
    const db = firestoreFor(app, config);
    expect(firestoreFor(app, config)).toBe(db);
    clients.push({ app, db });
  });
});

describe('Firestore web-SDK adapter', () => {
  it('runs a breaker control through the planner in one transaction and the listener sees it', async () => {
    await seed([{ op: 'set', collection: 'breakers', id: 'm1', data: encodeDoc('breakers', breaker({ model: 'm1', state: 'closed', since: Date.now() - 60_000, updatedAt: Date.now() - 1_000 })) }]);
    const now = Date.now();
    const plan = await executeControl(port, { type: 'breaker.force_open', model: 'm1', reason: 'it' }, actor, () => now);
    expect(plan.audit.action).toBe('breaker.force_open');
    const row = await until<Row<unknown> | null>(
      (sink) => port.watchDoc(docSpec('breakers', 'm1'), { next: (v) => sink.next(v), error: sink.error }),
      (v) => !!v && v.ok && (v.data as { override: string | null }).override === 'force_open',
    );
    expect(row?.ok && row.data).toMatchObject({ state: 'open', overrideBy: 'admin-1', since: now });
    const audit = await until<Row<unknown>[]>(
      (sink) => port.watchQuery(querySpec('audit', { limit: 10 }), { next: (v) => sink.next(v), error: sink.error }),
      (v) => v.length === 1,
    );
    expect(audit[0]?.ok && audit[0].data).toMatchObject({ action: 'breaker.force_open', actor, reason: 'it' });
    // the entry carries the commit time
    expect(audit[0]?.ok && Math.abs((audit[0].data as { at: number }).at - Date.now())).toBeLessThan(60_000);
  }, 60_000);

  it('applies queue, lock and job controls as the signed-in admin (rules judge the planner shapes)', async () => {
    const now = Date.now();
    await seed([
      { op: 'set', collection: 'locks', id: 'maint', data: encodeDoc('locks', { name: 'maint', holder: 'srv-a', token: 4, acquiredAt: now - 5_000, renewedAt: now - 1_000, expiresAt: now + 30_000, purpose: null, releasedAt: null, releasedBy: null }) },
      {
        op: 'set',
        collection: 'jobs',
        id: 'dead1',
        data: encodeDoc('jobs', job({ status: 'dead_lettered', attempts: 3, maxAttempts: 3, createdAt: now - 60_000, updatedAt: now - 1_000, rank: now - 60_000, admittedAt: now - 59_000, completedAt: now - 1_000, expireAt: now + 86_400_000 })),
      },
      { op: 'set', collection: 'jobs', id: 'queued1', data: encodeDoc('jobs', job({ status: 'queued', createdAt: now - 10_000, updatedAt: now - 5_000, rank: now - 10_000, admittedAt: now - 9_000 })) },
    ]);
    await executeControl(port, { type: 'queue.pause', priorities: ['low'] }, actor, () => Date.now());
    await executeControl(port, { type: 'queue.pause' }, actor, () => Date.now());
    await executeControl(port, { type: 'queue.resume' }, actor, () => Date.now());
    await executeControl(port, { type: 'lock.force_release', name: 'maint' }, actor, () => Date.now());
    const redrive = await executeControl(port, { type: 'job.redrive', jobIds: ['dead1'] }, actor, () => Date.now());
    expect(redrive.applied).toEqual(['dead1']);
    const cancel = await executeControl(port, { type: 'job.cancel', jobIds: ['queued1'], reason: 'duplicate' }, actor, () => Date.now());
    expect(cancel.applied).toEqual(['queued1']);

    const controls = await port.getDoc(docSpec('controls', 'queue'));
    expect(controls?.ok && controls.data).toMatchObject({ paused: false, pausedPriorities: [], updatedBy: 'admin-1' });
    const lockRow = await port.getDoc(docSpec('locks', 'maint'));
    expect(lockRow?.ok && lockRow.data).toMatchObject({ holder: null, token: 4, releasedBy: 'admin-1' });
    const redriven = await port.getDoc(docSpec('jobs', 'dead1'));
    expect(redriven?.ok && redriven.data).toMatchObject({ status: 'queued', attempts: 0, redriveCount: 1 });
    const cancelled = await port.getDoc(docSpec('jobs', 'queued1'));
    expect(cancelled?.ok && cancelled.data).toMatchObject({ status: 'cancelled', cancelRequest: { by: 'admin-1', reason: 'duplicate' } });
    // a control the planner refuses writes nothing and says why
    await expect(executeControl(port, { type: 'job.retry', jobIds: ['queued1'] }, actor, () => Date.now())).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    // End users cannot run operator controls, when the emulator enforces the project's rules
    // (ours loads firestore.rules from firebase.json; an external emulator may run without).
    const probe = await userPort.getDoc(docSpec('servers', 'any')).catch((e: unknown) => e);
    if ((probe as { code?: string } | null)?.code === 'permission-denied') {
      const denied = await executeControl(userPort, { type: 'queue.pause' }, { kind: 'admin', id: 'u-1', email: 'u1@example.com' }, () => Date.now()).catch(
        (e: unknown) => e,
      );
      expect((denied as { code?: string }).code).toBe('permission-denied');
    }
  }, 60_000);

  it('a job with inline audio: views get it without the bytes, a redrive in a transaction writes them back unchanged', async () => {
    const now = Date.now();
    const audio = new Uint8Array(3_000).fill(7);
    const dead = job({
      status: 'dead_lettered',
      source: 'server',
      audio: { mimeType: 'audio/wav', bytes: audio.length, chunkCount: 0 },
      inlineAudio: audio,
      attempts: 3,
      maxAttempts: 3,
      createdAt: now - 60_000,
      updatedAt: now - 1_000,
      rank: now - 60_000,
      admittedAt: now - 59_000,
      completedAt: now - 1_000,
      expireAt: now + 86_400_000,
    });
    await seed([{ op: 'set', collection: 'jobs', id: 'inline1', data: encodeDoc('jobs', dead) }]);
    const watched = await until<Row<unknown> | null>(
      (sink) => port.watchDoc(docSpec('jobs', 'inline1'), { next: (v) => sink.next(v), error: sink.error }),
      (v) => !!v && v.ok,
    );
    expect(watched?.ok && watched.data).toMatchObject({ status: 'dead_lettered', inlineAudio: null, audio: { chunkCount: 0 } });
    const shown = await port.getDoc(docSpec('jobs', 'inline1'));
    expect(shown?.ok && shown.data).toMatchObject({ inlineAudio: null });
    await executeControl(port, { type: 'job.redrive', jobIds: ['inline1'] }, actor, () => Date.now());
    // A transaction reads documents whole (it may write them back): the audio is still there.
    const stored = await port.transact(async (tx) => ({ mutations: [], result: await tx.get(docSpec('jobs', 'inline1')) }));
    expect(stored?.ok && stored.data).toMatchObject({ status: 'queued', redriveCount: 1, inlineAudio: audio });
  }, 60_000);

  it('pages a filtered, ordered job query with limit and cursors', async () => {
    const writes: Mutation[] = [];
    for (let i = 0; i < 7; i++) {
      writes.push({ op: 'set', collection: 'jobs', id: `p${i}`, data: encodeDoc('jobs', job({ userId: i % 2 ? 'odd' : 'even', createdAt: T0 + i })) });
    }
    await seed(writes);
    const spec = querySpec('jobs', { where: [where('userId', '==', 'even')], orderBy: [{ field: 'createdAt', direction: 'desc' }], limit: 3 });
    const first = await port.getPage(spec, null);
    expect(first.rows.map((r) => r.id)).toEqual(['p6', 'p4', 'p2']);
    const second = await port.getPage(spec, first.next);
    expect(second.rows.map((r) => r.id)).toEqual(['p0']);
    expect(second.next).toBeNull();
    const ranged = await port.getPage(
      querySpec('jobs', {
        where: [where('createdAt', '>=', { timeMs: T0 + 5 }), where('createdAt', '<', { timeMs: T0 + 1_000 })],
        orderBy: [{ field: 'createdAt', direction: 'asc' }],
        limit: 10,
      }),
      null,
    );
    expect(ranged.rows.map((r) => r.id)).toEqual(['p5', 'p6']);
  }, 60_000);

  it('writes a client submission with bytes and server timestamps that decode back', async () => {
    const plan = await planSubmission({ audio: makeWav(0.5), mimeType: 'audio/wav', userId: 'u-1' }, { now: T0, source: 'client', jobId: 'sub1' });
    // as the end user, as the hook commits it (the job, its audio and the user's submission
    // gate step, in one transaction): the project's rules accept exactly this shape
    await commitSubmission(queueStoreOver(userPort), plan, { quota: SUBMISSION_QUOTA_DEFAULTS, serverNow: () => Date.now() });
    const gate = await userPort.getDoc(docSpec('submissionGates', 'u-1'));
    expect(gate?.ok && gate.data).toMatchObject({ count: 1, lastJobId: 'sub1' });
    const jobRow = await userPort.getDoc(docSpec('jobs', 'sub1'));
    expect(jobRow?.ok && jobRow.data).toMatchObject({ status: 'submitted', userId: 'u-1', source: 'client' });
    expect(jobRow?.ok && Math.abs(jobRow.data.createdAt - Date.now())).toBeLessThan(60_000);
    const chunk = await port.getDoc(docSpec('payloads', 'sub1_0000'));
    expect(chunk?.ok && chunk.data.data).toEqual(plan.chunks[0]!.doc.data);
    // the user's own cancel request (only that field, stamped with the commit time)
    await userPort.commitBatch([{ op: 'update', collection: 'jobs', id: 'sub1', data: { cancelRequest: { at: SERVER_TIME, by: 'u-1', reason: null } } }]);
    const cancelled = await userPort.getDoc(docSpec('jobs', 'sub1'));
    expect(cancelled?.ok && cancelled.data.cancelRequest).toMatchObject({ by: 'u-1', reason: null });
  }, 60_000);

  it('shows a malformed document as an error row and keeps the others', async () => {
    await seed([
      { op: 'set', collection: 'locks', id: 'good', data: encodeDoc('locks', { name: 'good', holder: null, token: 1, acquiredAt: null, renewedAt: null, expiresAt: null, purpose: null, releasedAt: null, releasedBy: null }) },
      { op: 'set', collection: 'locks', id: 'bad', data: { name: 'bad', token: 'seven' } },
    ]);
    const rows = await until<Row<unknown>[]>(
      (sink) => port.watchQuery(querySpec('locks', { limit: 10 }), { next: (v) => sink.next(v), error: sink.error }),
      (v) => v.some((r) => r.id === 'good') && v.some((r) => r.id === 'bad'),
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId.good?.ok).toBe(true);
    expect(byId.bad?.ok).toBe(false);
  }, 60_000);
});

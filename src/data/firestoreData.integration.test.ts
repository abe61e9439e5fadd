// @vitest-environment node
/**
 * The web SDK adapter against a real Firestore protocol endpoint: our emulator (Node build of
 * the SDK, gRPC), or Google's / a real one via FIRESTORE_EMULATOR_HOST. Browser transports
 * come later; the adapter code is the same.
 */
import { planSubmission } from '@fq/worker/core';
import { clientSubmissionSchema, encodeDoc } from '@fq/worker/schema';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { terminate, type Firestore } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../firebase/config';
import { firestoreFor } from '../firebase/firestore';
import { makeWav } from '../test/audio';
import { T0, breaker, job } from '../test/factories';
import { startFirestoreEmulator, type EmulatorTarget } from '../test/emulatorProcess';
import { executeControl } from './controls';
import { createFirestoreData } from './firestoreData';
import { SERVER_TIME, type DataPort, type Mutation } from './port';
import type { Row } from './rows';
import { docSpec, querySpec, where } from './specs';

let target: EmulatorTarget;
let app: FirebaseApp;
let db: Firestore;
let port: DataPort;
const prefix = `t${Math.random().toString(36).slice(2, 8)}_`;
const actor = { kind: 'admin' as const, id: 'admin-1', email: 'admin@example.com' };

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
  const config = resolveConfig({ projectId: `demo-dash-${prefix.slice(1, 7)}`, firestoreEmulatorHost: `${target.host}:${target.port}`, collectionPrefix: prefix });
  app = initializeApp({ projectId: config.projectId, apiKey: config.apiKey }, `it-${prefix}`);
  db = firestoreFor(app, config);
  expect(firestoreFor(app, config)).toBe(db);
  port = createFirestoreData(db, prefix);
}, 90_000);

afterAll(async () => {
  await terminate(db);
  await deleteApp(app);
  await target.stop();
});

describe('Firestore web-SDK adapter', () => {
  it('runs a breaker control through the planner in one transaction and the listener sees it', async () => {
    await port.commitBatch([{ op: 'set', collection: 'breakers', id: 'm1', data: encodeDoc('breakers', breaker({ model: 'm1', state: 'closed' })) }]);
    const plan = await executeControl(port, { type: 'breaker.force_open', model: 'm1', reason: 'it' }, actor, () => T0);
    expect(plan.audit.action).toBe('breaker.force_open');
    const row = await until<Row<unknown> | null>(
      (sink) => port.watchDoc(docSpec('breakers', 'm1'), { next: (v) => sink.next(v), error: sink.error }),
      (v) => !!v && v.ok && (v.data as { override: string | null }).override === 'force_open',
    );
    expect(row?.ok && row.data).toMatchObject({ state: 'open', overrideBy: 'admin-1', since: T0 });
    const audit = await until<Row<unknown>[]>(
      (sink) => port.watchQuery(querySpec('audit', { limit: 10 }), { next: (v) => sink.next(v), error: sink.error }),
      (v) => v.length === 1,
    );
    expect(audit[0]?.ok && audit[0].data).toMatchObject({ action: 'breaker.force_open', actor, reason: 'it', at: T0 });
  }, 60_000);

  it('pages a filtered, ordered job query with limit and cursors', async () => {
    const writes: Mutation[] = [];
    for (let i = 0; i < 7; i++) {
      writes.push({ op: 'set', collection: 'jobs', id: `p${i}`, data: encodeDoc('jobs', job({ userId: i % 2 ? 'odd' : 'even', createdAt: T0 + i })) });
    }
    await port.commitBatch(writes);
    const spec = querySpec('jobs', { where: [where('userId', '==', 'even')], orderBy: [{ field: 'createdAt', direction: 'desc' }], limit: 3 });
    const first = await port.getPage(spec, null);
    expect(first.rows.map((r) => r.id)).toEqual(['p6', 'p4', 'p2']);
    const second = await port.getPage(spec, first.next);
    expect(second.rows.map((r) => r.id)).toEqual(['p0']);
    expect(second.next).toBeNull();
    const ranged = await port.getPage(
      querySpec('jobs', { where: [where('createdAt', '>=', { timeMs: T0 + 5 })], orderBy: [{ field: 'createdAt', direction: 'asc' }], limit: 10 }),
      null,
    );
    expect(ranged.rows.map((r) => r.id)).toEqual(['p5', 'p6']);
  }, 60_000);

  it('writes a client submission with bytes and server timestamps that decode back', async () => {
    const plan = await planSubmission({ audio: makeWav(0.5), mimeType: 'audio/wav', userId: 'u-1' }, { now: T0, source: 'client', jobId: 'sub1' });
    await port.commitBatch([
      { op: 'set', collection: 'jobs', id: 'sub1', data: { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), createdAt: SERVER_TIME } },
      ...plan.chunks.map((c): Mutation => ({ op: 'set', collection: 'payloads', id: c.id, data: { ...encodeDoc('payloads', c.doc), createdAt: SERVER_TIME } })),
    ]);
    const jobRow = await port.getDoc(docSpec('jobs', 'sub1'));
    expect(jobRow?.ok && jobRow.data).toMatchObject({ status: 'submitted', userId: 'u-1', source: 'client' });
    expect(jobRow?.ok && Math.abs(jobRow.data.createdAt - Date.now())).toBeLessThan(60_000);
    const chunk = await port.getDoc(docSpec('payloads', 'sub1_0000'));
    expect(chunk?.ok && chunk.data.data).toEqual(plan.chunks[0]!.doc.data);
  }, 60_000);

  it('shows a malformed document as an error row and keeps the others', async () => {
    await port.commitBatch([
      { op: 'set', collection: 'locks', id: 'good', data: encodeDoc('locks', { name: 'good', holder: null, token: 1, acquiredAt: null, renewedAt: null, expiresAt: null, purpose: null, releasedAt: null, releasedBy: null }) },
      { op: 'set', collection: 'locks', id: 'bad', data: { name: 'bad', token: 'seven' } },
    ]);
    const rows = await until<Row<unknown>[]>(
      (sink) => port.watchQuery(querySpec('locks', { limit: 10 }), { next: (v) => sink.next(v), error: sink.error }),
      (v) => v.length === 2,
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId.good?.ok).toBe(true);
    expect(byId.bad?.ok).toBe(false);
  }, 60_000);
});

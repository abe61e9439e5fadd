import { afterAll, describe, expect, it } from 'vitest';
import { FirestoreError } from '../model/index.js';
import type { CallContext } from './context.js';
import { FirestoreService } from './firestore-service.js';

const ctx: CallContext = { auth: { kind: 'owner' }, connection: { id: 'unit' } };
const DB = 'projects/demo-unit/databases/(default)';
const ROOT = `${DB}/documents`;
const service = new FirestoreService({ sweepIntervalMs: 0 });
afterAll(() => service.dispose());

const int = (n: number) => ({ integerValue: String(n) });
const set = (path: string, fields: Record<string, unknown>) => ({ update: { name: `${ROOT}/${path}`, fields } });

async function status(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof FirestoreError ? err.status : 'NOT_A_FIRESTORE_ERROR';
  }
}

describe('FirestoreService facade', () => {
  it('applies maximum/minimum transforms and returns transform results', async () => {
    await service.commit({ database: DB, writes: [set('t/a', { hi: int(5), lo: int(5) })] }, ctx);
    const res = await service.commit(
      {
        database: DB,
        writes: [
          {
            update: { name: `${ROOT}/t/a`, fields: {} },
            updateMask: { fieldPaths: [] },
            updateTransforms: [
              { fieldPath: 'hi', maximum: { doubleValue: 7.5 } },
              { fieldPath: 'lo', minimum: { integerValue: '9' } },
              { fieldPath: 'nan', maximum: { doubleValue: 'NaN' } },
            ],
          },
        ],
      },
      ctx,
    );
    const wr = (res.writeResults as Array<{ transformResults: unknown[] }>)[0]!;
    expect(wr.transformResults).toEqual([{ doubleValue: 7.5 }, int(5), { doubleValue: 'NaN' }]);
    const doc = await service.getDocument({ name: `${ROOT}/t/a` }, ctx);
    expect(doc.fields).toEqual({ hi: { doubleValue: 7.5 }, lo: int(5), nan: { doubleValue: 'NaN' } });
  });

  it('checks verify writes and update-time preconditions atomically', async () => {
    const w = await service.commit({ database: DB, writes: [set('v/a', { x: int(1) })] }, ctx);
    const updateTime = (w.writeResults as Array<{ updateTime: string }>)[0]!.updateTime;
    await service.commit({ database: DB, writes: [{ verify: `${ROOT}/v/a`, currentDocument: { updateTime } }, set('v/b', { y: int(1) })] }, ctx);
    await service.commit({ database: DB, writes: [set('v/a', { x: int(2) })] }, ctx);
    expect(await status(service.commit({ database: DB, writes: [{ verify: `${ROOT}/v/a`, currentDocument: { updateTime } }, set('v/c', { y: int(1) })] }, ctx))).toBe('FAILED_PRECONDITION');
    expect(await status(service.getDocument({ name: `${ROOT}/v/c` }, ctx))).toBe('NOT_FOUND');
  });

  it('pages through ListDocuments and ListCollectionIds', async () => {
    await service.commit({ database: DB, writes: ['a', 'b', 'c', 'd', 'e'].map((id) => set(`page/${id}`, {})) }, ctx);
    await service.commit({ database: DB, writes: [set('page/a/x/1', {}), set('page/a/y/1', {}), set('page/a/z/1', {})] }, ctx);
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await service.listDocuments({ parent: ROOT, collectionId: 'page', pageSize: 2, pageToken }, ctx);
      names.push(...(res.documents as Array<{ name: string }>).map((d) => d.name.split('/').pop()!));
      pageToken = res.nextPageToken as string | undefined;
    } while (pageToken);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    const first = await service.listCollectionIds({ parent: `${ROOT}/page/a`, pageSize: 2 }, ctx);
    expect(first.collectionIds).toEqual(['x', 'y']);
    const second = await service.listCollectionIds({ parent: `${ROOT}/page/a`, pageSize: 2, pageToken: first.nextPageToken }, ctx);
    expect(second).toEqual({ collectionIds: ['z'] });
  });

  it('starts transactions lazily on the first read and returns the id first', async () => {
    const got = await service.batchGetDocuments({ database: DB, documents: [`${ROOT}/lazy/a`], newTransaction: { readWrite: {} } }, ctx);
    expect(typeof got[0]!.transaction).toBe('string');
    expect(got[0]!.missing).toBe(`${ROOT}/lazy/a`);
    const tx = got[0]!.transaction as string;
    const q = await service.runQuery({ parent: ROOT, structuredQuery: { from: [{ collectionId: 'lazy' }] }, transaction: tx }, ctx);
    expect(q).toHaveLength(1);
    expect(q[0]!.transaction).toBeUndefined();
    await service.commit({ database: DB, transaction: tx, writes: [set('lazy/a', { ok: { booleanValue: true } })] }, ctx);
    expect(await status(service.commit({ database: DB, transaction: tx, writes: [] }, ctx))).toBe('INVALID_ARGUMENT');
    const q2 = await service.runQuery({ parent: ROOT, structuredQuery: { from: [{ collectionId: 'lazy' }] }, newTransaction: { readOnly: {} } }, ctx);
    expect(q2[0]!.transaction).toBeDefined();
    expect(q2[0]!.document).toBeDefined();
  });

  it('rejects writes in read-only transactions and too-old read times', async () => {
    const { transaction } = await service.beginTransaction({ database: DB, options: { readOnly: {} } }, ctx);
    expect(await status(service.commit({ database: DB, transaction, writes: [set('ro/a', {})] }, ctx))).toBe('INVALID_ARGUMENT');
    expect(await status(service.batchGetDocuments({ database: DB, documents: [`${ROOT}/ro/a`], readTime: '2000-01-01T00:00:00Z' }, ctx))).toBe('FAILED_PRECONDITION');
  });

  it('creates, updates (with masks) and deletes single documents', async () => {
    const created = await service.createDocument({ parent: ROOT, collectionId: 'single', documentId: 'd1', document: { fields: { a: int(1), b: int(2) } } }, ctx);
    expect(created).toMatchObject({ name: `${ROOT}/single/d1`, fields: { a: int(1), b: int(2) } });
    expect(await status(service.createDocument({ parent: ROOT, collectionId: 'single', documentId: 'd1', document: {} }, ctx))).toBe('ALREADY_EXISTS');
    const auto = await service.createDocument({ parent: ROOT, collectionId: 'single', document: { fields: {} } }, ctx);
    expect(String(auto.name)).toMatch(new RegExp(`^${ROOT.replace(/[()]/g, '\\$&')}/single/[A-Za-z0-9]{20}$`));
    const updated = await service.updateDocument(
      { document: { name: `${ROOT}/single/d1`, fields: { a: int(10) } }, updateMask: { fieldPaths: ['a', 'c'] }, mask: { fieldPaths: ['a'] } },
      ctx,
    );
    expect(updated.fields).toEqual({ a: int(10) });
    const read = await service.getDocument({ name: `${ROOT}/single/d1`, mask: { fieldPaths: ['b'] } }, ctx);
    expect(read.fields).toEqual({ b: int(2) });
    expect(await status(service.updateDocument({ document: { name: `${ROOT}/single/nope`, fields: {} }, currentDocument: { exists: true } }, ctx))).toBe('NOT_FOUND');
    await service.deleteDocument({ name: `${ROOT}/single/d1` }, ctx);
    expect(await status(service.getDocument({ name: `${ROOT}/single/d1` }, ctx))).toBe('NOT_FOUND');
    expect(await status(service.deleteDocument({ name: `${ROOT}/single/d1`, currentDocument: { exists: true } }, ctx))).toBe('NOT_FOUND');
  });

  it('reports per-write status in BatchWrite', async () => {
    const res = await service.batchWrite({ database: DB, writes: [set('bw/a', {}), { ...set('bw/b', {}), currentDocument: { exists: true } }] }, ctx);
    expect(res.status).toEqual([{ code: 0 }, expect.objectContaining({ code: 5 })]);
  });

  it('handshakes the Write stream and never answers an empty write request', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const failures: FirestoreError[] = [];
    const stream = service.openWrite(ctx, { send: (m) => sent.push(m), fail: (e) => failures.push(e) });
    await stream.request({ database: DB });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ streamId: expect.any(String), streamToken: expect.any(String) });
    await stream.request({ streamToken: sent[0]!.streamToken, writes: [] });
    expect(sent).toHaveLength(1);
    await stream.request({ streamToken: sent[0]!.streamToken, writes: [set('ws/a', { v: int(1) })] });
    expect(sent[1]).toMatchObject({ commitTime: expect.any(String), writeResults: [{ updateTime: expect.any(String) }] });
    await stream.request({ writes: [{ ...set('ws/missing', {}), currentDocument: { exists: true } }] });
    expect(failures[0]?.status).toBe('NOT_FOUND');
    stream.close();
  });

  it('answers a Listen target with a bad query with REMOVE and a cause', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const stream = service.openListen(ctx, { send: (m) => sent.push(m), fail: () => undefined });
    await stream.request({ database: DB, addTarget: { targetId: 7, query: { parent: ROOT, structuredQuery: { from: [{ collectionId: '__bad__' }] } } } });
    expect(sent).toEqual([{ targetChange: { targetChangeType: 'REMOVE', targetIds: [7], cause: { code: 3, message: expect.stringMatching(/reserved/) } } }]);
    await stream.request({ addTarget: { targetId: 8, once: true, documents: { documents: [`${ROOT}/none/x`] } } });
    expect(sent.slice(1).map((m) => (m.targetChange as { targetChangeType: string }).targetChangeType)).toEqual(['ADD', 'CURRENT', 'NO_CHANGE', 'REMOVE']);
    stream.close();
  });
});

import { initializeApp, deleteApp } from 'firebase/app';
import {
  collection,
  connectFirestoreEmulator,
  deleteDoc,
  doc,
  getCount,
  getDoc,
  getDocs,
  getFirestore,
  increment,
  query,
  runTransaction,
  setDoc,
  setLogLevel,
  terminate,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore/lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTarget } from '../../testing/test-env.js';
import { startTestTarget, uniqueProjectId } from '../../testing/test-env.js';

let target: TestTarget;

beforeAll(async () => {
  target = await startTestTarget();
});

afterAll(async () => {
  await target.stop();
});

const dbName = (p: string): string => `projects/${p}/databases/(default)`;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${target.url}${path}`, { method, headers: { 'content-type': 'text/plain', ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}

describe('REST with the lite SDK (fetch) in Node', () => {
  it('reads, writes, queries, counts and runs transactions over REST only', async () => {
    const projectId = uniqueProjectId('rest-lite');
    const app = initializeApp({ projectId, apiKey: 'fake-api-key' }, projectId);
    const db = getFirestore(app);
    connectFirestoreEmulator(db, target.host, target.port);
    await setDoc(doc(db, 'jobs/a'), { state: 'queued', n: 1 });
    const batch = writeBatch(db);
    batch.set(doc(db, 'jobs/b'), { state: 'done', n: 2 });
    batch.set(doc(db, 'jobs/c'), { state: 'queued', n: 3 });
    await batch.commit();
    await updateDoc(doc(db, 'jobs/a'), { n: increment(10) });
    expect((await getDoc(doc(db, 'jobs/a'))).data()).toEqual({ state: 'queued', n: 11 });
    expect((await getDocs(query(collection(db, 'jobs'), where('state', '==', 'queued')))).docs.map((d) => d.id)).toEqual(['a', 'c']);
    expect((await getCount(collection(db, 'jobs'))).data().count).toBe(3);
    await runTransaction(db, async (tx) => {
      const a = await tx.get(doc(db, 'jobs/a'));
      tx.update(doc(db, 'jobs/b'), { n: Number(a.get('n')) + 1 });
    });
    expect((await getDoc(doc(db, 'jobs/b'))).get('n')).toBe(12);
    await deleteDoc(doc(db, 'jobs/c'));
    expect((await getDoc(doc(db, 'jobs/c'))).exists()).toBe(false);
    setLogLevel('silent'); // the SDK logs the expected failure below
    await expect(updateDoc(doc(db, 'jobs/missing'), { n: 1 })).rejects.toMatchObject({ code: 'not-found' });
    setLogLevel('warn');
    await terminate(db);
    await deleteApp(app);
  });
});

describe('REST document resource', () => {
  it('creates, reads with masks, updates with preconditions, lists and deletes documents', async () => {
    const p = uniqueProjectId('rest-crud');
    const docs = `/v1/${dbName(p)}/documents`;
    const created = await call('POST', `${docs}/rooms?documentId=r1&mask.fieldPaths=title`, { fields: { title: { stringValue: 'A' }, size: { integerValue: '3' } } });
    expect(created).toMatchObject({ status: 200, json: { name: `${dbName(p)}/documents/rooms/r1`, fields: { title: { stringValue: 'A' } } } });
    expect((created.json as { fields: object }).fields).not.toHaveProperty('size');
    expect((await call('POST', `${docs}/rooms?documentId=r1`, { fields: {} })).status).toBe(409);

    const got = await call('GET', `${docs}/rooms/r1?mask.fieldPaths=size`);
    expect(got.json).toMatchObject({ fields: { size: { integerValue: '3' } } });
    const updateTime = (got.json as { updateTime: string }).updateTime;

    const patched = await call('PATCH', `${docs}/rooms/r1?updateMask.fieldPaths=size&currentDocument.updateTime=${updateTime}`, { fields: { size: { integerValue: '4' }, ignored: { stringValue: 'x' } } });
    expect(patched).toMatchObject({ status: 200, json: { fields: { title: { stringValue: 'A' }, size: { integerValue: '4' } } } });
    const stale = await call('PATCH', `${docs}/rooms/r1?currentDocument.updateTime=${updateTime}`, { fields: {} });
    expect(stale).toMatchObject({ status: 400, json: { error: { code: 400, status: 'FAILED_PRECONDITION' } } });
    expect((await call('PATCH', `${docs}/rooms/r2?currentDocument.exists=true`, { fields: {} })).json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });

    await call('POST', `${docs}/rooms/r1/members?documentId=m1`, { fields: {} });
    expect((await call('GET', `${docs}/rooms?pageSize=1`)).json).toMatchObject({ documents: [{ name: `${dbName(p)}/documents/rooms/r1` }] });
    expect((await call('POST', `${docs}/rooms/r1:listCollectionIds`, {})).json).toEqual({ collectionIds: ['members'] });
    expect((await call('DELETE', `${docs}/rooms/r1?currentDocument.exists=true`)).json).toEqual({});
    expect((await call('GET', `${docs}/rooms/r1`)).status).toBe(404);
  });

  it('serves transactions: begin, read inside, rollback; streaming calls answer one JSON array', async () => {
    const p = uniqueProjectId('rest-tx');
    const docs = `/v1/${dbName(p)}/documents`;
    await call('POST', `${docs}:commit`, { writes: [{ update: { name: `${dbName(p)}/documents/c/a`, fields: { v: { integerValue: '1' } } } }] });
    const { transaction } = (await call('POST', `${docs}:beginTransaction`, {})).json as { transaction: string };
    expect(transaction).toMatch(/^[A-Za-z0-9+/=]+$/);
    const batch = await call('POST', `${docs}:batchGet`, { documents: [`${dbName(p)}/documents/c/a`, `${dbName(p)}/documents/c/zz`], transaction });
    expect(batch.json).toEqual([
      { found: expect.objectContaining({ name: `${dbName(p)}/documents/c/a` }), readTime: expect.any(String) },
      { missing: `${dbName(p)}/documents/c/zz`, readTime: expect.any(String) },
    ]);
    const q = await call('POST', `${docs}:runQuery`, { structuredQuery: { from: [{ collectionId: 'c' }] }, transaction });
    expect((q.json as unknown[]).length).toBe(1);
    expect((await call('POST', `${docs}:rollback`, { transaction })).json).toEqual({});
    const agg = await call('POST', `${docs}:runAggregationQuery`, { structuredAggregationQuery: { structuredQuery: { from: [{ collectionId: 'c' }] }, aggregations: [{ alias: 'n', count: {} }] } });
    expect(agg.json).toEqual([{ result: { aggregateFields: { n: { integerValue: '1' } } }, readTime: expect.any(String) }]);
  });

  it('answers errors in Google\'s shape with the matching HTTP status, arrays for streaming calls', async () => {
    const p = uniqueProjectId('rest-errors');
    const docs = `/v1/${dbName(p)}/documents`;
    const cases: Array<[string, string, unknown, number, string, boolean]> = [
      ['POST', `${docs}:commit`, '{not json', 400, 'INVALID_ARGUMENT', false],
      ['POST', `${docs}:commit`, { writes: [{ bogus: 1 }] }, 400, 'INVALID_ARGUMENT', false],
      ['POST', `${docs}:runQuery`, { structuredQuery: { from: [{ collectionId: 'c' }], where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'NOPE' } } } }, 400, 'INVALID_ARGUMENT', true],
      ['POST', `${docs}:batchGet`, { documents: ['projects/other/databases/(default)/documents/c/d'] }, 400, 'INVALID_ARGUMENT', true],
      ['POST', `${docs}:commit`, { transaction: 'AAAA' }, 400, 'INVALID_ARGUMENT', false],
      ['GET', `${docs}/c/missing`, undefined, 404, 'NOT_FOUND', false],
      ['POST', `${docs}:listen`, {}, 501, 'UNIMPLEMENTED', false],
      ['GET', `${docs}/c/d?bogus=1`, undefined, 400, 'INVALID_ARGUMENT', false],
      ['POST', `${docs}/__bad__?documentId=x`, {}, 400, 'INVALID_ARGUMENT', false],
    ];
    for (const [method, path, body, status, name, streaming] of cases) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(status);
      const error = { error: { code: status, status: name, message: expect.any(String) } };
      expect(res.json, `${method} ${path}`).toEqual(streaming ? [error] : error);
    }
    const unauth = await call('POST', `${docs}:commit`, { writes: [] }, { authorization: 'Bearer not-a-jwt' });
    expect(unauth).toMatchObject({ status: 401, json: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
    expect(await (await fetch(`${target.url}/`)).text()).toBe('Ok'); // still serving
  });

  it('answers CORS preflights and echoes the origin with credentials', async () => {
    const p = uniqueProjectId('rest-cors');
    const path = `/v1/${dbName(p)}/documents:commit`;
    const pre = await fetch(`${target.url}${path}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-goog-api-client,x-firebase-gmpid' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-goog-api-client,x-firebase-gmpid');
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const res = await call('POST', path, { writes: [] }, { origin: 'http://localhost:5173' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-HTTP-Session-Id/);
  });
});

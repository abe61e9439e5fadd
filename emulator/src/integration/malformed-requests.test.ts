import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirestoreError } from '../model/index.js';
import type { CallContext } from '../service/index.js';
import { FirestoreService } from '../service/index.js';
import type { TestTarget } from '../testing/test-env.js';
import { startTestTarget } from '../testing/test-env.js';

const ctx: CallContext = { auth: { kind: 'owner' }, connection: { id: 'test' } };
const DB = 'projects/demo-fuzz/databases/(default)';

describe('malformed requests never crash the service', () => {
  const service = new FirestoreService({ sweepIntervalMs: 0 });
  const garbage: unknown[] = [null, 42, 'x', [], {}, { database: 7 }, { database: DB, writes: 'no' }];

  const cases: Array<[string, (req: never, ctx: CallContext) => Promise<unknown>, unknown[]]> = [
    ['getDocument', service.getDocument as never, [{ name: 'nope' }, { name: `${DB}/documents/odd` }, { name: `${DB}/documents/c/__x__` }]],
    ['commit', service.commit as never, [
      { database: DB, writes: [{}] },
      { database: DB, writes: [{ update: { name: `${DB}/documents/c/d`, fields: { a: {} } } }] },
      { database: DB, writes: [{ update: { name: `${DB}/documents/c/d`, fields: { a: { integerValue: '99999999999999999999' } } } }] },
      { database: DB, writes: [{ update: { name: 'projects/other/databases/(default)/documents/c/d' } }] },
      { database: DB, writes: [{ delete: `${DB}/documents/c/d`, updateMask: { fieldPaths: ['a'] } }] },
      { database: DB, writes: [{ update: { name: `${DB}/documents/c/d` }, updateTransforms: [{ fieldPath: 'a', increment: { stringValue: 'x' } }] }] },
      { database: DB, writes: [{ update: { name: `${DB}/documents/c/d`, fields: { a: { arrayValue: { values: [{ arrayValue: {} }] } } } } }] },
      { database: DB, transaction: 'bm90LWEtdHg=', writes: [] },
    ]],
    ['runQuery', service.runQuery as never, [
      { parent: `${DB}/documents` },
      { parent: `${DB}/documents`, structuredQuery: {} },
      { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'c' }], where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'BOGUS', value: { nullValue: null } } } } },
      { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'c' }], where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'IN', value: { integerValue: '1' } } } } },
      { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'c' }], startAt: { values: [{ integerValue: '1' }, { integerValue: '2' }] } } },
      { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'c' }], orderBy: [{ field: { fieldPath: 'a..b' } }] } },
      { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'c' }], limit: -1 } },
    ]],
    ['runAggregationQuery', service.runAggregationQuery as never, [{ parent: `${DB}/documents`, structuredAggregationQuery: { structuredQuery: { from: [{ collectionId: 'c' }] }, aggregations: [] } }]],
    ['batchGetDocuments', service.batchGetDocuments as never, [{ database: DB, documents: ['bad'] }, { database: DB, documents: [`${DB}/documents/c/d`], readTime: 'yesterday' }]],
    ['beginTransaction', service.beginTransaction as never, [{ database: 'nope' }]],
    ['listDocuments', service.listDocuments as never, [{ parent: `${DB}/documents/c` }, { parent: `${DB}/documents`, collectionId: 'c', pageSize: -5 }]],
  ];

  for (const [name, fn, requests] of cases) {
    it(`${name} answers bad requests with client errors, never internal ones`, async () => {
      for (const req of [...garbage, ...requests]) {
        const err = await fn(req as never, ctx).then(
          () => undefined,
          (e: unknown) => e,
        );
        // Some garbage happens to be a valid request for some methods: success is fine too.
        if (err === undefined) continue;
        expect(err, `${name} ${JSON.stringify(req)}: ${(err as Error).stack}`).toBeInstanceOf(FirestoreError);
        expect((err as FirestoreError).status, `${name} ${JSON.stringify(req)}`).not.toBe('INTERNAL');
      }
    });
  }

  afterAll(() => service.dispose());
});

describe('malformed gRPC and HTTP traffic', () => {
  let target: TestTarget;
  beforeAll(async () => {
    target = await startTestTarget();
  });
  afterAll(async () => {
    await target.stop();
  });

  it('answers undecodable protobuf with an error status and keeps serving', async () => {
    const client = new grpc.Client(target.hostAndPort, grpc.credentials.createInsecure());
    const status = await new Promise<grpc.ServiceError | null>((resolve) => {
      client.makeUnaryRequest(
        '/google.firestore.v1.Firestore/Commit',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]),
        (err) => resolve(err),
      );
    });
    expect(status?.code).toBeDefined();
    expect(status?.code).not.toBe(grpc.status.OK);
    client.close();
    const res = await fetch(`${target.url}/`);
    expect(await res.text()).toBe('Ok');
  });

  it('survives garbage on the raw socket', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = net.connect(target.port, target.host, () => {
        s.write('\x00\x01garbage that is neither HTTP/1.1 nor HTTP/2\r\n\r\n');
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.setTimeout(2000, () => s.destroy());
    });
    const res = await fetch(`${target.url}/`);
    expect(res.status).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { codecFor, referenceCodecFor } from './codec.js';
import { loadFirestoreRoot } from './protos.js';

const root = loadFirestoreRoot();
const type = (name: string) => root.lookupType(`google.firestore.v1.${name}`);
const DOC = 'projects/p/databases/(default)/documents';

const values = {
  n: { nullValue: null },
  b: { booleanValue: false },
  i: { integerValue: '-9007199254740993' },
  z: { integerValue: '0' },
  d: { doubleValue: 'NaN' },
  inf: { doubleValue: '-Infinity' },
  d2: { doubleValue: 2.5 },
  t: { timestampValue: '2026-12-06T23:00:00.123456789Z' },
  t0: { timestampValue: '1970-01-01T00:00:00Z' },
  s: { stringValue: 'héllo' },
  y: { bytesValue: 'AAEC/w==' },
  r: { referenceValue: `${DOC}/c/d` },
  g: { geoPointValue: { latitude: 1.5, longitude: -2 } },
  a: { arrayValue: { values: [{ integerValue: '1' }, { mapValue: {} }] } },
  e: { arrayValue: {} },
  m: { mapValue: { fields: { x: { stringValue: 'y' }, nested: { mapValue: { fields: { v: { doubleValue: 0 } } } } } } },
};
const document = { name: `${DOC}/jobs/j1`, fields: values, createTime: '2026-12-06T23:00:00.000001Z', updateTime: '2026-12-06T23:00:01Z' };

const responses: Array<[string, Record<string, unknown>]> = [
  ['ListenResponse', { documentChange: { document, targetIds: [2], removedTargetIds: [] } }],
  ['ListenResponse', { targetChange: { targetChangeType: 'NO_CHANGE', targetIds: [], readTime: '2026-12-06T23:00:01.5Z', resumeToken: 'cmVzdW1l' } }],
  ['ListenResponse', { targetChange: { targetChangeType: 'REMOVE', targetIds: [4], cause: { code: 9, message: 'nope' } } }],
  ['ListenResponse', { documentDelete: { document: `${DOC}/jobs/j1`, removedTargetIds: [2], readTime: '2026-12-06T23:00:01Z' } }],
  ['ListenResponse', { filter: { targetId: 2, count: 3, unchangedNames: { bits: { bitmap: 'AQI=', padding: 3 }, hashCount: 7 } } }],
  ['RunQueryResponse', { document, readTime: '2026-12-06T23:00:01Z', skippedResults: 2, transaction: 'dHg=' }],
  ['RunQueryResponse', { readTime: '2026-12-06T23:00:01Z', explainMetrics: { planSummary: { indexesUsed: [{ query_scope: 'Collection', properties: '(a ASC)' }] }, executionStats: { resultsReturned: '1', executionDuration: '0.001500000s', readOperations: '1', debugStats: { n: '1', nested: { x: 'y' } } } } }],
  ['RunAggregationQueryResponse', { result: { aggregateFields: { count: { integerValue: '3' }, sum: { doubleValue: 1.5 } } }, readTime: '2026-12-06T23:00:01Z' }],
  ['CommitResponse', { writeResults: [{ updateTime: '2026-12-06T23:00:01Z', transformResults: [{ integerValue: '1' }] }, {}], commitTime: '2026-12-06T23:00:01Z' }],
  ['BatchGetDocumentsResponse', { missing: `${DOC}/jobs/x`, readTime: '2026-12-06T23:00:01Z', transaction: 'dHg=' }],
  ['BatchWriteResponse', { writeResults: [{}], status: [{ code: 0 }, { code: 9, message: 'x' }] }],
  ['WriteResponse', { streamId: 'abc', streamToken: 'dG9r', commitTime: '2026-12-06T23:00:01Z', writeResults: [] }],
  ['Document', document],
];

const requests: Array<[string, Record<string, unknown>]> = [
  [
    'CommitRequest',
    {
      database: 'projects/p/databases/(default)',
      transaction: 'dHg=',
      writes: [
        { update: document, updateMask: { fieldPaths: ['a', 'b.c'] }, updateTransforms: [{ fieldPath: 'n', increment: { integerValue: '1' } }, { fieldPath: 't', setToServerValue: 'REQUEST_TIME' }], currentDocument: { updateTime: '2026-12-06T23:00:00.5Z' } },
        { delete: `${DOC}/jobs/j2`, currentDocument: { exists: true } },
        { verify: `${DOC}/jobs/j3`, currentDocument: { exists: false } },
      ],
    },
  ],
  [
    'ListenRequest',
    {
      database: 'projects/p/databases/(default)',
      addTarget: {
        targetId: 2,
        query: {
          parent: DOC,
          structuredQuery: {
            from: [{ collectionId: 'jobs' }],
            where: { compositeFilter: { op: 'AND', filters: [{ fieldFilter: { field: { fieldPath: 'status' }, op: 'EQUAL', value: { stringValue: 'queued' } } }, { unaryFilter: { op: 'IS_NOT_NULL', field: { fieldPath: 'x' } } }] } },
            orderBy: [{ field: { fieldPath: 'rank' }, direction: 'ASCENDING' }],
            startAt: { values: [{ integerValue: '3' }], before: true },
            limit: 32,
          },
        },
        resumeToken: 'cmVzdW1l',
        expectedCount: 3,
      },
      labels: { a: 'b' },
    },
  ],
  ['ListenRequest', { removeTarget: 2 }],
  ['RunQueryRequest', { parent: DOC, structuredQuery: { from: [{ collectionId: 'c', allDescendants: true }], select: { fields: [] }, offset: 0 }, readTime: '2026-12-06T23:00:00Z' }],
  ['RunAggregationQueryRequest', { parent: DOC, structuredAggregationQuery: { structuredQuery: { from: [{ collectionId: 'c' }] }, aggregations: [{ alias: 'n', count: { upTo: '10' } }] }, newTransaction: { readOnly: {} } }],
  ['BatchGetDocumentsRequest', { database: 'projects/p/databases/(default)', documents: [`${DOC}/a/b`], mask: { fieldPaths: ['x'] }, newTransaction: { readWrite: { retryTransaction: 'dHg=' } } }],
];

describe('gRPC codec', () => {
  it.each(responses)('encodes %s exactly like proto3-json-serializer', (name, json) => {
    const t = type(name);
    const fast = codecFor(t).encode(json);
    expect(fast.length).toBeGreaterThan(0);
    expect(fast.equals(referenceCodecFor(t).encode(json))).toBe(true);
    // ... and decodes the result to the same JSON.
    expect(codecFor(t).decode(fast)).toEqual(referenceCodecFor(t).decode(fast));
  });

  it.each(requests)('decodes %s exactly like proto3-json-serializer', (name, json) => {
    const t = type(name);
    const bytes = referenceCodecFor(t).encode(json);
    const fast = codecFor(t).decode(bytes);
    expect(fast).toEqual(referenceCodecFor(t).decode(bytes));
    expect(codecFor(t).encode(fast).equals(bytes)).toBe(true);
  });

  it('rejects malformed bytes as INVALID_ARGUMENT', () => {
    expect(() => codecFor(type('CommitRequest')).decode(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toThrow(/Malformed CommitRequest/);
  });

  it('fails on JSON a field cannot hold, like the reference', () => {
    const t = type('CommitResponse');
    const bad = { commitTime: 5 };
    expect(() => referenceCodecFor(t).encode(bad)).toThrow();
    expect(() => codecFor(t).encode(bad)).toThrow();
  });

  // Beyond the reference: proto3-json-serializer (like protobufjs) loses these silently.
  it('keeps a map key "__proto__" as data and refuses strings that are not UTF-8', () => {
    const t = type('CommitRequest');
    const writes = [{ update: { name: `${DOC}/c/d`, fields: { __pXoto__: { stringValue: 'ok' } } } }];
    const bytes = referenceCodecFor(t).encode({ database: 'projects/p/databases/(default)', writes });
    bytes.write('__proto__', bytes.indexOf('__pXoto__'));
    const decoded = codecFor(t).decode(bytes) as { writes: Array<{ update: { fields: Record<string, unknown> } }> };
    const fields = decoded.writes[0]!.update.fields;
    expect(Object.keys(fields)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    bytes.write('\u00c3(', bytes.indexOf('ok'), 'latin1');
    expect(() => codecFor(t).decode(bytes)).toThrow(/not valid UTF-8/);
  });
});

import { describe, expect, it } from 'vitest';
import { loadFirestoreRoot } from '../grpc/protos.js';
import { ProtoJson } from '../http/proto-json.js';
import { parseRestPath } from './paths.js';
import { translateRestRequest } from './translate.js';

const root = loadFirestoreRoot();
const protoJson = new ProtoJson(root);
const DB = 'projects/demo-p/databases/(default)';

function translate(method: string, path: string, body?: unknown) {
  const url = new URL(path, 'http://x');
  const target = parseRestPath(url.pathname);
  if (!target) throw new Error('no target');
  return translateRestRequest(root, method, target, url.searchParams, body);
}

describe('REST paths', () => {
  it('splits known verbs off the last segment and decodes ids', () => {
    expect(parseRestPath('/v1/projects/p/databases/(default)/documents:commit')).toEqual({ projectId: 'p', databaseId: '(default)', segments: [], verb: 'commit' });
    expect(parseRestPath('/v1/projects/p/databases/db2/documents/a/b:runQuery')).toMatchObject({ databaseId: 'db2', segments: ['a', 'b'], verb: 'runQuery' });
    expect(parseRestPath('/v1/projects/p/databases/d/documents/c/id%20with%3Acolon')).toMatchObject({ segments: ['c', 'id with:colon'], verb: undefined });
    // An unknown "verb" is part of the id.
    expect(parseRestPath('/v1/projects/p/databases/d/documents/c/x:y')).toMatchObject({ segments: ['c', 'x:y'], verb: undefined });
    expect(parseRestPath('/v1/projects/p/databases/d/other')).toBeUndefined();
    expect(() => parseRestPath('/v1/projects/p/databases/d/documents/c//d')).toThrow(/empty path segment/);
    expect(() => parseRestPath('/v1/projects/p/databases/d/documents/c/%E0%A4%A')).toThrow(/percent-encoding/);
  });
});

describe('REST translation', () => {
  it('maps custom verbs to facade calls with the database or parent from the URL', () => {
    expect(translate('POST', `/v1/${DB}/documents:commit`, { writes: [] })).toEqual({ rpc: 'commit', requestType: 'google.firestore.v1.CommitRequest', request: { writes: [], database: DB }, streaming: false });
    expect(translate('POST', `/v1/${DB}/documents:batchGet?key=API`, { documents: [] })).toMatchObject({ rpc: 'batchGetDocuments', streaming: true, request: { database: DB } });
    expect(translate('POST', `/v1/${DB}/documents/rooms/r1:runQuery`, { structuredQuery: {} })).toMatchObject({ rpc: 'runQuery', streaming: true, request: { parent: `${DB}/documents/rooms/r1` } });
    expect(translate('POST', `/v1/${DB}/documents:runAggregationQuery`, {})).toMatchObject({ rpc: 'runAggregationQuery', request: { parent: `${DB}/documents` } });
    expect(translate('POST', `/v1/${DB}/documents:listCollectionIds`, undefined)).toMatchObject({ rpc: 'listCollectionIds', request: { parent: `${DB}/documents` } });
  });

  it('maps document CRUD, binding query parameters to request fields', () => {
    expect(translate('GET', `/v1/${DB}/documents/c/d?mask.fieldPaths=a&mask.fieldPaths=b.c`).request).toEqual({ name: `${DB}/documents/c/d`, mask: { fieldPaths: ['a', 'b.c'] } });
    expect(translate('PATCH', `/v1/${DB}/documents/c/d?updateMask.fieldPaths=a&currentDocument.exists=true`, { fields: { a: { integerValue: '1' } } }).request).toEqual({
      document: { fields: { a: { integerValue: '1' } }, name: `${DB}/documents/c/d` },
      updateMask: { fieldPaths: ['a'] },
      currentDocument: { exists: true },
    });
    expect(translate('DELETE', `/v1/${DB}/documents/c/d?currentDocument.updateTime=2026-01-01T00:00:00.123456Z`).request).toEqual({
      name: `${DB}/documents/c/d`,
      currentDocument: { updateTime: '2026-01-01T00:00:00.123456Z' },
    });
    expect(translate('POST', `/v1/${DB}/documents/c/d/sub?documentId=x`, { fields: {} })).toMatchObject({ rpc: 'createDocument', request: { parent: `${DB}/documents/c/d`, collectionId: 'sub', documentId: 'x' } });
    expect(translate('GET', `/v1/${DB}/documents/c?pageSize=2&pageToken=abc&showMissing=true`)).toMatchObject({
      rpc: 'listDocuments',
      request: { parent: `${DB}/documents`, collectionId: 'c', pageSize: '2', pageToken: 'abc', showMissing: true },
    });
  });

  it.each([
    ['GET', `/v1/${DB}/documents:commit`, undefined, /not supported/],
    ['POST', `/v1/${DB}/documents/c/d:commit`, {}, /database-level/],
    ['POST', `/v1/${DB}/documents/c:runQuery`, {}, /not the collection/],
    ['POST', `/v1/${DB}/documents/c/d`, {}, /not supported/],
    ['PATCH', `/v1/${DB}/documents/c`, {}, /not supported/],
    ['POST', `/v1/${DB}/documents:listen`, {}, /WebChannel/],
    ['GET', `/v1/${DB}/documents/c/d?nope=1`, undefined, /Unknown name "nope"/],
    ['GET', `/v1/${DB}/documents/c/d?currentDocument.exists=maybe`, undefined, /Unknown name|TYPE_BOOL/],
    ['DELETE', `/v1/${DB}/documents/c/d?currentDocument.exists=maybe`, undefined, /TYPE_BOOL/],
    ['POST', `/v1/${DB}/documents:commit`, [1, 2], /must be a JSON object/],
    ['POST', `/v1/${DB}/documents/c`, { name: 'x' }, /documentId/],
  ])('rejects %s %s', (method, path, body, message) => {
    expect(() => translate(method, path, body)).toThrow(message);
  });
});

describe('strict proto3 JSON', () => {
  it('normalises to the gRPC shape and accepts original (snake_case) field names', () => {
    expect(protoJson.parse('google.firestore.v1.CommitRequest', { database: DB, writes: [{ update: { name: `${DB}/documents/c/d`, fields: { z: { null_value: 'NULL_VALUE' }, n: { integerValue: 5 } } }, current_document: { exists: false } }] })).toEqual({
      database: DB,
      writes: [{ update: { name: `${DB}/documents/c/d`, fields: { z: { nullValue: null }, n: { integerValue: '5' } } }, currentDocument: { exists: false } }],
    });
  });

  it.each([
    [{ writes: [{ unknownField: 1 }] }, /Unknown name "unknownField" at 'writes\[0\]'/],
    [{ writes: 'x' }, /repeated field/],
    [{ writes: [{ update: { fields: { n: { integerValue: 'abc' } } } }] }, /TYPE_INT64/],
    [{ writes: [{ update: { name: 1 } }] }, /TYPE_STRING/],
    [{ writes: [{ delete: 'a', verify: 'b' }] }, /same oneof/],
    [{ transaction: 'not base64!' }, /TYPE_BYTES/],
    [{ writes: [{ currentDocument: { updateTime: 'yesterday' } }] }, /Timestamp/],
    [{ writes: [{ update: { fields: { e: { nullValue: 'NOPE' } } } }] }, /enum NullValue/],
    [[], /Expected an object/],
    [null, /Expected an object/],
  ])('rejects malformed JSON %#', (json, message) => {
    expect(() => protoJson.parse('google.firestore.v1.CommitRequest', json)).toThrow(message);
  });
});

import type protobuf from 'protobufjs';
import { FirestoreError, invalidArgument } from '../../model/index.js';
import type { RestTarget } from './paths.js';
import { databaseName, documentsName } from './paths.js';
import { bindQueryParameters } from './query-params.js';

type Json = Record<string, unknown>;

/** Facade methods reachable over REST (keys of FirestoreService). */
export type RestRpc =
  | 'getDocument'
  | 'listDocuments'
  | 'createDocument'
  | 'updateDocument'
  | 'deleteDocument'
  | 'commit'
  | 'batchGetDocuments'
  | 'runQuery'
  | 'runAggregationQuery'
  | 'beginTransaction'
  | 'rollback'
  | 'batchWrite'
  | 'listCollectionIds'
  | 'partitionQuery';

/** One REST request translated to a facade call (before proto-JSON validation). */
export interface RestCall {
  rpc: RestRpc;
  /** `google.firestore.v1.<Type>` of the request, for strict JSON validation. */
  requestType: string;
  request: Json;
  /** Server-streaming RPCs answer one JSON array of response messages. */
  streaming: boolean;
}

const V1 = 'google.firestore.v1.';

interface VerbSpec {
  rpc: RestRpc;
  type: string;
  streaming?: boolean;
  /** Which request field the URL path fills. */
  pathField: 'database' | 'parent';
}

const VERBS: Record<string, VerbSpec> = {
  commit: { rpc: 'commit', type: 'CommitRequest', pathField: 'database' },
  batchGet: { rpc: 'batchGetDocuments', type: 'BatchGetDocumentsRequest', pathField: 'database', streaming: true },
  beginTransaction: { rpc: 'beginTransaction', type: 'BeginTransactionRequest', pathField: 'database' },
  rollback: { rpc: 'rollback', type: 'RollbackRequest', pathField: 'database' },
  batchWrite: { rpc: 'batchWrite', type: 'BatchWriteRequest', pathField: 'database' },
  runQuery: { rpc: 'runQuery', type: 'RunQueryRequest', pathField: 'parent', streaming: true },
  runAggregationQuery: { rpc: 'runAggregationQuery', type: 'RunAggregationQueryRequest', pathField: 'parent', streaming: true },
  listCollectionIds: { rpc: 'listCollectionIds', type: 'ListCollectionIdsRequest', pathField: 'parent' },
  partitionQuery: { rpc: 'partitionQuery', type: 'PartitionQueryRequest', pathField: 'parent' },
};

const isDocumentPath = (segments: string[]): boolean => segments.length > 0 && segments.length % 2 === 0;

function asBody(body: unknown, what: string): Json {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidArgument(`Invalid JSON payload received. The ${what} must be a JSON object.`);
  return body as Json;
}

function methodNotAllowed(method: string, path: string): FirestoreError {
  return new FirestoreError('NOT_FOUND', `Method ${method} is not supported on ${path}.`);
}

/**
 * Maps an HTTP request on the documents resource to a facade call, following the
 * google.firestore.v1.Firestore HTTP rules: custom verbs take the request as body with the
 * database or parent from the path; document paths (even segment count) take GET, PATCH,
 * DELETE; collection paths (odd count) take GET (list) and POST (create). Query parameters
 * bind to request fields (`mask.fieldPaths`, `updateMask.fieldPaths`, `currentDocument.exists`,
 * `currentDocument.updateTime`, `documentId`, `pageSize`, ...).
 */
export function translateRestRequest(root: protobuf.Root, method: string, target: RestTarget, params: URLSearchParams, body: unknown): RestCall {
  const shown = documentsName(target) + (target.verb ? `:${target.verb}` : '');
  const bind = (type: string): Json => bindQueryParameters(root.lookupType(V1 + type), params);

  if (target.verb) {
    if (target.verb === 'listen' || target.verb === 'write' || target.verb === 'executePipeline') {
      // Firestore's API reference: Listen and Write are "only available via gRPC or WebChannel
      // (not REST)"; no SDK sends them over REST (the web SDK streams over WebChannel, the Node
      // SDKs over gRPC, and firebase-admin with preferRest switches to gRPC for listeners).
      throw new FirestoreError('UNIMPLEMENTED', `The ${target.verb} method is only available via gRPC or WebChannel (not REST): the web SDK uses /google.firestore.v1.Firestore/${target.verb === 'listen' ? 'Listen' : 'Write'}/channel, the Node SDKs gRPC.`);
    }
    if (method !== 'POST') throw methodNotAllowed(method, shown);
    const spec = VERBS[target.verb]!;
    if (spec.pathField === 'database' && target.segments.length > 0) throw new FirestoreError('NOT_FOUND', `${target.verb} is a database-level method: POST ${databaseName(target)}/documents:${target.verb}.`);
    if (spec.pathField === 'parent' && target.segments.length > 0 && !isDocumentPath(target.segments)) {
      throw invalidArgument(`The parent of ${target.verb} must be the database root or a document, not the collection "${target.segments.join('/')}".`);
    }
    const pathValue = spec.pathField === 'database' ? databaseName(target) : documentsName(target);
    const request = { ...bind(spec.type), ...asBody(body, 'request body'), [spec.pathField]: pathValue };
    return { rpc: spec.rpc, requestType: V1 + spec.type, request, streaming: spec.streaming === true };
  }

  const segments = target.segments;
  if (isDocumentPath(segments)) {
    const name = documentsName(target);
    switch (method) {
      case 'GET':
        return { rpc: 'getDocument', requestType: `${V1}GetDocumentRequest`, request: { ...bind('GetDocumentRequest'), name }, streaming: false };
      case 'PATCH': {
        const document = { ...asBody(body, 'document'), name };
        return { rpc: 'updateDocument', requestType: `${V1}UpdateDocumentRequest`, request: { ...bind('UpdateDocumentRequest'), document }, streaming: false };
      }
      case 'DELETE':
        return { rpc: 'deleteDocument', requestType: `${V1}DeleteDocumentRequest`, request: { ...bind('DeleteDocumentRequest'), name }, streaming: false };
      default:
        throw methodNotAllowed(method, shown);
    }
  }

  // The database root or a collection path.
  const parentSegments = segments.length ? segments.slice(0, -1) : [];
  const parent = documentsName(target, parentSegments);
  const collectionId = segments.length ? segments[segments.length - 1]! : '';
  switch (method) {
    case 'GET':
      return { rpc: 'listDocuments', requestType: `${V1}ListDocumentsRequest`, request: { ...bind('ListDocumentsRequest'), parent, collectionId }, streaming: false };
    case 'POST': {
      if (!collectionId) throw methodNotAllowed(method, shown);
      const document = asBody(body, 'document');
      if (document.name !== undefined) throw invalidArgument('Document name must not be set when creating a document; use the documentId parameter.');
      return { rpc: 'createDocument', requestType: `${V1}CreateDocumentRequest`, request: { ...bind('CreateDocumentRequest'), parent, collectionId, document }, streaming: false };
    }
    default:
      throw methodNotAllowed(method, shown);
  }
}

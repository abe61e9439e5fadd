import type { Logger } from 'pino';
import { invalidArgument, toFirestoreError } from '../../model/index.js';
import type { FirestoreError } from '../../model/index.js';
import type { CallContext, FirestoreService } from '../../service/index.js';
import { httpContext } from '../http/context.js';
import type { ProtoTools } from '../http/proto-tools.js';
import type { RouteContext, Router } from '../http/router.js';
import { parseJsonText } from '../http/json-text.js';
import { readBody, sendJson } from '../http/router.js';
import { REST_PATH_PATTERN, parseRestPath } from './paths.js';
import type { RestCall } from './translate.js';
import { translateRestRequest } from './translate.js';

type Json = Record<string, unknown>;

/** REST bodies are at most Firestore's request size limit (10 MiB) plus JSON overhead. */
const MAX_BODY = 32 * 1024 * 1024;

/** Google's REST error body; server-streaming methods wrap it in an array like their results. */
function errorBody(err: FirestoreError, streaming: boolean): unknown {
  const error = { error: { code: err.httpStatus, message: err.message, status: err.status } };
  return streaming ? [error] : error;
}

function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  return parseJsonText(text, 'request body');
}

async function invoke(service: FirestoreService, call: RestCall, request: Json, ctx: CallContext): Promise<unknown> {
  const fn = service[call.rpc] as (req: Json, ctx: CallContext) => Promise<unknown>;
  return fn(request, ctx);
}

/**
 * The REST (JSON over HTTP/1.1) side of google.firestore.v1.Firestore, what the web SDK's
 * unary calls (XHR, `Content-Type: text/plain`) and the lite SDK (fetch) use:
 * `POST /v1/projects/{p}/databases/{d}/documents[/{parent}]:{verb}` and document CRUD.
 * Bodies are strictly validated proto3 JSON; streaming-result calls answer one JSON array;
 * errors have Google's shape and HTTP status.
 */
export function addRestRoutes(router: Router, service: FirestoreService, protoTools: () => Promise<ProtoTools>, logger: Logger): void {
  const handle = async ({ req, res, url }: RouteContext): Promise<void> => {
    let streaming = false;
    try {
      const target = parseRestPath(url.pathname);
      if (!target) throw invalidArgument(`Invalid resource path ${url.pathname}.`);
      streaming = target.verb === 'batchGet' || target.verb === 'runQuery' || target.verb === 'runAggregationQuery';
      const { root, protoJson } = await protoTools();
      const ctx = httpContext(req);
      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : parseJsonBody(await readBody(req, MAX_BODY));
      const call = translateRestRequest(root, req.method ?? 'GET', target, url.searchParams, body);
      const request = protoJson.parse(call.requestType, call.request);
      const result = await invoke(service, call, request, ctx);
      sendJson(res, 200, result);
    } catch (err) {
      const e = toFirestoreError(err);
      if (e.status === 'INTERNAL') logger.error({ err, path: url.pathname }, 'REST request failed');
      else logger.debug({ path: url.pathname, status: e.status, message: e.message }, 'REST request failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, e.httpStatus, errorBody(e, streaming));
    }
  };
  for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) router.add(method, REST_PATH_PATTERN, handle);
}

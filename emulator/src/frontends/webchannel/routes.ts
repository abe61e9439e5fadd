import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AuthContext, CallContext, FirestoreService, StreamSink } from '../../service/index.js';
import { parseAuthorization } from '../../service/index.js';
import type { FirestoreError} from '../../model/index.js';
import { invalidArgument, toFirestoreError } from '../../model/index.js';
import type { ProtoJson } from '../http/proto-json.js';
import type { ProtoTools } from '../http/proto-tools.js';
import type { RouteContext, Router } from '../http/router.js';
import { parseJsonText } from '../http/json-text.js';
import { readBody, sendError } from '../http/router.js';
import type { ForwardMap } from './framing.js';
import { errorPayload, forwardAckChunk, handshakeChunk, parseForwardBody, parseHeaderBlock, parseHeaderJson } from './framing.js';
import type { WebChannelOptions } from './options.js';
import { DEFAULT_WEBCHANNEL_OPTIONS } from './options.js';
import type { Backchannel, StreamKind, WebChannelSession } from './session.js';
import { SessionRegistry } from './sessions.js';

type Json = Record<string, unknown>;

export const CHANNEL_PATH = /^\/google\.firestore\.v1\.Firestore\/(?<kind>Listen|Write)\/channel$/;
const DATABASE = /^projects\/[^/]+\/databases\/[^/]+$/;
const MAX_FORWARD_BODY = 32 * 1024 * 1024;
const REQUEST_TYPES: Record<StreamKind, string> = { Listen: 'google.firestore.v1.ListenRequest', Write: 'google.firestore.v1.WriteRequest' };

const CHANNEL_HEADERS = {
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
  pragma: 'no-cache',
  // Keeps browsers from holding back the first bytes of a streaming response to sniff them.
  'x-content-type-options': 'nosniff',
};

function sendChunk(res: ServerResponse, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(200, { ...CHANNEL_HEADERS, ...extra, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The client recognises an expired session by HTTP 400 with "Unknown SID" (not at index 0) in the body. */
function unknownSid(res: ServerResponse): void {
  const body = '<html><head><title>Error 400 (Bad Request)</title></head><body><p>400. Unknown SID</p></body></html>';
  res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

function headerMap(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export interface WebChannelFrontEnd {
  registry: SessionRegistry;
  dispose(): void;
}

/**
 * WebChannel for the browser SDK's Listen and Write streams:
 * `/google.firestore.v1.Firestore/{Listen|Write}/channel`. Handshake (POST without SID),
 * forward messages (POST with SID, acknowledged with a length-prefixed `[1, lastArrayId, n]`),
 * backchannel (GET `RID=rpc`; `CI=0` streams, `CI=1` long-polls), terminate
 * (`TYPE=terminate`), "Unknown SID" (HTTP 400) for sessions that ended. Auth and client
 * headers arrive in the handshake's `headers` form field and become the stream's call
 * context; the meter sees each session as one client connection (`webchannel:<SID>`).
 */
export function addWebChannelRoutes(
  router: Router,
  service: FirestoreService,
  protoTools: () => Promise<ProtoTools>,
  logger: Logger,
  overrides: Partial<WebChannelOptions> = {},
): WebChannelFrontEnd {
  const options = { ...DEFAULT_WEBCHANNEL_OPTIONS, ...overrides };
  const registry = new SessionRegistry(
    options,
    { now: () => Date.now(), schedule: (fn) => setImmediate(fn) },
    (s, reason) => logger.debug({ sid: s.sid, kind: s.kind, reason }, 'WebChannel session ended'),
  );
  const sweeper = setInterval(() => registry.tick(), options.sweepIntervalMs);
  sweeper.unref();

  const failSession = (session: WebChannelSession, err: unknown): void => {
    const e = toFirestoreError(err);
    if (e.status === 'INTERNAL') logger.error({ err, sid: session.sid }, 'WebChannel stream failed');
    session.stream?.close();
    session.fail(errorPayload(e.code, e.status, e.message));
  };

  const deliver = (session: WebChannelSession, maps: ForwardMap[], protoJson: ProtoJson): void => {
    for (const m of session.acceptMaps(maps)) {
      if (session.closed || !session.stream) return;
      let message: Json;
      try {
        const json = parseJsonText(m.data, `WebChannel message ${m.id}`);
        message = protoJson.parse(REQUEST_TYPES[session.kind], json);
      } catch (err) {
        failSession(session, err);
        return;
      }
      session.stream.request(message).catch((err: unknown) => failSession(session, err));
    }
  };

  const handshake = async (req: IncomingMessage, res: ServerResponse, kind: StreamKind, q: URLSearchParams): Promise<void> => {
    const database = q.get('database');
    if (!database || !DATABASE.test(database)) throw invalidArgument('The WebChannel handshake needs a database parameter "projects/{project}/databases/{database}".');
    const { protoJson } = await protoTools();
    const body = parseForwardBody(await readBody(req, MAX_FORWARD_BODY));
    const overwrite = q.get('$httpHeaders');
    const headers = body.headers !== undefined ? parseHeaderBlock(body.headers) : overwrite ? parseHeaderJson(overwrite) : headerMap(req);
    let auth: AuthContext | undefined;
    let authError: unknown;
    try {
      auth = parseAuthorization(headers.authorization);
    } catch (err) {
      authError = err;
    }
    const session = registry.create(kind);
    const peer = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    if (auth) {
      const ctx: CallContext = { auth, connection: { id: `webchannel:${session.sid}`, peer, client: headers['x-goog-api-client'] }, resourcePrefix: database };
      const sink: StreamSink = {
        send: (m) => session.push([m]),
        fail: (e: FirestoreError) => session.fail(errorPayload(e.code, e.status, e.message)),
      };
      session.stream = kind === 'Listen' ? service.openListen(ctx, sink) : service.openWrite(ctx, sink);
      deliver(session, body.maps, protoJson);
    } else {
      failSession(session, authError);
    }
    logger.debug({ sid: session.sid, kind, database, user: auth?.kind }, 'WebChannel session opened');
    sendChunk(res, handshakeChunk(session.sid, options.backchannelTimeoutMs), { 'X-HTTP-Session-Id': session.httpSessionId });
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, session: WebChannelSession, q: URLSearchParams): Promise<void> => {
    const aid = intParam(q, 'AID');
    if (aid !== undefined) session.ack(aid);
    const { protoJson } = await protoTools();
    const text = await readBody(req, MAX_FORWARD_BODY);
    if (session.closed) return unknownSid(res);
    let maps: ForwardMap[];
    try {
      maps = parseForwardBody(text).maps;
    } catch (err) {
      failSession(session, err);
      throw err;
    }
    deliver(session, maps, protoJson);
    sendChunk(res, forwardAckChunk(session.hasBackchannel, session.lastSentId, session.outstandingChars));
  };

  const backchannel = (req: IncomingMessage, res: ServerResponse, session: WebChannelSession, q: URLSearchParams): void => {
    const longPoll = q.get('CI') === '1';
    const timeout = intParam(q, 'TO');
    const holdMs = timeout !== undefined && timeout > 0 ? Math.min(timeout, options.longPollHoldMs) : options.longPollHoldMs;
    const writeHead = (): void => {
      if (!res.headersSent) res.writeHead(200, CHANNEL_HEADERS);
    };
    const bc: Backchannel = {
      longPoll,
      write: (chunk) => {
        writeHead();
        res.write(chunk);
      },
      end: () => {
        writeHead();
        if (!res.writableEnded) res.end();
      },
    };
    req.socket.setNoDelay(true);
    res.on('close', () => session.detach(bc));
    // A client that vanished mid-write must never surface as an unhandled 'error' event.
    res.on('error', () => session.detach(bc));
    if (!session.attach(bc, intParam(q, 'AID') ?? session.lastSentId, holdMs)) {
      if (!res.headersSent) unknownSid(res);
      else res.end();
    }
  };

  const handle = async ({ req, res, url, params }: RouteContext): Promise<void> => {
    const kind = params.kind as StreamKind;
    const q = url.searchParams;
    const sid = q.get('SID');
    try {
      if (q.get('TYPE') === 'terminate') {
        const session = sid ? registry.get(sid) : undefined;
        if (!session) return unknownSid(res);
        session.end('terminated');
        return sendChunk(res, '');
      }
      if (!sid || sid === 'null') {
        if (req.method !== 'POST') throw invalidArgument('A WebChannel handshake is a POST without SID.');
        return await handshake(req, res, kind, q);
      }
      const session = registry.get(sid);
      if (!session || session.kind !== kind) return unknownSid(res);
      if (req.method === 'GET') return backchannel(req, res, session, q);
      return await forward(req, res, session, q);
    } catch (err) {
      const e = toFirestoreError(err);
      if (e.status === 'INTERNAL') logger.error({ err }, 'WebChannel request failed');
      if (res.headersSent) res.destroy();
      else sendError(res, e);
    }
  };
  router.add('GET', CHANNEL_PATH, handle);
  router.add('POST', CHANNEL_PATH, handle);

  return {
    registry,
    dispose: () => {
      clearInterval(sweeper);
      registry.closeAll('shutdown');
    },
  };
}

import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FirestoreError, toFirestoreError } from '../../model/index.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/**
 * A tiny method + regular-expression router. Routes are tried in registration order;
 * named groups become `params`. Later issues add REST and WebChannel routes here.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: RegExp, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), pattern, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathMatched = false;
    try {
      for (const route of this.routes) {
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (route.method !== req.method) continue;
        const params: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
        await route.handler({ req, res, url, params });
        return;
      }
      if (pathMatched) sendError(res, new FirestoreError('UNIMPLEMENTED', `Method ${req.method} is not allowed on ${url.pathname}.`), 405);
      else sendError(res, new FirestoreError('NOT_FOUND', `No route for ${req.method} ${url.pathname}.`));
    } catch (err) {
      if (!res.headersSent) sendError(res, toFirestoreError(err));
      else res.destroy();
    }
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Google's REST error shape: `{"error": {"code": 409, "message": "...", "status": "ABORTED"}}`. */
export function sendError(res: ServerResponse, err: FirestoreError, httpStatus = err.httpStatus): void {
  sendJson(res, httpStatus, { error: { code: httpStatus, message: err.message, status: err.status } });
}

/**
 * Reads a request body (bounded) as text. Bytes that are not UTF-8 are INVALID_ARGUMENT:
 * decoding them leniently would store U+FFFD in place of what the client sent.
 */
export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new FirestoreError('INVALID_ARGUMENT', `Request body exceeds ${limit} bytes.`);
    chunks.push(b);
  }
  const body = Buffer.concat(chunks);
  if (!isUtf8(body)) throw new FirestoreError('INVALID_ARGUMENT', 'Invalid request body: it is not valid UTF-8.');
  return body.toString('utf8');
}

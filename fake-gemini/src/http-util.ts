import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GoogleErrorBody } from './errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, body: GoogleErrorBody, headers: Record<string, string> = {}): void {
  sendJson(res, body.error.code, body, headers);
}

/** Read a body up to `limit` bytes; beyond it keep draining (so the client sees our answer) and report overflow. */
export function readBody(req: IncomingMessage, limit: number): Promise<{ text: string; overflow: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) overflow = true;
      else chunks.push(chunk);
    });
    let ended = false;
    req.on('end', () => {
      ended = true;
      resolve({ text: overflow ? '' : Buffer.concat(chunks).toString('utf8'), overflow });
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!ended) reject(new Error('client closed the connection before sending the whole body'));
    });
  });
}


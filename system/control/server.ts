import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { UnknownWorkerError, type SystemOperations } from '../types.js';

/**
 * The orchestrator's HTTP control API, so another process (Playwright specs, whose global
 * setup owns the system; a chaos script) can operate the workers. Everything else a client
 * needs already has its own HTTP API (the fake Gemini's /__fake/, the emulator's :meter and
 * :faults), and SystemClient talks to those directly.
 *
 *   GET  /system                     SystemInfo
 *   GET  /workers                    WorkerInfo[]
 *   POST /workers            {count} start more workers -> WorkerInfo[]
 *   POST /workers/:id/kill   {signal?: SIGKILL|SIGTERM|SIGINT} -> WorkerInfo (after exit)
 *   POST /workers/:id/signal {signal: SIGSTOP|SIGCONT} -> WorkerInfo
 *   POST /workers/:id/restart         -> WorkerInfo of the new process
 *   GET  /failures                   SystemFailure[]
 *   GET  /traffic                    TrafficStats | null
 *   POST /traffic            {ratePerSec} -> TrafficStats
 *
 * It binds the loopback interface only: anyone who can reach it can kill workers.
 */
const bodies = {
  add: z.object({ count: z.number().int().positive().max(32) }),
  kill: z.object({ signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT']).default('SIGKILL') }),
  signal: z.object({ signal: z.enum(['SIGSTOP', 'SIGCONT']) }),
  traffic: z.object({ ratePerSec: z.number().nonnegative().max(1_000) }),
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 64 * 1024) throw new HttpError(413, 'body too large');
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function route(ops: SystemOperations, req: IncomingMessage): Promise<unknown> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  if (method === 'GET' && path === '/system') return ops.info;
  if (method === 'GET' && path === '/workers') return ops.workers();
  if (method === 'POST' && path === '/workers') return ops.addWorkers(parse(bodies.add, await readJson(req)).count);
  if (method === 'GET' && path === '/failures') return ops.failures();
  if (method === 'GET' && path === '/traffic') return ops.trafficStats();
  if (method === 'POST' && path === '/traffic') return ops.setTrafficRate(parse(bodies.traffic, await readJson(req)).ratePerSec);
  const m = /^\/workers\/([^/]+)\/(kill|signal|restart)$/.exec(path);
  if (method === 'POST' && m) {
    const id = decodeURIComponent(m[1] as string);
    if (m[2] === 'kill') return ops.killWorker(id, parse(bodies.kill, await readJson(req)).signal);
    if (m[2] === 'signal') return ops.signalWorker(id, parse(bodies.signal, await readJson(req)).signal);
    return ops.restartWorker(id);
  }
  throw new HttpError(404, `no ${method} ${path}`);
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export async function startControlServer(ops: SystemOperations, options: { host: string; port: number }): Promise<ControlServer> {
  const server = createServer((req, res) => {
    route(ops, req).then(
      (body) => send(res, 200, body ?? null),
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : error instanceof UnknownWorkerError ? 404 : 500;
        send(res, status, { error: { message: error instanceof Error ? error.message : String(error) } });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

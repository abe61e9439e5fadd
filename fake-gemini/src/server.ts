import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from '@fq/worker/core';
import {
  applyConfigPatch,
  fakeGeminiConfigSchema,
  failureInjectionSchema,
  type FailureInjection,
  type FailureInjectionInput,
  type FakeGeminiConfig,
  type FakeGeminiConfigInput,
  type FakeGeminiConfigPatch,
} from './config.js';
import { errorBody } from './errors.js';
import { handleGenerate, type GenerateContext } from './generate.js';
import { readBody, sendError, sendJson } from './http-util.js';
import { StatsRecorder, type FakeGeminiStats } from './stats.js';
import { CallLog, type FakeCallLog } from './call-log.js';

/**
 * A fake Gemini API on node:http that the real `@google/genai` SDK reaches through its base
 * URL. It serves `POST /v1beta/models/<model>:generateContent` with a fixed capacity, latency
 * per audio second, outages, quota and injected failures, plus a control API under `/__fake/`:
 *
 *   GET  /__fake/stats    counts (calls, successes, rejections by status, peak concurrency, per model)
 *   GET  /__fake/calls    every call since the stats start: arrival, answer time, status, reason, tokens
 *   GET  /__fake/config   current behaviour
 *   POST /__fake/config   change behaviour at runtime (FakeGeminiConfigPatch)
 *   POST /__fake/fail     inject failures for the next N calls (FailureInjectionInput)
 *   POST /__fake/reset    {"stats":true,"config":false,"failures":true} by default
 *   GET  /__fake/health
 */
export interface FakeGeminiOptions extends FakeGeminiConfigInput {
  port?: number;
  host?: string;
  /** The fake's clock (quota windows, capacity schedule, stats and call times); tests pass their own. */
  now?: () => number;
}

export interface FakeGeminiHandle {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  stats(): FakeGeminiStats;
  /** Every call since the stats start (cleared with the stats). */
  calls(): FakeCallLog;
  config(): FakeGeminiConfig;
  configure(patch: FakeGeminiConfigPatch): FakeGeminiConfig;
  failNext(injection: FailureInjectionInput): void;
  /** Pending injected failures (remaining counts). */
  pendingFailures(): FailureInjection[];
  reset(what?: { stats?: boolean; config?: boolean; failures?: boolean }): void;
  close(): Promise<void>;
}

const MAX_CONTROL_BODY = 1024 * 1024;

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGeminiHandle> {
  const { port = 0, host = '127.0.0.1', now = Date.now, ...configInput } = options;
  const initial = fakeGeminiConfigSchema.parse(configInput);
  const ctx: GenerateContext = {
    config: initial,
    failures: [],
    stats: new StatsRecorder(now),
    calls: new CallLog(now),
    random: seededRandom(initial.seed),
    quotaLog: new Map(),
    timers: new Set(),
    responses: 0,
    now,
  };
  const sockets = new Set<Socket>();

  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const json = async (): Promise<unknown> => {
      const { text, overflow } = await readBody(req, MAX_CONTROL_BODY);
      if (overflow) throw new Error('control body too large');
      return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    };
    try {
      if (path === '/__fake/stats' && method === 'GET') return sendJson(res, 200, ctx.stats.snapshot());
      if (path === '/__fake/calls' && method === 'GET') return sendJson(res, 200, ctx.calls.snapshot(ctx.stats.since()));
      if (path === '/__fake/health' && method === 'GET') return sendJson(res, 200, { ok: true });
      if (path === '/__fake/config' && method === 'GET') return sendJson(res, 200, ctx.config);
      if (path === '/__fake/config' && method === 'POST') {
        ctx.config = applyConfigPatch(ctx.config, (await json()) as FakeGeminiConfigPatch);
        return sendJson(res, 200, ctx.config);
      }
      if (path === '/__fake/fail' && method === 'POST') {
        ctx.failures.push(failureInjectionSchema.parse(await json()));
        return sendJson(res, 200, { pending: ctx.failures });
      }
      if (path === '/__fake/reset' && method === 'POST') {
        handle.reset((await json()) as { stats?: boolean; config?: boolean; failures?: boolean });
        return sendJson(res, 200, { ok: true });
      }
      return sendError(res, errorBody(404, `fake Gemini control: no ${method} ${path}`));
    } catch (error) {
      return sendError(res, errorBody(400, `fake Gemini control: ${error instanceof Error ? error.message : String(error)}`));
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const done = path.startsWith('/__fake/') ? control(req, res, path) : handleGenerate(ctx, req, res, url);
    done.catch((error: unknown) => {
      sendError(res, errorBody(500, `fake Gemini internal error: ${error instanceof Error ? error.message : String(error)}`));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const handle: FakeGeminiHandle = {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    stats: () => ctx.stats.snapshot(),
    calls: () => ctx.calls.snapshot(ctx.stats.since()),
    config: () => ctx.config,
    configure: (patch) => {
      ctx.config = applyConfigPatch(ctx.config, patch);
      return ctx.config;
    },
    failNext: (injection) => {
      ctx.failures.push(failureInjectionSchema.parse(injection));
    },
    pendingFailures: () => ctx.failures.map((f) => ({ ...f })),
    reset: (what = {}) => {
      if (what.stats ?? true) {
        ctx.stats.clear();
        ctx.calls.clear();
        ctx.quotaLog.clear();
      }
      if (what.failures ?? true) ctx.failures.length = 0;
      if (what.config ?? false) {
        ctx.config = initial;
        ctx.random = seededRandom(initial.seed);
      }
    },
    close: async () => {
      for (const timer of ctx.timers) clearTimeout(timer);
      ctx.timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return handle;
}

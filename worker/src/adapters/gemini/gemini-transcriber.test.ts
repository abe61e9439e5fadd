import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestWav, startFakeGemini, type FakeGeminiHandle, type FakeGeminiOptions } from '@fq/fake-gemini';
import { UpstreamError, type TranscriptionRequest } from '../../ports/transcriber.js';
import { resolveConfig } from '../../schema/config.js';
import { createGeminiTranscriber, GeminiConfigError, GeminiTranscriber } from './gemini-transcriber.js';

let fake: FakeGeminiHandle | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function setup(options: FakeGeminiOptions = {}) {
  fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, apiKeys: ['k'], ...options });
  return { fake, transcriber: new GeminiTranscriber({ apiKey: 'k', baseUrl: fake.url }) };
}

function request(overrides: Partial<TranscriptionRequest> = {}): TranscriptionRequest {
  return {
    jobId: 'job-1',
    model: 'gemini-2.5-flash',
    audio: makeTestWav({ durationSec: 2, text: 'exactly this text' }),
    mimeType: 'audio/wav',
    durationSec: 2,
    signal: new AbortController().signal,
    timeoutMs: 30_000,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail');
}

async function until(ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GeminiTranscriber against the fake Gemini (real SDK)', () => {
  it('returns the transcript, model and token count', async () => {
    const { transcriber } = await setup();
    const out = await transcriber.transcribe(request());
    expect(out).toEqual({ text: 'exactly this text', model: 'gemini-2.5-flash', tokens: 64 + Math.ceil(transcriberPromptLength() / 4) + 5 });
  });

  it('maps 503 overloaded to "overloaded"', async () => {
    const { transcriber } = await setup({ capacity: 0 });
    const error = await failure(transcriber.transcribe(request()));
    expect(error.errorClass).toBe('overloaded');
    expect(error.status).toBe(503);
    expect(error.message).toContain('The model is overloaded');
    expect(error.retryAfterMs).toBeNull();
  });

  it('maps 429 to "quota" with RetryInfo.retryDelay', async () => {
    const { transcriber } = await setup({ capacity: 0, overloadResponse: '429', retryDelayMs: 1_500 });
    const error = await failure(transcriber.transcribe(request()));
    expect(error.errorClass).toBe('quota');
    expect(error.retryAfterMs).toBe(1_500);
  });

  it('sees the Retry-After header through its fetch wrapper and keeps the longer delay', async () => {
    const { transcriber } = await setup({ capacity: 0, retryAfterSec: 7 });
    const overloaded = await failure(transcriber.transcribe(request()));
    expect(overloaded.retryAfterMs).toBe(7_000);
    fake?.configure({ overloadResponse: '429', retryDelayMs: 9_000 });
    const quota = await failure(transcriber.transcribe(request()));
    expect(quota.retryAfterMs).toBe(9_000);
  });

  it.each([
    [500, 'server'],
    [502, 'server'],
    [504, 'timeout'],
    [400, 'invalid'],
    [403, 'unauthorized'],
    [404, 'invalid'],
  ] as const)('maps injected HTTP %i to "%s"', async (status, errorClass) => {
    const { fake: f, transcriber } = await setup();
    f.failNext({ status });
    const error = await failure(transcriber.transcribe(request()));
    expect(error.errorClass).toBe(errorClass);
    expect(error.status).toBe(status);
  });

  it('maps a wrong API key to "unauthorized" and an unknown model to "invalid"', async () => {
    const { fake: f } = await setup({ knownModels: ['gemini-2.5-flash'] });
    const wrongKey = new GeminiTranscriber({ apiKey: 'wrong', baseUrl: f.url });
    expect((await failure(wrongKey.transcribe(request()))).errorClass).toBe('unauthorized');
    const good = new GeminiTranscriber({ apiKey: 'k', baseUrl: f.url });
    const missing = await failure(good.transcribe(request({ model: 'gemini-nope' })));
    expect(missing.errorClass).toBe('invalid');
    expect(missing.status).toBe(404);
  });

  it('maps malformed audio to "invalid" (never retried)', async () => {
    const { transcriber } = await setup();
    const error = await failure(transcriber.transcribe(request({ audio: new Uint8Array(64).fill(7) })));
    expect(error.errorClass).toBe('invalid');
    expect(error.status).toBe(400);
  });

  it('aborts the HTTP request when the caller aborts, and says "cancelled"', async () => {
    const { fake: f, transcriber } = await setup({ outage: { kind: 'hang' } });
    const controller = new AbortController();
    const pending = failure(transcriber.transcribe(request({ signal: controller.signal })));
    await until(() => f.stats().concurrent === 1);
    controller.abort();
    const error = await pending;
    expect(error.errorClass).toBe('cancelled');
    await until(() => f.stats().aborted === 1);
    expect(f.stats().concurrent).toBe(0);
  });

  it('refuses to start with an already aborted signal', async () => {
    const { fake: f, transcriber } = await setup();
    const controller = new AbortController();
    controller.abort();
    expect((await failure(transcriber.transcribe(request({ signal: controller.signal })))).errorClass).toBe('cancelled');
    expect(f.stats().calls).toBe(0);
  });

  it('times out a hanging call as "timeout" and closes the request', async () => {
    const { fake: f, transcriber } = await setup({ outage: { kind: 'hang' } });
    const error = await failure(transcriber.transcribe(request({ timeoutMs: 150 })));
    expect(error.errorClass).toBe('timeout');
    await until(() => f.stats().aborted === 1);
  });

  it('maps a reset connection and a refused connection to "network"', async () => {
    const { fake: f, transcriber } = await setup();
    f.failNext({ kind: 'reset' });
    expect((await failure(transcriber.transcribe(request()))).errorClass).toBe('network');

    const port = await freePortThenClosed();
    const nobody = new GeminiTranscriber({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}` });
    const refused = await failure(nobody.transcribe(request()));
    expect(refused.errorClass).toBe('network');
    expect(refused.message).toContain('ECONNREFUSED');
  });

  it('is built from the worker config and needs a key', async () => {
    const { fake: f } = await setup();
    const config = resolveConfig({ upstream: { baseUrl: f.url, prompt: 'Only the words, please.' } });
    const t = createGeminiTranscriber(config, { apiKey: 'k' });
    expect((await t.transcribe(request())).text).toBe('exactly this text');
    const saved = { a: process.env.GEMINI_API_KEY, b: process.env.GOOGLE_API_KEY };
    delete process.env.GEMINI_API_KEY;
    delete process.env.GOOGLE_API_KEY;
    try {
      expect(() => createGeminiTranscriber(config)).toThrow(GeminiConfigError);
    } finally {
      if (saved.a !== undefined) process.env.GEMINI_API_KEY = saved.a;
      if (saved.b !== undefined) process.env.GOOGLE_API_KEY = saved.b;
    }
  });
});

function transcriberPromptLength(): number {
  return 'Transcribe this audio verbatim. Return only the transcript text, without commentary, labels or timestamps.'.length;
}

async function freePortThenClosed(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

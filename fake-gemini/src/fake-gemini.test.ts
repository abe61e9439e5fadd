import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGeminiHandle, type FakeGeminiOptions } from './server.js';
import { FakeGeminiClient } from './client.js';
import { embeddedTranscript, makeTestWav } from './test-audio.js';
import { transcriptFor } from './transcript.js';
import { until } from './test-kit.js';
import { wavDurationSec } from '@fq/worker/core';

let fake: FakeGeminiHandle | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function start(options: FakeGeminiOptions = {}): Promise<FakeGeminiHandle> {
  fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, ...options });
  return fake;
}

function body(audio: Uint8Array | null, mimeType = 'audio/wav'): string {
  const parts: unknown[] = [{ text: 'Transcribe.' }];
  if (audio) parts.push({ inlineData: { mimeType, data: Buffer.from(audio).toString('base64') } });
  return JSON.stringify({ contents: [{ role: 'user', parts }] });
}

function call(f: FakeGeminiHandle, payload: string, opts: { model?: string; key?: string | null; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key !== null) headers['x-goog-api-key'] = opts.key ?? 'test-key';
  return fetch(`${f.url}/v1beta/models/${opts.model ?? 'gemini-2.5-flash'}:generateContent`, {
    method: 'POST',
    headers,
    body: payload,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

describe('test audio', () => {
  it('writes valid WAV with its duration and embedded transcript', () => {
    const wav = makeTestWav({ durationSec: 2.5, text: 'hello queue' });
    expect(wavDurationSec(wav)).toBeCloseTo(2.5, 5);
    expect(embeddedTranscript(wav)).toBe('hello queue');
    expect(embeddedTranscript(makeTestWav({ durationSec: 1 }))).toBeNull();
  });

  it('derives a deterministic sentence from audio without a transcript', () => {
    const a = makeTestWav({ durationSec: 4, toneHz: 300 });
    const b = makeTestWav({ durationSec: 4, toneHz: 301 });
    expect(transcriptFor(a, 4)).toBe(transcriptFor(a, 4));
    expect(transcriptFor(a, 4)).not.toBe(transcriptFor(b, 4));
    expect(transcriptFor(a, 4).split(' ')).toHaveLength(10);
  });
});

describe('fake Gemini server', () => {
  it('answers generateContent like Gemini, with the embedded transcript and token usage', async () => {
    const f = await start();
    const res = await call(f, body(makeTestWav({ durationSec: 3, text: 'the fleet converges' })));
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      candidates: { content: { parts: { text: string }[] } }[];
      usageMetadata: { promptTokenCount: number; totalTokenCount: number };
    };
    expect(json.candidates[0]?.content.parts[0]?.text).toBe('the fleet converges');
    expect(json.usageMetadata.promptTokenCount).toBe(96 + 3);
    const stats = f.stats();
    expect(stats.calls).toBe(1);
    expect(stats.successes).toBe(1);
    expect(stats.audioSeconds).toBeCloseTo(3);
    expect(stats.byModel['gemini-2.5-flash']?.successes).toBe(1);
  });

  it('rejects calls above capacity with 503 overloaded and counts the peak', async () => {
    const f = await start({ capacity: 2, baseLatencyMs: 60_000 });
    const controller = new AbortController();
    const wav = makeTestWav({ durationSec: 1 });
    let settled = 0;
    const pending = Array.from({ length: 5 }, () => call(f, body(wav), { signal: controller.signal }).then(
      async (r) => ({ status: r.status, json: (await r.json()) as { error: { status: string; message: string } } }),
      () => null,
    ).finally(() => (settled += 1)));
    const stats = await until(() => f.stats(), (s) => s.calls === 5 && (s.rejectionsByStatus['503'] ?? 0) === 3);
    await until(() => settled, (n) => n === 3);
    expect(stats.concurrent).toBe(2);
    expect(stats.maxConcurrent).toBe(2);
    expect(stats.rejectionsByReason.overload).toBe(3);
    controller.abort();
    const results = await Promise.all(pending);
    const rejected = results.filter((r) => r?.status === 503);
    expect(rejected).toHaveLength(3);
    expect(rejected[0]?.json.error).toMatchObject({ status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' });
    const after = await until(() => f.stats(), (s) => s.aborted === 2);
    expect(after.concurrent).toBe(0);
  });

  it('answers 429 with RetryInfo and Retry-After when configured, per model', async () => {
    const f = await start({ capacity: 0, overloadResponse: '429', retryDelayMs: 2_500, retryAfterSec: 3, models: { other: { capacity: null } } });
    const res = await call(f, body(makeTestWav({ durationSec: 1 })));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    const json = (await res.json()) as { error: { status: string; details: { '@type': string; retryDelay?: string }[] } };
    expect(json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(json.error.details.find((d) => d['@type'].endsWith('RetryInfo'))?.retryDelay).toBe('2.5s');
    expect((await call(f, body(makeTestWav({ durationSec: 1 })), { model: 'other' })).status).toBe(200);
  });

  it('enforces its own requests-per-minute quota with the wait until a slot frees', async () => {
    const f = await start({ requestsPerMinute: 2 });
    const wav = makeTestWav({ durationSec: 1 });
    expect((await call(f, body(wav))).status).toBe(200);
    expect((await call(f, body(wav))).status).toBe(200);
    const res = await call(f, body(wav));
    expect(res.status).toBe(429);
    const json = (await res.json()) as { error: { details: { retryDelay?: string }[] } };
    const delay = json.error.details.map((d) => d.retryDelay).find(Boolean) as string;
    expect(Number(delay.replace('s', ''))).toBeGreaterThan(50);
    expect(f.stats().rejectionsByReason.quota).toBe(1);
  });

  it('injects the next N failures, then serves again', async () => {
    const f = await start();
    f.failNext({ count: 2, status: 500 });
    const wav = makeTestWav({ durationSec: 1 });
    expect((await call(f, body(wav))).status).toBe(500);
    expect((await call(f, body(wav))).status).toBe(500);
    expect((await call(f, body(wav))).status).toBe(200);
    expect(f.stats().rejectionsByReason.injected).toBe(2);
  });

  it('switches outage on and off at runtime through the control API', async () => {
    const f = await start();
    const client = new FakeGeminiClient(f.url);
    await client.configure({ outage: { kind: 'status', status: 503 } });
    const wav = makeTestWav({ durationSec: 1 });
    expect((await call(f, body(wav))).status).toBe(503);
    await client.configure({ outage: null });
    expect((await call(f, body(wav))).status).toBe(200);
    const stats = await client.stats();
    expect(stats.rejectionsByReason.outage).toBe(1);
    await client.failNext({ count: 1, status: 429, retryDelayMs: 100 });
    expect((await call(f, body(wav))).status).toBe(429);
    await client.reset();
    expect((await client.stats()).calls).toBe(0);
  });

  it('refuses bad input, unknown models and bad keys the way Gemini does', async () => {
    const f = await start({ apiKeys: ['good'], knownModels: ['gemini-2.5-flash'] });
    const wav = makeTestWav({ durationSec: 1 });
    expect((await call(f, body(wav), { key: null })).status).toBe(403);
    const badKey = await call(f, body(wav), { key: 'bad' });
    expect(badKey.status).toBe(400);
    expect(JSON.stringify(await badKey.json())).toContain('API_KEY_INVALID');
    expect((await call(f, body(wav), { key: 'good', model: 'nope' })).status).toBe(404);
    expect((await call(f, body(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])), { key: 'good' })).status).toBe(400);
    expect((await call(f, '{"contents":[]}', { key: 'good' })).status).toBe(400);
    expect((await call(f, 'not json', { key: 'good' })).status).toBe(400);
    expect((await call(f, body(wav, 'image/png'), { key: 'good' })).status).toBe(400);
    const stats = f.stats();
    expect(stats.rejectionsByReason).toMatchObject({ auth: 2, not_found: 1, invalid: 4 });
    expect(stats.successes).toBe(0);
  });

  it('takes latency from the audio length', async () => {
    const f = await start({ latencyMsPerAudioSecond: 100, latencyJitter: 0 });
    const started = performance.now();
    expect((await call(f, body(makeTestWav({ durationSec: 3 })))).status).toBe(200);
    // Lower bound only: the fake must not answer before its latency (never an upper bound).
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});

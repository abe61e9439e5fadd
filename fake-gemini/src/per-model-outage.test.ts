import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGeminiClient } from './client.js';
import { startFakeGemini, type FakeGeminiHandle } from './server.js';
import { makeTestWav } from './test-audio.js';
import { callFake, generateBody, type ErrorJson } from './test-kit.js';

/**
 * A primary model down while a fallback model serves (the fallback route on real processes
 * drives the fake this way), and the call log naming the audio each call carried, so a
 * test can tell which model answered which job.
 */
let fake: FakeGeminiHandle | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('fake Gemini per-model outage', () => {
  it('fails one model and serves another, switched at runtime over the control API', async () => {
    const f = (fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, latencyJitter: 0 }));
    const client = new FakeGeminiClient(f.url);
    await client.configure({ models: { primary: { outage: { kind: 'status', status: 503 } } } });
    const a = makeTestWav({ durationSec: 1, text: 'to the primary' });
    const b = makeTestWav({ durationSec: 1, text: 'to the fallback' });

    const down = await callFake(f, generateBody(a), { model: 'primary' });
    expect(down.status).toBe(503);
    expect(((await down.json()) as ErrorJson).error.status).toBe('UNAVAILABLE');
    const up = await callFake(f, generateBody(b), { model: 'fallback' });
    expect(up.status).toBe(200);
    expect(await up.text()).toContain('to the fallback');

    // Clearing the model's overrides brings it back; the other model never noticed.
    await client.configure({ models: { primary: null } });
    expect((await callFake(f, generateBody(a), { model: 'primary' })).status).toBe(200);

    const stats = await client.stats();
    expect(stats.byModel.primary).toMatchObject({ calls: 2, successes: 1 });
    expect(stats.byModel.fallback).toMatchObject({ calls: 1, successes: 1 });
    expect(stats.rejectionsByReason.outage).toBe(1);

    const log = await client.calls();
    expect(log.calls.map((c) => [c.model, c.outcome, c.reason, c.audioSha256])).toEqual([
      ['primary', 'rejected', 'outage', sha256(a)],
      ['fallback', 'ok', null, sha256(b)],
      ['primary', 'ok', null, sha256(a)],
    ]);
  });

  it('logs no audio digest for a call without audio or one refused before its body was parsed', async () => {
    const f = (fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, knownModels: ['known'] }));
    expect((await callFake(f, generateBody(null), { model: 'known' })).status).toBe(200);
    expect((await callFake(f, generateBody(makeTestWav({ durationSec: 1 })), { model: 'unknown' })).status).toBe(404);
    expect(f.calls().calls.map((c) => [c.model, c.status, c.audioSha256])).toEqual([
      ['known', 200, null],
      ['unknown', 404, null],
    ]);
  });
});

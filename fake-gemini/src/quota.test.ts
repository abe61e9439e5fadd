import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGeminiHandle, type FakeGeminiOptions } from './server.js';
import { makeTestWav } from './test-audio.js';
import { callFake, generateBody, manualClock, quotaIdOf, retryDelayMsOf, type ErrorJson } from './test-kit.js';

let fake: FakeGeminiHandle | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

const clock = manualClock();
async function start(options: FakeGeminiOptions): Promise<FakeGeminiHandle> {
  clock.set(0);
  fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, latencyJitter: 0, now: clock.now, ...options });
  return fake;
}

const wav = makeTestWav({ durationSec: 1 });

describe('fake Gemini per-minute quota', () => {
  it('answers 429 with a RetryInfo delay that is exactly when the sliding minute admits the next call', async () => {
    const f = await start({ requestsPerMinute: 2 });
    expect((await callFake(f, generateBody(wav))).status).toBe(200);
    clock.set(10_000);
    expect((await callFake(f, generateBody(wav))).status).toBe(200);
    clock.set(30_000);
    const refused = await callFake(f, generateBody(wav));
    expect(refused.status).toBe(429);
    const json = (await refused.json()) as ErrorJson;
    expect(json.error.status).toBe('RESOURCE_EXHAUSTED');
    // The call at 0 leaves the window at 60 s: 30 s from now.
    expect(retryDelayMsOf(json)).toBe(30_000);
    expect(quotaIdOf(json)).toBe('GenerateRequestsPerMinutePerProjectPerModel');
    clock.set(59_999);
    const early = await callFake(f, generateBody(wav));
    expect(early.status).toBe(429);
    expect(retryDelayMsOf((await early.json()) as ErrorJson)).toBe(1);
    clock.set(60_000);
    expect((await callFake(f, generateBody(wav))).status).toBe(200);
    // Now 10 s and 60 s are in the window: the next slot frees when 10 s leaves, at 70 s.
    const next = await callFake(f, generateBody(wav));
    expect(retryDelayMsOf((await next.json()) as ErrorJson)).toBe(10_000);
    expect(f.stats().rejectionsByReason.quota).toBe(3);
  });

  it('refused calls do not use the quota', async () => {
    const f = await start({ requestsPerMinute: 1 });
    expect((await callFake(f, generateBody(wav))).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      expect((await callFake(f, generateBody(wav))).status).toBe(429);
    }
    clock.set(60_000);
    expect((await callFake(f, generateBody(wav))).status).toBe(200);
  });

  it('names the token quota when tokens refuse the call', async () => {
    // One second of audio is 32 tokens + the prompt and the transcript: well over 20 per call.
    const f = await start({ tokensPerMinute: 100 });
    let served = 0;
    let refused: Response | null = null;
    for (let i = 0; i < 10 && !refused; i++) {
      clock.set(i * 1_000);
      const res = await callFake(f, generateBody(wav));
      if (res.status === 200) served += 1;
      else refused = res;
    }
    expect(served).toBeGreaterThan(0);
    expect(refused?.status).toBe(429);
    const json = (await refused!.json()) as ErrorJson;
    expect(quotaIdOf(json)).toBe('GenerateContentInputTokensPerModelPerMinute');
    // The first call (at 0) has to leave the window: 60 s after it.
    expect(retryDelayMsOf(json)).toBe(60_000 - served * 1_000);
    const tokens = f.calls().calls.filter((c) => c.outcome === 'ok').reduce((sum, c) => sum + c.tokens, 0);
    expect(tokens).toBeLessThanOrEqual(100);
  });

  it('applies a per-model quota from the model overrides', async () => {
    const f = await start({ models: { 'gemini-2.5-pro': { requestsPerMinute: 1 } } });
    for (let i = 0; i < 3; i++) expect((await callFake(f, generateBody(wav))).status).toBe(200);
    expect((await callFake(f, generateBody(wav), { model: 'gemini-2.5-pro' })).status).toBe(200);
    expect((await callFake(f, generateBody(wav), { model: 'gemini-2.5-pro' })).status).toBe(429);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGeminiHandle, type FakeGeminiOptions } from './server.js';
import { FakeGeminiClient } from './client.js';
import { makeTestWav } from './test-audio.js';
import { callFake, generateBody, until, type ErrorJson } from './test-kit.js';

const fakes: FakeGeminiHandle[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function start(options: FakeGeminiOptions): Promise<FakeGeminiHandle> {
  const f = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, latencyJitter: 0, capacity: null, ...options });
  fakes.push(f);
  return f;
}

const wav = makeTestWav({ durationSec: 1 });

async function statuses(f: FakeGeminiHandle, n: number, model?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await callFake(f, generateBody(wav), model ? { model } : {})).status);
  return out;
}

describe('fake Gemini error rate', () => {
  it('answers a steady share of calls 503 overloaded, the same calls for the same seed', async () => {
    const a = await start({ errorRate: 0.3, seed: 5 });
    const b = await start({ errorRate: 0.3, seed: 5 });
    const first = await statuses(a, 200);
    expect(await statuses(b, 200)).toEqual(first);
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(40);
    expect(failed).toBeLessThan(80);
    expect(first.filter((s) => s !== 503 && s !== 200)).toEqual([]);
    // A rate: failures keep coming all along the run, not in one burst that is used up.
    expect(first.slice(0, 100).filter((s) => s === 503).length).toBeGreaterThan(15);
    expect(first.slice(100).filter((s) => s === 503).length).toBeGreaterThan(15);
    const stats = a.stats();
    expect(stats.rejectionsByReason.error_rate).toBe(failed);
    expect(stats.rejectionsByStatus['503']).toBe(failed);
    expect(stats.successes).toBe(200 - failed);
    const res = await callFake(a, generateBody(wav));
    if (res.status === 503) expect(((await res.json()) as ErrorJson).error.status).toBe('UNAVAILABLE');
  });

  it('is set per model through the overrides and at runtime', async () => {
    const f = await start({ models: { flaky: { errorRate: 1 } } });
    expect(await statuses(f, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(await statuses(f, 3, 'flaky')).toEqual([503, 503, 503]);
    await new FakeGeminiClient(f.url).configure({ errorRate: 1 });
    expect(await statuses(f, 2)).toEqual([503, 503]);
    await new FakeGeminiClient(f.url).configure({ errorRate: 0 });
    expect(await statuses(f, 2)).toEqual([200, 200]);
  });

  it('holds a slot for the service time before failing, unless errorLatencyMs says otherwise', async () => {
    const f = await start({ errorRate: 1, capacity: 1, baseLatencyMs: 60_000 });
    const controller = new AbortController();
    const held = callFake(f, generateBody(wav), { signal: controller.signal }).catch(() => null);
    await until(() => f.stats().concurrent, (n) => n === 1);
    // The failing call occupies the only slot: the next one is refused by the capacity check.
    const second = await callFake(f, generateBody(wav));
    expect(second.status).toBe(503);
    expect(f.stats().rejectionsByReason.overload).toBe(1);
    controller.abort();
    await held;
    await until(() => f.stats().concurrent, (n) => n === 0);

    await new FakeGeminiClient(f.url).configure({ errorLatencyMs: 0 });
    expect((await callFake(f, generateBody(wav))).status).toBe(503);
    expect(f.stats().rejectionsByReason.error_rate).toBe(1);
  });
});

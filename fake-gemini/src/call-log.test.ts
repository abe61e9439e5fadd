import { afterEach, describe, expect, it } from 'vitest';
import { CallLog } from './call-log.js';
import { FakeGeminiClient } from './client.js';
import { startFakeGemini, type FakeGeminiHandle } from './server.js';
import { makeTestWav } from './test-audio.js';
import { callFake, generateBody, manualClock, until } from './test-kit.js';

describe('CallLog', () => {
  it('settles a record once and keeps at most its limit, counting what it dropped', () => {
    const clock = manualClock();
    const log = new CallLog(clock.now, 2);
    const a = log.open('m');
    clock.advance(5);
    log.settle(a, 'ok', { status: 200, tokens: 40 });
    log.settle(a, 'aborted');
    expect(a).toMatchObject({ outcome: 'ok', status: 200, tokens: 40, settledAt: a.at + 5 });
    log.open('m');
    log.open('m');
    const snap = log.snapshot(0);
    expect(snap.calls).toHaveLength(2);
    expect(snap.dropped).toBe(1);
    log.clear();
    expect(log.snapshot(0)).toMatchObject({ calls: [], dropped: 0 });
  });
});

let fake: FakeGeminiHandle | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('fake Gemini call log', () => {
  it('records every call with its times, status, reason and tokens, over the control API', async () => {
    const f = (fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, rejectLatencyMs: 0, capacity: 1 }));
    const wav = makeTestWav({ durationSec: 2 });
    expect((await callFake(f, generateBody(wav))).status).toBe(200);
    f.failNext({ count: 1, status: 429, retryDelayMs: 100 });
    expect((await callFake(f, generateBody(wav))).status).toBe(429);
    await f.configure({ baseLatencyMs: 60_000 });
    const controller = new AbortController();
    const held = callFake(f, generateBody(wav), { signal: controller.signal }).catch(() => null);
    await until(() => f.stats().concurrent, (n) => n === 1);
    expect((await callFake(f, generateBody(wav))).status).toBe(503);
    controller.abort();
    await held;
    const log = await until(() => new FakeGeminiClient(f.url).calls(), (l) => l.calls.every((c) => c.outcome !== 'pending'));
    expect(log.startedAt).toBe(f.stats().startedAt);
    expect(log.calls.map((c) => [c.outcome, c.status, c.reason])).toEqual([
      ['ok', 200, null],
      ['rejected', 429, 'injected'],
      ['aborted', null, null],
      ['rejected', 503, 'overload'],
    ]);
    const ok = log.calls[0]!;
    // Two seconds of audio at 32 tokens per second, plus the prompt and the transcript.
    expect(ok.tokens).toBeGreaterThan(64);
    expect(ok.tokens).toBe(f.stats().tokens);
    for (const c of log.calls) expect(c.settledAt!).toBeGreaterThanOrEqual(c.at);
    expect(log.calls.slice(1).every((c) => c.tokens === 0)).toBe(true);
    f.reset({ stats: true });
    expect(f.calls().calls).toEqual([]);
  });
});

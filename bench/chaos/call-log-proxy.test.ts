import { afterEach, describe, expect, it } from 'vitest';
import { GoogleGenAI } from '@google/genai';
import { makeTestWav, startFakeGemini, type FakeGeminiHandle } from '@fq/fake-gemini';
import { transcriptMarker } from '../lib/job-set.js';
import { startCallLogProxy, type CallLogProxy } from './call-log-proxy.js';

let fake: FakeGeminiHandle | null = null;
let proxy: CallLogProxy | null = null;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
});

const ask = (url: string, jobId: string, signal?: AbortSignal) =>
  new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: url } }).models.generateContent({
    model: 'gemini-2.5-flash',
    contents: [{ role: 'user', parts: [{ text: 'Transcribe.' }, { inlineData: { mimeType: 'audio/wav', data: Buffer.from(makeTestWav({ durationSec: 1, text: transcriptMarker(jobId) })).toString('base64') } }] }],
    config: signal ? { abortSignal: signal } : {},
  });

describe('call-log proxy', () => {
  it('logs each call with its job, status and outcome, and passes answers through unchanged', async () => {
    fake = await startFakeGemini({ baseLatencyMs: 0, latencyMsPerAudioSecond: 0, capacity: 1 });
    proxy = await startCallLogProxy(fake.url);
    const answer = await ask(proxy.url, 'job-a');
    expect(answer.text).toBe('job:job-a');
    fake.failNext({ count: 1, status: 503 });
    await expect(ask(proxy.url, 'job-b')).rejects.toThrow(/overloaded/);
    expect(proxy.calls.map((c) => [c.jobId, c.status, c.outcome])).toEqual([
      ['job-a', 200, 'ok'],
      ['job-b', 503, 'error'],
    ]);
  });

  it('records a client that goes away mid-call and cancels the upstream request', async () => {
    fake = await startFakeGemini({ baseLatencyMs: 60_000, latencyMsPerAudioSecond: 0 });
    proxy = await startCallLogProxy(fake.url);
    const controller = new AbortController();
    const pending = ask(proxy.url, 'job-c', controller.signal).catch(() => 'aborted');
    for (let i = 0; i < 500 && fake.stats().concurrent === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect(await pending).toBe('aborted');
    for (let i = 0; i < 500 && fake.stats().aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fake.stats().aborted).toBe(1);
    expect(proxy.calls).toMatchObject([{ jobId: 'job-c', outcome: 'client-gone' }]);
  });
});

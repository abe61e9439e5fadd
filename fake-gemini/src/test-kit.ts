import type { FakeGeminiHandle } from './server.js';

/** Shared by the fake's tests: request bodies, calls, a settable clock, waiting on state. */
export function generateBody(audio: Uint8Array | null, mimeType = 'audio/wav'): string {
  const parts: unknown[] = [{ text: 'Transcribe.' }];
  if (audio) parts.push({ inlineData: { mimeType, data: Buffer.from(audio).toString('base64') } });
  return JSON.stringify({ contents: [{ role: 'user', parts }] });
}

export function callFake(f: FakeGeminiHandle, payload: string, opts: { model?: string; signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${f.url}/v1beta/models/${opts.model ?? 'gemini-2.5-flash'}:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'test-key' },
    body: payload,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export interface ErrorJson {
  error: { code: number; status: string; message: string; details?: { '@type': string; retryDelay?: string; violations?: { quotaId: string; quotaValue: string }[] }[] };
}

/** RetryInfo.retryDelay of an error answer in ms, or null when there is none. */
export function retryDelayMsOf(json: ErrorJson): number | null {
  const info = json.error.details?.find((d) => d['@type'].endsWith('RetryInfo'));
  return info?.retryDelay ? Math.round(Number(info.retryDelay.replace(/s$/, '')) * 1000) : null;
}

export function quotaIdOf(json: ErrorJson): string | null {
  return json.error.details?.find((d) => d['@type'].endsWith('QuotaFailure'))?.violations?.[0]?.quotaId ?? null;
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; set(ms: number): void; advance(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = start + ms), advance: (ms) => (t += ms) };
}

export async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

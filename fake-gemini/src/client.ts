import type { FailureInjection, FailureInjectionInput, FakeGeminiConfig, FakeGeminiConfigPatch } from './config.js';
import type { FakeGeminiStats } from './stats.js';
import type { FakeCallLog } from './call-log.js';

/** Drives a fake Gemini running in another process through its `/__fake/` control API. */
export class FakeGeminiClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fake Gemini ${method} ${path} failed with ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  stats(): Promise<FakeGeminiStats> {
    return this.call('GET', '/__fake/stats');
  }

  /** Every call since the stats start, with arrival and answer times (GET /__fake/calls). */
  calls(): Promise<FakeCallLog> {
    return this.call('GET', '/__fake/calls');
  }

  config(): Promise<FakeGeminiConfig> {
    return this.call('GET', '/__fake/config');
  }

  configure(patch: FakeGeminiConfigPatch): Promise<FakeGeminiConfig> {
    return this.call('POST', '/__fake/config', patch);
  }

  failNext(injection: FailureInjectionInput): Promise<{ pending: FailureInjection[] }> {
    return this.call('POST', '/__fake/fail', injection);
  }

  reset(what: { stats?: boolean; config?: boolean; failures?: boolean } = {}): Promise<{ ok: true }> {
    return this.call('POST', '/__fake/reset', what);
  }
}

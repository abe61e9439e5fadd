import { FakeGeminiClient, type FakeGeminiOptions } from '@fq/fake-gemini';
import type { ManagedChild } from '../process/child.js';
import { listeningUrl } from './listening-line.js';
import type { Supervisor } from '../process/supervisor.js';
import { paths } from '../paths.js';
import { ensurePackageBuilt } from './package-build.js';
import type { SystemInfo } from '../types.js';

export interface GeminiEndpoint {
  info: SystemInfo['gemini'];
  client: FakeGeminiClient | null;
  child: ManagedChild | null;
}

export interface GeminiStartOptions {
  /** A real key: no fake; workers call Google. */
  apiKey: string | null;
  host: string;
  port: number;
  model: string;
  fake: Omit<FakeGeminiOptions, 'port' | 'host'>;
  timeoutMs: number;
}

/**
 * The fake Gemini as a child process (its control API drives overload episodes and tests):
 * the @fq/fake-gemini package's bin on its built output, built first when stale.
 */
export async function startGemini(supervisor: Supervisor, options: GeminiStartOptions): Promise<GeminiEndpoint> {
  if (options.apiKey) return { info: { fake: false, url: null, model: options.model }, client: null, child: null };
  await ensurePackageBuilt('the fake Gemini', paths.fakeGeminiBuild, [], Math.max(options.timeoutMs, 60_000));
  const child = supervisor.spawn({
    name: 'fake Gemini',
    logName: 'fake-gemini',
    essential: true,
    args: [paths.fakeGeminiBin, '--host', options.host, '--port', String(options.port), '--config', JSON.stringify(options.fake)],
  });
  const url = await child.waitForLine(listeningUrl, 'listening line', options.timeoutMs);
  supervisor.markReady(child);
  return { info: { fake: true, url, model: options.model }, client: new FakeGeminiClient(url), child };
}

import { FakeGeminiClient, type FakeGeminiOptions } from '@fq/worker';
import type { ManagedChild } from '../process/child.js';
import { listeningUrl } from './listening-line.js';
import type { Supervisor } from '../process/supervisor.js';
import { paths, tsxArgs } from '../paths.js';
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

/** The fake Gemini as a child process (its control API drives overload episodes and tests). */
export async function startGemini(supervisor: Supervisor, options: GeminiStartOptions): Promise<GeminiEndpoint> {
  if (options.apiKey) return { info: { fake: false, url: null, model: options.model }, client: null, child: null };
  const child = supervisor.spawn({
    name: 'fake Gemini',
    logName: 'fake-gemini',
    essential: true,
    args: tsxArgs(paths.fakeGeminiCli, ['--host', options.host, '--port', String(options.port), '--config', JSON.stringify(options.fake)]),
  });
  const url = await child.waitForLine(listeningUrl, 'listening line', options.timeoutMs);
  supervisor.markReady(child);
  return { info: { fake: true, url, model: options.model }, client: new FakeGeminiClient(url), child };
}

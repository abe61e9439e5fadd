import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configFromArgs } from './cli.js';
import { FakeGeminiClient } from './client.js';

describe('fake-gemini CLI', () => {
  it('turns flags into a validated config', () => {
    const parsed = configFromArgs(['--capacity', '3', '--overload', 'mixed', '--rpm', '60', '--api-key', 'a', '--api-key', 'b']);
    expect(parsed).toEqual({
      port: 0,
      host: '127.0.0.1',
      config: { capacity: 3, overloadResponse: 'mixed', requestsPerMinute: 60, apiKeys: ['a', 'b'] },
    });
    expect(configFromArgs(['--capacity', 'none']).config.capacity).toBeNull();
    expect(configFromArgs(['--error-rate', '0.2']).config.errorRate).toBe(0.2);
    expect(() => configFromArgs(['--error-rate', '1.5'])).toThrow();
    expect(() => configFromArgs(['--overload', '418'])).toThrow();
    expect(() => configFromArgs(['--bogus'])).toThrow();
  });

  it('runs as a process, announces its URL and stops on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli-main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', cli, '--port', '0', '--capacity', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fake-gemini exited early with ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const config = await new FakeGeminiClient(url).config();
      expect(config.capacity).toBe(1);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});

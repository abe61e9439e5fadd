import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliOptions } from './options.js';

describe('parseCliOptions', () => {
  it('combines a config file, flags and environment, flags winning over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fq-cli-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ maxConcurrentRequests: 2, maxAttempts: 7, upstream: { fallbackModel: 'm-lite' } }));
    const options = parseCliOptions(
      ['--config', file, '--concurrency', '9', '--prefix', 'tenant_a_', '--server-id', 'w-1', '--port', '9464', '--model', 'gemini-x', '--no-admit', '--no-serve-prefix'],
      { GEMINI_API_KEY: 'k', GCLOUD_PROJECT: 'demo-proj', FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080' },
    );
    if (options === 'help') throw new Error('unexpected help');
    expect(options.config).toMatchObject({
      maxConcurrentRequests: 9,
      maxAttempts: 7,
      collectionPrefix: 'tenant_a_',
      upstream: { model: 'gemini-x', fallbackModel: 'm-lite' },
    });
    expect(options).toMatchObject({ projectId: 'demo-proj', emulatorHost: '127.0.0.1:8080', serverId: 'w-1', port: 9464, admit: false, servePrefix: false, geminiApiKey: 'k' });
  });

  it('accepts inline JSON config and a fake Gemini without a key', () => {
    const options = parseCliOptions(['--config', '{"lease":{"durationMs":5000}}', '--fake-gemini-url', 'http://127.0.0.1:1234'], {});
    if (options === 'help') throw new Error('unexpected help');
    expect(options.config.lease).toMatchObject({ durationMs: 5000, heartbeatMs: 10_000 });
    expect(options.geminiApiKey).toBe('fake-gemini-key');
    expect(options.projectId).toBe('demo-firequeue');
    expect(options).toMatchObject({ graceMs: 10_000, finalWritesMs: 2_000, admit: true, servePrefix: true });
    expect(parseCliOptions(['--fake-gemini-url', 'http://127.0.0.1:1', '--grace-ms', '500', '--final-writes-ms', '250'], {})).toMatchObject({ graceMs: 500, finalWritesMs: 250 });
  });

  it('takes the HTTP port and the shutdown allowances from the environment (a container sets them), flags winning', () => {
    const fake = ['--fake-gemini-url', 'http://127.0.0.1:1'];
    const env = { PORT: '8080', FQ_GRACE_MS: '7000', FQ_FINAL_WRITES_MS: '1500' };
    expect(parseCliOptions(fake, env)).toMatchObject({ port: 8080, graceMs: 7000, finalWritesMs: 1500 });
    expect(parseCliOptions([...fake, '--port', '0', '--grace-ms', '100', '--final-writes-ms', '50'], env)).toMatchObject({ port: 0, graceMs: 100, finalWritesMs: 50 });
    expect(() => parseCliOptions(fake, { PORT: 'http' })).toThrow(/^PORT must be a non-negative integer, got "http"$/);
    expect(() => parseCliOptions(fake, { FQ_GRACE_MS: '7s' })).toThrow(/^FQ_GRACE_MS must be/);
    expect(() => parseCliOptions(fake, { PORT: '70000' })).toThrow(/port/);
  });

  it('takes alert webhooks from FQ_ALERT_WEBHOOKS (comma-separated, replacing the file list), and never echoes a bad one', () => {
    const fake = ['--fake-gemini-url', 'http://127.0.0.1:1', '--config', '{"alerts":{"webhooks":["https://file.example/x"],"reminderMs":600000}}'];
    const hooks = 'https://hooks.slack.com/services/T1/B1/s3cret, https://chat.example/hook ,';
    const options = parseCliOptions(fake, { FQ_ALERT_WEBHOOKS: hooks });
    if (options === 'help') throw new Error('unexpected help');
    expect(options.config.alerts).toMatchObject({ webhooks: ['https://hooks.slack.com/services/T1/B1/s3cret', 'https://chat.example/hook'], reminderMs: 600_000 });
    expect((parseCliOptions(fake, {}) as Exclude<typeof options, 'help'>).config.alerts.webhooks).toEqual(['https://file.example/x']);
    expect((parseCliOptions(fake, { FQ_ALERT_WEBHOOKS: '' }) as Exclude<typeof options, 'help'>).config.alerts.webhooks).toEqual([]);
    let message = '';
    try {
      parseCliOptions(fake, { FQ_ALERT_WEBHOOKS: 'ftp://files.example/s3cret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^config\.alerts\.webhooks\.0: /);
    expect(message).not.toContain('s3cret');
  });

  it('refuses bad input with a clear message', () => {
    const bad = (argv: string[], env: NodeJS.ProcessEnv = { GEMINI_API_KEY: 'k' }) => () => parseCliOptions(argv, env);
    expect(bad(['--concurrency', 'many'])).toThrow(/--concurrency must be a non-negative integer/);
    expect(bad(['--bogus'])).toThrow(CliUsageError);
    expect(bad(['--config', '{"maxAttempts": 0}'])).toThrow(/config.maxAttempts/);
    expect(bad(['--config', '/nonexistent/file.json'])).toThrow(/cannot read config file/);
    expect(bad(['--emulator-host', 'nohost'])).toThrow(/host:port/);
    expect(bad([], {})).toThrow(/no Gemini API key/);
    expect(parseCliOptions(['--help'], {})).toBe('help');
  });
});

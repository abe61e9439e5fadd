import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('cli flags', () => {
  it('parses defaults and flags', () => {
    expect(parseCli(['--port', '0', '--host', '0.0.0.0', '--project', 'demo-x'])).toEqual({
      help: false,
      options: { host: '0.0.0.0', port: 0, project: 'demo-x', logLevel: 'info', noRules: false },
    });
    expect(parseCli(['-h'])).toEqual({ help: true });
    expect(parseCli(['--rules', 'my.rules'])).toMatchObject({ options: { rules: 'my.rules', noRules: false } });
    expect(parseCli(['--config', 'firebase.json'])).toMatchObject({ options: { config: 'firebase.json' } });
    expect(parseCli(['--no-rules'])).toMatchObject({ options: { noRules: true } });
  });

  it('leaves host and port to firebase.json unless given', () => {
    const { options } = parseCli([]) as { options: { host?: string; port?: number } };
    expect(options.host).toBeUndefined();
    expect(options.port).toBeUndefined();
  });

  it('reads --import and --export-on-exit, which defaults to the --import directory', () => {
    expect(parseCli(['--import', 'data', '--export-on-exit', 'out'])).toMatchObject({ options: { importDir: 'data', exportOnExit: 'out' } });
    expect(parseCli(['--import', 'data', '--export-on-exit'])).toMatchObject({ options: { importDir: 'data', exportOnExit: 'data' } });
    expect(parseCli(['--export-on-exit', '--import', 'data'])).toMatchObject({ options: { importDir: 'data', exportOnExit: 'data' } });
    expect(parseCli(['--export-on-exit=out'])).toMatchObject({ options: { exportOnExit: 'out' } });
    expect(() => parseCli(['--export-on-exit'])).toThrow(/needs a directory when there is no --import/);
  });

  it('refuses rule sources that contradict each other', () => {
    expect(() => parseCli(['--rules', 'a.rules', '--no-rules'])).toThrow(/exclude each other/);
    expect(() => parseCli(['--rules', 'a.rules', '--config', 'firebase.json'])).toThrow(/exclude each other/);
  });

  it('rejects bad flags with a readable message', () => {
    expect(() => parseCli(['--port', 'abc'])).toThrow(/Invalid --port/);
    expect(() => parseCli(['--port', '70000'])).toThrow(/Invalid --port/);
    expect(() => parseCli(['--nope'])).toThrow(/Unknown option '--nope'/);
    expect(() => parseCli(['--log-level', 'loud'])).toThrow(/Invalid --log-level/);
  });
});

describe('cli process', () => {
  it('reports a busy port clearly and exits non-zero', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    const { code, output } = await runCli(['--port', String(port), '--log-level', 'error']);
    blocker.close();
    expect(code).toBe(1);
    expect(output).toMatch(/already in use/);
  }, 60_000);

  it('exits with status 2 and usage on bad flags', async () => {
    const { code, output } = await runCli(['--port', 'x']);
    expect(code).toBe(2);
    expect(output).toMatch(/Usage:/);
  }, 60_000);
});

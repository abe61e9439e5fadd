import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildStartError, ManagedChild } from './child.js';

const dir = mkdtempSync(join(tmpdir(), 'fq-child-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A parent that starts a grandchild (like tsx's esbuild service) and reports both pids. */
const PARENT = `
const { spawn } = require('node:child_process');
const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
console.log(JSON.stringify({ ready: true, grandchild: g.pid }));
setInterval(() => {}, 1000);
`;

function start(name: string, script: string): ManagedChild {
  return new ManagedChild({ name, command: process.execPath, args: ['-e', script], cwd: dir, env: process.env, logFile: join(dir, `${name}.log`) });
}

async function readyPids(child: ManagedChild): Promise<number> {
  const line = await child.waitForLine((l) => (l.startsWith('{') ? (JSON.parse(l) as { grandchild: number }) : undefined), 'ready line', 20_000);
  return line.grandchild;
}

describe('ManagedChild', () => {
  it('stops gracefully with the signal, then sweeps its process group (no orphans)', async () => {
    const child = start('graceful', PARENT);
    const grandchild = await readyPids(child);
    expect(isAlive(grandchild)).toBe(true);
    const exit = await child.stop('SIGTERM', 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.expectedExit).toBe(true);
    await expect.poll(() => isAlive(grandchild), { timeout: 5_000 }).toBe(false);
    const log = readFileSync(join(dir, 'graceful.log'), 'utf8');
    expect(log).toContain('got SIGTERM');
    expect(log).toContain('exited (code 0)');
  });

  it('kill() is kill -9 for the whole group', async () => {
    const child = start('killed', PARENT);
    const grandchild = await readyPids(child);
    const exit = await child.kill();
    expect(exit.signal).toBe('SIGKILL');
    await expect.poll(() => isAlive(grandchild), { timeout: 5_000 }).toBe(false);
  });

  it('escalates to SIGKILL when the child ignores the stop signal', async () => {
    const child = start('stubborn', `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`);
    await child.waitForLine((l) => l === 'up', 'up', 20_000);
    const exit = await child.stop('SIGTERM', 500);
    expect(exit.signal).toBe('SIGKILL');
  });

  it('waitForLine fails with the output tail when the child exits first, or on timeout', async () => {
    const crashing = start('crashing', `console.log('loading config'); console.error('boom: bad config'); process.exit(3);`);
    const error = await crashing.waitForLine((l) => l === 'never', 'ready line', 20_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChildStartError);
    expect((error as ChildStartError).message).toMatch(/crashing: exited \(code 3\) before ready line/);
    expect((error as ChildStartError).tail).toContain('boom: bad config');
    expect(crashing.expectedExit).toBe(false);

    const silent = start('silent', `setInterval(() => {}, 1000);`);
    await expect(silent.waitForLine((l) => l === 'never', 'ready line', 300)).rejects.toThrow(/no ready line within/);
    await silent.stop();
  });

  it('finds a line that was printed before anyone waited for it', async () => {
    const child = start('early', `console.log('port=1234'); setInterval(() => {}, 1000);`);
    await child.waitForLine((l) => l.startsWith('port='), 'port', 20_000);
    expect(await child.waitForLine((l) => /port=(\d+)/.exec(l)?.[1], 'port again', 1)).toBe('1234');
    await child.stop();
  });

  it('reports a command that cannot run as an exit', async () => {
    const child = new ManagedChild({ name: 'missing', command: join(dir, 'no-such-binary'), args: [], cwd: dir, env: process.env, logFile: join(dir, 'missing.log') });
    const exit = await child.exited;
    expect(exit.code).not.toBe(0);
    expect(child.lastOutput()).toMatch(/could not run/);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SystemEvent } from '../types.js';
import { Supervisor } from './supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'fq-supervisor-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));

const SERVICE = `process.on('SIGTERM', () => process.exit(0)); console.log('ready'); setInterval(() => {}, 1000);`;

function supervisor() {
  const events: SystemEvent[] = [];
  return { sv: new Supervisor(dir, process.env, (e) => events.push(e)), events };
}

describe('Supervisor', () => {
  it('reports the crash of a ready essential child with its last output and resolves essentialFailure', async () => {
    const { sv, events } = supervisor();
    const child = sv.spawn({ name: 'fake emulator', logName: 'crash', essential: true, args: ['-e', `console.log('ready'); setTimeout(() => { console.error('disk on fire'); process.exit(7); }, 200);`] });
    await child.waitForLine((l) => l === 'ready', 'ready', 20_000);
    sv.markReady(child);
    const failure = await sv.essentialFailure;
    expect(failure).toMatchObject({ component: 'fake emulator', essential: true, exit: { code: 7, signal: null } });
    expect(failure.message).toMatch(/fake emulator exited unexpectedly \(code 7\)/);
    expect(failure.message).toContain('disk on fire');
    expect(failure.logFile).toBe(join(dir, 'crash.log'));
    expect(events.map((e) => e.type)).toEqual(['exited', 'failure']);
    expect(sv.failures).toHaveLength(1);
  });

  it('records a non-essential crash without failing the system, and ignores exits it asked for', async () => {
    const { sv } = supervisor();
    const worker = sv.spawn({ name: 'worker w9', logName: 'w9', essential: false, args: ['-e', SERVICE] });
    const stopped = sv.spawn({ name: 'worker w8', logName: 'w8', essential: false, args: ['-e', SERVICE] });
    await Promise.all([worker, stopped].map((c) => c.waitForLine((l) => l === 'ready', 'ready', 20_000)));
    sv.markReady(worker);
    sv.markReady(stopped);
    await stopped.stop('SIGTERM');
    process.kill(worker.pid, 'SIGKILL'); // not through the supervisor: a crash
    await worker.exited;
    await expect.poll(() => sv.failures.length).toBe(1);
    expect(sv.failures[0]).toMatchObject({ component: 'worker w9', essential: false, exit: { code: null, signal: 'SIGKILL' } });
    const settled = await Promise.race([sv.essentialFailure.then(() => 'failed'), new Promise((r) => setTimeout(() => r('healthy'), 100))]);
    expect(settled).toBe('healthy');
  });

  it('leaves exits before readiness to the code that started the child, and refuses new children once closed', async () => {
    const { sv } = supervisor();
    const early = sv.spawn({ name: 'early', logName: 'early', essential: true, args: ['-e', 'process.exit(3)'] });
    await early.exited;
    await new Promise((r) => setTimeout(r, 50));
    expect(sv.failures).toEqual([]);
    sv.close();
    expect(() => sv.spawn({ name: 'late', logName: 'late', essential: true, args: ['-e', ''] })).toThrow(/the system is stopping/);
  });

  it('killAll SIGKILLs every running child synchronously', async () => {
    const { sv } = supervisor();
    const a = sv.spawn({ name: 'a', logName: 'a', essential: true, args: ['-e', SERVICE] });
    const b = sv.spawn({ name: 'b', logName: 'b', essential: false, args: ['-e', SERVICE] });
    await Promise.all([a, b].map((c) => c.waitForLine((l) => l === 'ready', 'ready', 20_000)));
    sv.killAll();
    expect((await a.exited).signal).toBe('SIGKILL');
    expect((await b.exited).signal).toBe('SIGKILL');
    expect(sv.running()).toEqual([]);
  });
});

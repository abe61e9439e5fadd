import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Firestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from './persistence/index.js';
import { ensureBuiltCli } from './testing/built-cli.js';
import { adminFirestore } from './testing/sdk-clients.js';
import type { TestTarget } from './testing/test-env.js';

/** The built CLI (bin/fq-firestore-emulator.mjs) as a child process, read line by line. */
class CliProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();

  constructor(bin: string, args: string[], cwd: string) {
    this.child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d: Buffer): void => {
      this.output += d.toString();
      for (const w of this.waiters) w();
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(this.output);
        if (!m) return;
        this.waiters.delete(check);
        resolve(m);
      };
      this.waiters.add(check);
      void this.exited.then((code) => {
        this.waiters.delete(check);
        reject(new Error(`CLI exited (${code}) before printing ${pattern}:\n${this.output}`));
      });
      check();
    });
  }

  async address(): Promise<string> {
    return (await this.waitFor(/FIRESTORE_EMULATOR_HOST=([^\s"]+)/))[1]!;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('built CLI (bin/fq-firestore-emulator.mjs)', () => {
  let bin: string;
  const work = mkdtempSync(join(tmpdir(), 'fq-cli-built-'));
  const running = new Set<CliProcess>();
  const clients = new Set<{ close(): Promise<void> }>();

  const start = (args: string[], cwd = work): CliProcess => {
    const p = new CliProcess(bin, args, cwd);
    running.add(p);
    void p.exited.then(() => running.delete(p));
    return p;
  };
  const firestore = (hostAndPort: string): Firestore => {
    const client = adminFirestore({ hostAndPort } as TestTarget, 'demo-cli-built');
    clients.add(client);
    return client.db;
  };

  beforeAll(() => {
    bin = ensureBuiltCli();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...clients].map((c) => c.close()));
    for (const p of running) p.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('answers health checks and gRPC, and exits 0 on SIGTERM', async () => {
    const cli = start(['--port', '0', '--no-rules']);
    const hostAndPort = await cli.address();
    const health = await fetch(`http://${hostAndPort}/`);
    expect(await health.text()).toBe('Ok');
    const db = firestore(hostAndPort);
    await db.doc('things/one').set({ n: 1 });
    expect((await db.doc('things/one').get()).get('n')).toBe(1);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it("listens where firebase.json's emulators.firestore says when no flag does", async () => {
    const port = await freePort();
    const project = mkdtempSync(join(work, 'project-'));
    writeFileSync(join(project, 'firebase.json'), JSON.stringify({ emulators: { firestore: { host: '127.0.0.1', port } } }));
    const cli = start(['--no-rules'], project);
    expect(await cli.address()).toBe(`127.0.0.1:${port}`);
    expect(cli.output).toMatch(/address from firebase\.json/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('keeps data between runs with --import and --export-on-exit (SIGINT and SIGTERM)', async () => {
    const data = join(work, 'data');
    mkdirSync(data); // an empty directory is as good as none for the first run
    const first = start(['--port', '0', '--no-rules', '--import', data, '--export-on-exit']);
    await first.waitFor(/nothing to import yet/);
    const db1 = firestore(await first.address());
    await db1.doc('users/alice').set({ name: 'Alice' });
    await db1.doc('users/alice/posts/p1').set({ title: 'hello' });
    const aliceTimes = await db1.doc('users/alice').get();
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output).toMatch(/"documents":2,"msg":"data exported"|data exported/);
    expect(existsSync(join(data, MANIFEST_FILE))).toBe(true);

    const second = start(['--port', '0', '--no-rules', '--import', data, '--export-on-exit', data]);
    await second.waitFor(/"documents":2[^\n]*data imported/);
    const db2 = firestore(await second.address());
    const alice = await db2.doc('users/alice').get();
    expect(alice.get('name')).toBe('Alice');
    expect(alice.createTime!.isEqual(aliceTimes.createTime!)).toBe(true);
    expect(alice.updateTime!.isEqual(aliceTimes.updateTime!)).toBe(true);
    expect((await db2.collection('users/alice/posts').get()).docs.map((d) => d.get('title'))).toEqual(['hello']);
    await db2.doc('users/bob').set({ name: 'Bob' });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const third = start(['--port', '0', '--no-rules', '--import', data]);
    await third.waitFor(/"documents":3[^\n]*data imported/);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });

  it('refuses a missing --import directory with a plain message and status 1', async () => {
    const cli = start(['--port', '0', '--no-rules', '--import', join(work, 'nothing-here')]);
    expect(await cli.exited).toBe(1);
    expect(cli.output).toMatch(/Import directory .*nothing-here does not exist/);
  });
});

/**
 * `npm start` stops everything on SIGINT sent from a script, like on Ctrl-C or SIGTERM.
 * It used to ignore a script's SIGINT to npm: npm forwards it to its child, which was the
 * shell running `node scripts/start.mjs`, and a shell waiting for its child does not pass
 * SIGINT on (a terminal's Ctrl-C reaches the whole process group, a script's kill does not).
 * Each case boots the real system with one worker and no traffic, waits for its JSON line,
 * sends the signal to npm (the process a script knows), and checks that it exits and that
 * every process it started is gone. SIGINT sent to node itself is what npm now forwards, so
 * the npm case covers it (a third boot cost CI 20 s for nothing new). Linux only:
 * descendants are read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

const SMALL = ['--workers', '1', '--traffic', '0', '--firestore-port', '0', '--auth-port', '0', '--dashboard-port', '0', '--json'];
const BOOT_MS = 180_000;
/** A clean stop takes a few seconds (workers finish or release their jobs first). */
const STOP_MS = 60_000;

interface Proc {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: tells a process from a later one with its pid. */
  start: string;
  state: string;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return null;
  }
}

/** Every process below `root` (children, grandchildren, ...). */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null);
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/** Still running: the same process (same start time) and not a zombie waiting to be reaped. */
function running(p: Proc): boolean {
  const now = readProc(p.pid);
  return now !== null && now.start === p.start && now.state !== 'Z';
}

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  // Whatever failed above, leave nothing running.
  for (const child of started.splice(0)) {
    if (child.pid === undefined) continue;
    for (const pid of [...descendants(child.pid).map((p) => p.pid), child.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts the system and resolves once it printed its JSON description (it is up). */
function startSystemProcess(command: string, args: string[]): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const logDir = mkdtempSync(join(tmpdir(), 'fq-start-signals-'));
  dirs.push(logDir);
  const child = spawn(command, [...args, '--log-dir', logDir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up within ${BOOT_MS / 1000} s:\n${out.slice(-4_000)}`)), BOOT_MS);
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-50_000);
      if (/^\{"projectId":/m.test(out)) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before it was up:\n${out.slice(-4_000)}`));
    });
  });
}

async function expectStopsEverything(command: string, args: string[], signal: NodeJS.Signals): Promise<void> {
  const { child, exited } = await startSystemProcess(command, args);
  const tree = descendants(child.pid!);
  // The emulator, the fake Gemini, the worker, the dashboard: all below the process we signal.
  expect(tree.length).toBeGreaterThanOrEqual(4);
  child.kill(signal);
  const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), STOP_MS).unref())]);
  expect(code, `${signal} to ${command}: the exit code, or still running ${STOP_MS / 1000} s later`).toBe(0);
  expect(tree.filter(running).map((p) => p.pid)).toEqual([]);
}

describe.runIf(process.platform === 'linux' && existsSync('/proc/self/stat'))('npm start stops on a signal from a script', () => {
  it('SIGINT to npm running `npm start` (forwarded to the orchestrator, no shell in between)', () =>
    expectStopsEverything('npm', ['start', '--', ...SMALL], 'SIGINT'), BOOT_MS + STOP_MS + 10_000);

  it('SIGTERM to npm running `npm start`', () => expectStopsEverything('npm', ['start', '--', ...SMALL], 'SIGTERM'), BOOT_MS + STOP_MS + 10_000);
});

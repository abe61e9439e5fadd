import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerConfigInput } from '../schema/config.js';
import { ensureBuiltWorker } from './built-worker.js';
import { waitFor } from './wait.js';

/** The worker package root (the child's working directory). */
const WORKER_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

export interface WorkerProcess {
  serverId: string;
  child: ChildProcess;
  pid: number;
  logs: LogLine[];
  httpPort: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  stderr(): string;
}

export interface SpawnWorkerOptions {
  serverId: string;
  prefix: string;
  projectId: string;
  emulatorHost: string;
  fakeGeminiUrl: string;
  config?: WorkerConfigInput;
  concurrency?: number;
  graceMs?: number;
  /** Must keep `info` lines: readiness is detected from the startup log. */
  logLevel?: 'info' | 'debug' | 'trace';
  /** More CLI flags (e.g. `--final-writes-ms`). */
  extraArgs?: readonly string[];
  /** Resolve once the HTTP server listens instead of waiting for "worker ready" (a worker
   * whose Firestore is unreachable never gets ready). Default true. */
  waitReady?: boolean;
}

/**
 * Starts a real worker process as production runs it (`node worker/bin/fq-worker.mjs`, the
 * built CLI, built first when stale; no loader: one process, so SIGKILL/SIGSTOP hit the
 * worker itself, not a wrapper) and resolves once it logged ready.
 */
export async function spawnWorker(options: SpawnWorkerOptions): Promise<WorkerProcess> {
  const bin = ensureBuiltWorker();
  const args = [
    // e.g. FQ_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" to profile the workers of a bench.
    ...(process.env.FQ_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    bin,
    '--server-id',
    options.serverId,
    '--prefix',
    options.prefix,
    '--project',
    options.projectId,
    '--emulator-host',
    options.emulatorHost,
    '--fake-gemini-url',
    options.fakeGeminiUrl,
    '--port',
    '0',
    '--log-level',
    options.logLevel ?? 'info',
    ...(options.concurrency ? ['--concurrency', String(options.concurrency)] : []),
    ...(options.graceMs !== undefined ? ['--grace-ms', String(options.graceMs)] : []),
    ...(options.config ? ['--config', JSON.stringify(options.config)] : []),
    ...(options.extraArgs ?? []),
  ];
  const env = { ...process.env };
  delete env.FIRESTORE_EMULATOR_HOST; // the explicit flag names the emulator of this test
  // The port (--port 0 above) and the shutdown allowances are the test's; a container's
  // variables in the caller's shell must not change them.
  for (const name of ['PORT', 'FQ_GRACE_MS', 'FQ_FINAL_WRITES_MS']) delete env[name];
  const child = spawn(process.execPath, args, { cwd: WORKER_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const waitForLog = (predicate: (line: LogLine) => boolean, what: string, timeoutMs = 60_000) =>
    waitFor(
      () => {
        if (!running && !logs.some(predicate)) throw new Error(`worker ${options.serverId} exited: ${stderr.slice(-2000)}`);
        return logs.find(predicate);
      },
      { timeoutMs, what: `${options.serverId}: ${what}` },
    );
  const proc: WorkerProcess = {
    serverId: options.serverId,
    child,
    pid: child.pid!,
    logs,
    httpPort: 0,
    exited,
    isRunning: () => running,
    waitForLog,
    async stop(timeoutMs = 30_000) {
      if (!running) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    stderr: () => stderr,
  };
  const http = await waitForLog((l) => l.msg === 'http listening', 'http listening', 120_000);
  proc.httpPort = Number(http.port);
  if (options.waitReady !== false) await waitForLog((l) => l.msg === 'worker ready', 'worker ready', 120_000);
  return proc;
}

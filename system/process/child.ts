import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export interface ChildOptions {
  /** Human name in errors and events ("firestore emulator", "worker w2"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Every line the child writes (stdout and stderr) is appended here. */
  logFile: string;
  /** Written to the child's stdin, which is then closed (secrets stay out of argv). */
  stdin?: string;
}

/** The child ended before it was ready, or did not get ready in time. */
export class ChildStartError extends Error {
  override readonly name = 'ChildStartError';
  constructor(
    readonly child: string,
    message: string,
    readonly tail: string,
    readonly logFile: string,
  ) {
    super(`${child}: ${message}\n--- last output (full log: ${logFile}) ---\n${tail}`);
  }
}

const TAIL_LINES = 60;

/**
 * One child process of the orchestrator. It runs in its own process group (`detached`), so
 * a stop reaches helpers it spawned itself (tsx's esbuild service, firebase-tools' emulator
 * hub) and a terminal's Ctrl-C reaches only the orchestrator, which then stops children in
 * order instead of all at once.
 */
export class ManagedChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private readonly tail: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly log: WriteStream;
  private partial = { out: '', err: '' };
  /** Set once the orchestrator asked this child to end: its exit is then expected. */
  private stopRequested = false;

  constructor(readonly options: ChildOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    this.log.on('error', () => undefined); // a full disk must not crash the orchestrator
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    this.process = child;
    if (child.pid === undefined) {
      // spawn failures (ENOENT) are reported through 'error'; keep a pid-less placeholder.
      this.pid = -1;
    } else this.pid = child.pid;
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onData('out', chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.onData('err', chunk));
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('error', (error) => {
        this.onLine(`[orchestrator] could not run ${options.command}: ${error.message}`);
        if (child.pid === undefined) this.finish({ code: 127, signal: null }, resolve);
      });
      child.once('exit', (code, signal) => this.finish({ code, signal }, resolve));
    });
  }

  private finish(info: ExitInfo, resolve: (info: ExitInfo) => void): void {
    if (this.exitInfo) return;
    for (const stream of ['out', 'err'] as const) {
      if (this.partial[stream]) this.onLine(this.partial[stream]);
      this.partial[stream] = '';
    }
    this.exitInfo = info;
    this.log.end(`[orchestrator] ${this.options.name} exited (${describeExit(info)})\n`);
    resolve(info);
  }

  private onData(stream: 'out' | 'err', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: string): void {
    this.log.write(`${line}\n`);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    for (const listener of this.listeners) listener(line);
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  /** True when the child ended (or is ending) because the orchestrator asked it to. */
  get expectedExit(): boolean {
    return this.stopRequested;
  }

  /** The child is a task that ends by itself: its exit is not a crash. */
  expectEnd(): void {
    this.stopRequested = true;
  }

  lastOutput(lines = 25): string {
    return this.tail.slice(-lines).join('\n');
  }

  onOutput(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first line (past or future) for which `match` returns a value; rejects
   * with a ChildStartError carrying the output tail when the child exits first or the time
   * runs out.
   */
  waitForLine<T>(match: (line: string) => T | undefined | null | false, what: string, timeoutMs: number): Promise<T> {
    for (const line of this.tail) {
      const found = match(line);
      if (found) return Promise.resolve(found);
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        cleanup();
        reject(new ChildStartError(this.options.name, message, this.lastOutput(), this.options.logFile));
      };
      const timer = setTimeout(() => fail(`no ${what} within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
      const off = this.onOutput((line) => {
        if (settled) return;
        const found = match(line);
        if (!found) return;
        cleanup();
        resolve(found);
      });
      const onExit = (info: ExitInfo) => fail(`exited (${describeExit(info)}) before ${what}`);
      void this.exited.then(onExit);
      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        off();
      };
    });
  }

  /** Sends `signal` to the child's whole process group (falls back to the child alone). */
  signal(signal: NodeJS.Signals, group = true): void {
    if (!this.running || this.pid <= 0) return;
    if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') this.stopRequested = true;
    try {
      process.kill(group ? -this.pid : this.pid, signal);
    } catch {
      try {
        this.process.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  /**
   * Asks the child to end with `signal` (sent to the child itself, so it can shut down in
   * order), waits up to `timeoutMs`, then kills the whole group; finally sweeps the group
   * for helpers the child left behind. Resolves with the exit.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<ExitInfo> {
    this.stopRequested = true;
    if (this.running) {
      // A stopped (SIGSTOP) child cannot handle the signal until it runs again.
      this.signal('SIGCONT', true);
      this.signal(signal, false);
      const timer = setTimeout(() => this.signal('SIGKILL', true), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.sweepGroup();
    return this.exitInfo ?? (await this.exited);
  }

  /** SIGKILL to the whole group now (kill -9), then waits for the exit. */
  async kill(): Promise<ExitInfo> {
    this.stopRequested = true;
    this.signal('SIGKILL', true);
    const info = await this.exited;
    this.sweepGroup();
    return info;
  }

  private sweepGroup(): void {
    if (this.pid <= 0) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is empty, as it should be
    }
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${info.code ?? '?'}`;
}

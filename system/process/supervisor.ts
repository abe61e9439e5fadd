import { join } from 'node:path';
import type { SystemEvent, SystemFailure } from '../types.js';
import { ManagedChild, describeExit } from './child.js';
import { REPO_ROOT } from '../paths.js';

export interface SpawnOptions {
  name: string;
  /** File name (without .log) in the log directory. */
  logName: string;
  command?: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Its unexpected exit breaks the system (emulators, fake Gemini, dashboard). */
  essential: boolean;
}

/**
 * Owns every child process of one system: spawns them with a log file each, notices exits
 * the orchestrator did not ask for once a child was ready, and reports them as failures
 * (essential ones also resolve `essentialFailure`, which `npm start` turns into a clean
 * shutdown). Exits during start-up are the starting code's to report.
 */
export class Supervisor {
  readonly failures: SystemFailure[] = [];
  readonly essentialFailure: Promise<SystemFailure>;
  private resolveEssential!: (failure: SystemFailure) => void;
  private readonly live = new Set<ManagedChild>();
  private readonly ready = new WeakSet<ManagedChild>();
  private readonly essential = new WeakMap<ManagedChild, boolean>();
  private closed = false;

  constructor(
    readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly emit: (event: SystemEvent) => void,
  ) {
    this.essentialFailure = new Promise((resolve) => (this.resolveEssential = resolve));
  }

  spawn(options: SpawnOptions): ManagedChild {
    if (this.closed) throw new Error(`not starting ${options.name}: the system is stopping`);
    const logFile = join(this.logDir, `${options.logName}.log`);
    const child = new ManagedChild({
      name: options.name,
      command: options.command ?? process.execPath,
      args: options.args,
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? this.env,
      logFile,
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    });
    this.live.add(child);
    this.essential.set(child, options.essential);
    void child.exited.then((exit) => {
      this.live.delete(child);
      const expected = child.expectedExit;
      this.emit({ type: 'exited', component: options.name, exit, expected });
      // Before it was ready, the code starting it reports the problem (and may retry).
      if (expected || !this.ready.has(child)) return;
      this.fail({
        component: options.name,
        essential: options.essential,
        message: `${options.name} exited unexpectedly (${describeExit(exit)}). Last output:\n${child.lastOutput()}`,
        exit,
        logFile,
      });
    });
    return child;
  }

  /** From now on an unexpected exit of `child` is a failure of the system. */
  markReady(child: ManagedChild): void {
    if (child.running) this.ready.add(child);
    else
      this.fail({
        component: child.options.name,
        essential: this.essential.get(child) ?? true,
        message: `${child.options.name} exited right after start-up. Last output:\n${child.lastOutput()}`,
        exit: child.exit,
        logFile: child.options.logFile,
      });
  }

  fail(failure: Omit<SystemFailure, 'at'>): void {
    const full = { ...failure, at: Date.now() };
    this.failures.push(full);
    this.emit({ type: 'failure', failure: full });
    if (full.essential) this.resolveEssential(full);
  }

  /** The environment children get by default (a copy: callers may change it). */
  childEnv(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  /** Children still running (for the final sweep). */
  running(): ManagedChild[] {
    return [...this.live];
  }

  /** No new children from now on (the system is stopping). */
  close(): void {
    this.closed = true;
  }

  /**
   * SIGKILL to every child's process group, synchronously: for a process that is about to
   * exit anyway (a second Ctrl-C, an uncaught error), so no child outlives it.
   */
  killAll(): void {
    this.closed = true;
    for (const child of this.live) child.signal('SIGKILL', true);
  }
}

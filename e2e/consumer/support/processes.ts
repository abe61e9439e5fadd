import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ManagedChild } from '../../../system/process/child.js';

/** A one-shot command of the scratch project failed: which step, which command, its output. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    readonly step: string,
    readonly command: string,
    readonly output: string,
  ) {
    super(`${step}: \`${command}\` failed\n--- last output ---\n${output}`);
  }
}

/** Runs `node <script> ...args` in `cwd` to the end; resolves with its output, throws ToolError with its tail. */
export function runNode(step: string, script: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const command = `node ${script} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => reject(new ToolError(step, command, error.message)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new ToolError(step, command, `${output}\n(exit ${code ?? signal})`));
    });
  });
}

/**
 * The scratch project's long-running processes (emulators, fake Gemini, worker, preview
 * server), each logging to `<logDir>/<logName>.log`; `stopAll` ends them newest first.
 */
export class ProcessGroup {
  private readonly children: ManagedChild[] = [];

  constructor(
    private readonly cwd: string,
    private readonly logDir: string,
  ) {}

  start(name: string, logName: string, args: readonly string[], env: NodeJS.ProcessEnv): ManagedChild {
    const child = new ManagedChild({ name, command: process.execPath, args, cwd: this.cwd, env, logFile: join(this.logDir, `${logName}.log`) });
    this.children.push(child);
    return child;
  }

  /** Stops each child with its signal (SIGTERM unless given), newest first; returns how each ended. */
  async stopAll(signals: Record<string, NodeJS.Signals> = {}): Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }[]> {
    const ended = [];
    for (const child of [...this.children].reverse()) {
      const exit = await child.stop(signals[child.options.name] ?? 'SIGTERM', 20_000);
      ended.push({ name: child.options.name, ...exit });
    }
    return ended;
  }
}

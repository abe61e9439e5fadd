import { spawn } from 'node:child_process';

/** A package's build script failed: its output says why. */
export class PackageBuildError extends Error {
  override readonly name = 'PackageBuildError';
  constructor(
    readonly what: string,
    readonly command: string,
    readonly exit: string,
    readonly output: string,
  ) {
    super(`building ${what} (${command}) failed (${exit}):\n${output.trim().slice(-2000)}`);
  }
}

/**
 * Runs a workspace package's build script with `--if-stale` (it builds only when dist/ is
 * missing or older than the sources: a few seconds; a few milliseconds when fresh), so the
 * system runs the built output of the code in this checkout.
 */
export function ensurePackageBuilt(what: string, script: string, args: readonly string[], timeoutMs: number): Promise<void> {
  const command = `node ${[script, '--if-stale', ...args].join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--if-stale', ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new PackageBuildError(what, command, err.message, output)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new PackageBuildError(what, command, signal ? `signal ${signal}` : `exit ${code}`, output))));
  });
}

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
/** The `fq-worker` bin: runs the built CLI (dist/cli.js) with plain `node`, no loader. */
export const WORKER_BIN = join(packageDir, 'bin', 'fq-worker.mjs');

let built = false;

/**
 * Builds dist/ when it is missing or older than the sources (`scripts/build.mjs --if-stale`:
 * a second or two, a few milliseconds when fresh), once per process, so process tests run
 * the CLI of the code they test and `npm ci && npm test` starts without dist/.
 */
export function ensureBuiltWorker(): string {
  if (!built) {
    execFileSync(process.execPath, [join(packageDir, 'scripts', 'build.mjs'), '--if-stale'], { cwd: packageDir, stdio: 'pipe', timeout: 120_000 });
    built = true;
  }
  return WORKER_BIN;
}

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI's entry (what the `fq-firestore-emulator` bin runs). */
export const BUILT_CLI = join(packageDir, 'bin', 'fq-firestore-emulator.mjs');

/**
 * Builds dist/ (`scripts/build.mjs --if-stale`: a second or two, nothing when it is newer
 * than every source file), so tests run the CLI of the code they test; `npm ci && npm test`
 * starts without dist/.
 */
export function ensureBuiltCli(): string {
  execFileSync(process.execPath, [join(packageDir, 'scripts', 'build.mjs'), '--if-stale'], { cwd: packageDir, stdio: 'pipe', timeout: 120_000 });
  return BUILT_CLI;
}

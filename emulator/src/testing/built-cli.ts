import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI's entry (what the `fq-firestore-emulator` bin runs). */
export const BUILT_CLI = join(packageDir, 'bin', 'fq-firestore-emulator.mjs');
const bundle = join(packageDir, 'dist', 'cli.cjs');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ (scripts/build.mjs, about a second) unless it is newer than every source
 * file, so tests run the CLI of the code they test; `npm ci && npm test` starts without dist/.
 */
export function ensureBuiltCli(): string {
  const inputs = Math.max(newestSourceMtime(join(packageDir, 'src')), statSync(join(packageDir, 'scripts', 'build.mjs')).mtimeMs);
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < inputs) {
    execFileSync(process.execPath, [join(packageDir, 'scripts', 'build.mjs')], { cwd: packageDir, stdio: 'pipe', timeout: 120_000 });
  }
  return BUILT_CLI;
}

#!/usr/bin/env node
// Builds the workspace packages, in dependency order, each only when its output is older than
// its sources (each package's own `scripts/build.mjs --if-stale`: a few milliseconds when fresh).
// The console's production build (`vite build`) resolves @fq/worker and @fq/client to their
// built dist/ like any app that installs them (the "development" condition, which points at the
// sources, is for vitest, tsc, tsx and Vite's dev server), so it needs them built first.
//   node scripts/build-packages.mjs                 the JavaScript of every package
//   node scripts/build-packages.mjs --types         and their declarations (slow: tsc)
//   node scripts/build-packages.mjs --for-console   only what the console imports (worker, client)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
// Dependency order: the fake Gemini and the client bundle parts of the worker's sources.
const PACKAGES = [
  { dir: 'worker', console: true, flags: ['--if-stale'] },
  { dir: 'client', console: true, flags: ['--if-stale'], jsOnly: ['--js-only'] },
  { dir: 'fake-gemini', console: false, flags: ['--if-stale'] },
  { dir: 'emulator', console: false, flags: ['--if-stale', '--lib'] },
];

for (const pkg of PACKAGES) {
  if (args.has('--for-console') && !pkg.console) continue;
  // The client's build always writes its declarations unless told --js-only; the others only with --types.
  const flags = [...pkg.flags, ...(args.has('--types') ? (pkg.jsOnly ? [] : ['--types']) : (pkg.jsOnly ?? []))];
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(root, pkg.dir, 'scripts', 'build.mjs'), ...flags], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`building ${pkg.dir}/ failed (node ${pkg.dir}/scripts/build.mjs ${flags.join(' ')}; exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
  const ms = Date.now() - started;
  if (ms > 500) console.log(`built ${pkg.dir}/ in ${(ms / 1000).toFixed(1)} s`);
}

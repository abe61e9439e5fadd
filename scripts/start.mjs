#!/usr/bin/env node
// `npm start`: checks the machine is ready, then runs the orchestrator (system/cli.ts) in
// this same process through tsx's loader, so Ctrl-C reaches it directly and no wrapper
// process is left between the terminal and the system. package.json runs this file with
// `exec`, so no shell sits between npm and us either: the SIGINT npm forwards to its child
// arrives here (see system/cli/signals.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureSetup } from './fresh-clone-setup.mjs';

const root = join(import.meta.dirname, '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Firequeue needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}
// A fresh clone installs its packages from the lockfile first (npm ci) and goes on; nothing
// of npm is imported before this. The system runs no browser, so Chromium is not asked for.
if (!ensureSetup(root, { chromium: false })) process.exit(1);
for (const dep of ['tsx', 'vite', 'firebase-tools', 'firebase-admin']) {
  if (!existsSync(join(root, 'node_modules', dep, 'package.json'))) {
    console.error(`Missing dependency "${dep}" after the install: run \`npm ci\` in ${root} and read what it says.`);
    process.exit(1);
  }
}
// The emulator's built CLI and library (emulator/dist/), built when missing or older than
// the sources: the system runs that CLI, and this process imports '@fq/emulator' as the
// built library (Node without the "development" condition), instead of compiling its
// sources through tsx.
const build = spawnSync(process.execPath, [join(root, 'emulator', 'scripts', 'build.mjs'), '--if-stale', '--lib'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('Building the Firestore emulator failed (node emulator/scripts/build.mjs --lib); see above.');
  process.exit(1);
}
// Likewise the fake Gemini's library (the system imports '@fq/fake-gemini') and bin.
const fakeBuild = spawnSync(process.execPath, [join(root, 'fake-gemini', 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (fakeBuild.status !== 0) {
  console.error('Building the fake Gemini failed (node fake-gemini/scripts/build.mjs); see above.');
  process.exit(1);
}
// Likewise the worker: the system imports '@fq/worker' and runs its bin (worker/dist/).
const workerBuild = spawnSync(process.execPath, [join(root, 'worker', 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (workerBuild.status !== 0) {
  console.error('Building the worker failed (node worker/scripts/build.mjs); see above.');
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(join(root, 'system', 'cli.ts')).href);

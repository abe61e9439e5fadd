#!/usr/bin/env node
// Runs every check in order (typecheck with lint beside it, import cycles, bundle budget, emulator build, the
// packed packages, vitest across all workspaces, Playwright e2e, the consumer test), keeps
// going after a failure so one run shows everything that is wrong,
// and ends with ONE aggregated line `N passed, N failed[, N skipped]`. Exit code is non-zero
// when anything failed, including a runner that crashed before reporting any test.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSetup } from './fresh-clone-setup.mjs';

const root = join(import.meta.dirname, '..');
// A fresh clone installs what it lacks first (npm ci, Chromium for e2e) and goes on; after
// `.ci/run`'s own npm ci this finds nothing to do.
if (!ensureSetup(root, { chromium: true })) process.exit(1);
const reportDir = join(root, 'test-results', 'aggregate');
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(127));
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function record(name, code) {
  if (code === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(name);
  }
}

async function check(name, cmd, args) {
  console.log(`\n=== ${name} ===`);
  record(name, await run(cmd, args));
}

/** A check run beside others: its output is held and printed whole when it ends. */
function checkBeside(name, cmd, args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    const done = (code) => {
      console.log(`\n=== ${name} (beside the others, ${((Date.now() - started) / 1000).toFixed(0)} s) ===`);
      process.stdout.write(Buffer.concat(out));
      record(name, code);
      resolve();
    };
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
    child.on('error', () => done(127));
  });
}

async function vitest() {
  console.log('\n=== vitest (all workspaces) ===');
  const out = join(reportDir, 'vitest.json');
  const code = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  const report = readJson(out);
  if (!report) {
    totals.failed += 1;
    failures.push('vitest (no report)');
    return;
  }
  totals.passed += report.numPassedTests ?? 0;
  totals.failed += report.numFailedTests ?? 0;
  totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A test file that fails to load has no failed tests but is a failure all the same.
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).every((a) => a.status !== 'failed'),
  );
  totals.failed += brokenFiles.length;
  if ((report.numFailedTests ?? 0) > 0 || brokenFiles.length > 0) failures.push('vitest');
  else if (code !== 0) {
    totals.failed += 1;
    failures.push(`vitest exited ${code}`);
  }
}

/** One Playwright run (`args` picks its config) whose JSON reporter writes `out`. */
async function playwright(name, args, out) {
  console.log(`\n=== ${name} ===`);
  if (existsSync(out)) rmSync(out);
  const code = await run('npx', ['playwright', 'test', ...args]);
  const report = readJson(out);
  if (!report) {
    totals.failed += 1;
    failures.push(`${name} (no report)`);
    return;
  }
  const s = report.stats ?? {};
  totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  totals.failed += s.unexpected ?? 0;
  totals.skipped += s.skipped ?? 0;
  const globalErrors = (report.errors ?? []).length;
  totals.failed += globalErrors;
  if ((s.unexpected ?? 0) > 0 || globalErrors > 0) failures.push(name);
  else if (code !== 0) {
    totals.failed += 1;
    failures.push(`${name} exited ${code}`);
  }
}

const started = Date.now();
// Type-aware lint takes about 85 s on one core; the other checks take about as long on the
// other, so lint runs beside them (its output printed whole when it ends).
const lint = checkBeside('lint', 'npx', ['eslint', '.', '--max-warnings', '0']);
await check('typecheck', 'npx', ['tsc', '-b']);
await check('import cycles', 'node', ['scripts/check-cycles.mjs']);
await check('console bundle budget', 'node', ['scripts/check-bundle.mjs']);
// The emulator package's dist/ (CLI, library, declarations): Playwright specs and the
// system load it; vitest and the type checker read the sources ("development" condition).
await check('emulator build', 'npm', ['run', 'build', '-w', '@fq/emulator']);
// Every package packed as it would be published (its prepack builds dist/ when stale) and
// checked: publint, @arethetypeswrong/cli, and what the tarball's files import.
await check('packages (pack, publint, attw)', 'node', ['scripts/check-packages.mjs']);
await lint;
await vitest();
await playwright('playwright e2e', [], join(root, 'test-results', 'e2e-report.json'));
// Issue 16's consumer test: the tarballs installed into a scratch Vite + React app outside
// the workspace, one job from the browser hook to a transcript (its own config, no system).
await playwright('consumer test', ['-c', 'e2e/consumer/playwright.config.ts'], join(root, 'e2e', 'artifacts', 'consumer', 'report.json'));

const minutes = ((Date.now() - started) / 60000).toFixed(1);
if (failures.length) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n(total time ${minutes} min)`);
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed > 0 ? 1 : 0);

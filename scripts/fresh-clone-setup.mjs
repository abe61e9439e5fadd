// What a clone lacks before `npm start` or `npm test` can run, and getting it: the npm
// packages from the lockfile, and Chromium for the browser tests. Node built-ins only, since
// this runs before any package is installed. `decideSetup` is the pure decision (tested in
// system/fresh-clone-setup.test.ts); `ensureSetup` gathers the facts and acts on it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where the e2e support looks for Chromium when CHROMIUM_PATH is not set (e2e/support/browser.ts). */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_HELP =
  'install it with `sudo apt-get install chromium` (Debian/Ubuntu), or `npx playwright install chromium`, ' +
  'or set CHROMIUM_PATH to a Chromium or Chrome binary';

/**
 * @param {import('./fresh-clone-setup.d.mts').SetupFacts} facts
 * @returns {import('./fresh-clone-setup.d.mts').SetupPlan}
 */
export function decideSetup(facts) {
  /** @type {import('./fresh-clone-setup.d.mts').SetupStep[]} */
  const steps = [];
  /** @type {string[]} */
  const notes = [];
  if (!facts.lockfile) {
    return { steps, notes, fatal: 'package-lock.json is missing: this clone cannot install its packages reproducibly (git checkout package-lock.json).' };
  }
  // npm writes node_modules/.package-lock.json at the end of every install; an install older
  // than the lockfile (a pull, a checkout, an edit) may lack or mismatch packages.
  if (!facts.nodeModules) steps.push({ kind: 'npm-ci', why: 'node_modules is missing' });
  else if (!facts.installedLockfile) steps.push({ kind: 'npm-ci', why: 'node_modules was not installed by npm from the lockfile' });
  else if (facts.installedLockfile.mtimeMs < facts.lockfile.mtimeMs) steps.push({ kind: 'npm-ci', why: 'package-lock.json changed since the last install' });

  const c = facts.chromium;
  if (c) {
    if (c.envPath !== null) {
      // An explicit choice is respected: never installed over, only checked.
      if (!c.envPathExists) notes.push(`CHROMIUM_PATH=${c.envPath} does not exist, so the browser tests will fail: fix it, or unset it and ${CHROMIUM_HELP}.`);
    } else if (c.system || c.playwright) {
      // Found where the e2e support looks.
    } else if (c.onPath !== null) {
      steps.push({ kind: 'use-chromium', path: c.onPath });
    } else if (facts.isRoot && facts.hasApt) {
      steps.push({ kind: 'apt-chromium' });
    } else {
      notes.push(`Chromium is missing, so the browser tests will fail: ${CHROMIUM_HELP}. The other checks run now.`);
    }
  }
  return { steps, notes, fatal: null };
}

function mtime(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? { mtimeMs: s.mtimeMs } : null;
}

function onPath(names, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function playwrightChromium(env) {
  const dir = env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), process.platform === 'darwin' ? 'Library/Caches/ms-playwright' : '.cache/ms-playwright');
  try {
    return readdirSync(dir).some((name) => name.startsWith('chromium'));
  } catch {
    return false;
  }
}

/**
 * @param {string} root
 * @param {{ chromium: boolean, env?: NodeJS.ProcessEnv }} needs
 * @returns {import('./fresh-clone-setup.d.mts').SetupFacts}
 */
export function gatherFacts(root, needs) {
  const env = needs.env ?? process.env;
  const envPath = env.CHROMIUM_PATH ? env.CHROMIUM_PATH : null;
  return {
    lockfile: mtime(join(root, 'package-lock.json')),
    nodeModules: existsSync(join(root, 'node_modules')),
    installedLockfile: mtime(join(root, 'node_modules', '.package-lock.json')),
    chromium: needs.chromium
      ? {
          envPath,
          envPathExists: envPath !== null && existsSync(envPath),
          system: existsSync(SYSTEM_CHROMIUM),
          playwright: playwrightChromium(env),
          onPath: onPath(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'], env),
        }
      : null,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: onPath(['apt-get'], env) !== null,
  };
}

const say = (line) => console.log(`[setup] ${line}`);

function run(cmd, args, root, extraEnv = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv }, shell: process.platform === 'win32' });
  return { ok: r.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

/**
 * Installs what the clone lacks and says what it could not; returns false only when nothing
 * can go on (no lockfile, `npm ci` failed). A missing Chromium is a note: the rest runs.
 * @param {string} root
 * @param {{ chromium: boolean }} needs
 */
export function ensureSetup(root, needs) {
  const plan = decideSetup(gatherFacts(root, needs));
  if (plan.fatal) {
    console.error(plan.fatal);
    return false;
  }
  for (const step of plan.steps) {
    if (step.kind === 'npm-ci') {
      say(`${step.why}: installing the packages from package-lock.json (npm ci)…`);
      const r = run('npm', ['ci', '--no-audit', '--no-fund'], root);
      if (!r.ok) {
        console.error(`npm ci failed (see above); fix that and run it again in ${root}.`);
        return false;
      }
      say(`npm ci done in ${r.seconds} s`);
    } else if (step.kind === 'apt-chromium') {
      say('Chromium is missing and this is root: installing it (apt-get install chromium)…');
      run('apt-get', ['update', '-y', '-qq'], root, { DEBIAN_FRONTEND: 'noninteractive' });
      const r = run('apt-get', ['install', '-y', '-qq', 'chromium'], root, { DEBIAN_FRONTEND: 'noninteractive' });
      if (r.ok) say(`Chromium installed in ${r.seconds} s`);
      else plan.notes.push(`Installing Chromium failed (see above), so the browser tests will fail: ${CHROMIUM_HELP}.`);
    } else if (step.kind === 'use-chromium') {
      // Found, but not where the e2e support looks: tell it, for the processes started from here.
      process.env.CHROMIUM_PATH = step.path;
      say(`using Chromium at ${step.path} (CHROMIUM_PATH)`);
    }
  }
  for (const note of plan.notes) console.error(`[setup] ${note}`);
  return true;
}

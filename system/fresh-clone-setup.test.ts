import { describe, expect, it } from 'vitest';
import { decideSetup, type SetupFacts } from '../scripts/fresh-clone-setup.mjs';

/** A clone that is ready: installed after its lockfile, Chromium where the e2e support looks. */
function ready(patch: Partial<SetupFacts> = {}, chromium: Partial<NonNullable<SetupFacts['chromium']>> = {}): SetupFacts {
  return {
    lockfile: { mtimeMs: 1_000 },
    nodeModules: true,
    installedLockfile: { mtimeMs: 2_000 },
    chromium: { envPath: null, envPathExists: false, system: true, playwright: false, onPath: '/usr/bin/chromium', ...chromium },
    isRoot: false,
    hasApt: true,
    ...patch,
  };
}

const kinds = (facts: SetupFacts) => decideSetup(facts).steps.map((s) => s.kind);

describe('fresh-clone setup decision (npm start / npm test)', () => {
  it('does nothing on a ready clone, such as right after .ci/run installed it', () => {
    expect(decideSetup(ready())).toEqual({ steps: [], notes: [], fatal: null });
  });

  it('runs npm ci when node_modules is missing, was not installed by npm, or is older than the lockfile', () => {
    expect(decideSetup(ready({ nodeModules: false, installedLockfile: null })).steps).toEqual([{ kind: 'npm-ci', why: 'node_modules is missing' }]);
    expect(kinds(ready({ installedLockfile: null }))).toEqual(['npm-ci']);
    expect(decideSetup(ready({ installedLockfile: { mtimeMs: 999 } })).steps).toEqual([{ kind: 'npm-ci', why: 'package-lock.json changed since the last install' }]);
    // Written in the same install (equal times on a coarse file system) is current.
    expect(kinds(ready({ installedLockfile: { mtimeMs: 1_000 } }))).toEqual([]);
  });

  it('stops with one message when the lockfile itself is missing', () => {
    const plan = decideSetup(ready({ lockfile: null, nodeModules: false, installedLockfile: null }));
    expect(plan.steps).toEqual([]);
    expect(plan.fatal).toMatch(/package-lock\.json is missing/);
  });

  it('installs Chromium through apt only as root with apt-get, when it is nowhere', () => {
    const nowhere = { system: false, playwright: false, onPath: null };
    expect(kinds(ready({ isRoot: true }, nowhere))).toEqual(['apt-chromium']);
    expect(kinds(ready({ isRoot: true, hasApt: false }, nowhere))).toEqual([]);
    const user = decideSetup(ready({ isRoot: false }, nowhere));
    expect(user.steps).toEqual([]);
    expect(user.notes).toHaveLength(1);
    expect(user.notes[0]).toMatch(/Chromium is missing.*sudo apt-get install chromium.*CHROMIUM_PATH.*The other checks run now/);
    // Both at once on a bare clone as root: packages first, then the browser.
    expect(kinds(ready({ isRoot: true, nodeModules: false, installedLockfile: null }, nowhere))).toEqual(['npm-ci', 'apt-chromium']);
  });

  it('respects CHROMIUM_PATH: never installs over it, and says so when it points nowhere', () => {
    expect(decideSetup(ready({ isRoot: true }, { envPath: '/opt/chrome', envPathExists: true, system: false, onPath: null }))).toEqual({ steps: [], notes: [], fatal: null });
    const wrong = decideSetup(ready({ isRoot: true }, { envPath: '/opt/none', envPathExists: false, system: false, onPath: null }));
    expect(wrong.steps).toEqual([]);
    expect(wrong.notes[0]).toMatch(/CHROMIUM_PATH=\/opt\/none does not exist/);
  });

  it('uses a Playwright download or a Chromium elsewhere on PATH instead of installing one', () => {
    expect(kinds(ready({ isRoot: true }, { system: false, playwright: true, onPath: null }))).toEqual([]);
    expect(decideSetup(ready({ isRoot: true }, { system: false, onPath: '/usr/local/bin/chromium' })).steps).toEqual([{ kind: 'use-chromium', path: '/usr/local/bin/chromium' }]);
  });

  it('asks nothing about Chromium for a command without browser tests (npm start)', () => {
    expect(decideSetup(ready({ chromium: null, isRoot: true }))).toEqual({ steps: [], notes: [], fatal: null });
  });
});

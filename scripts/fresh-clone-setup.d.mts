// Types of fresh-clone-setup.mjs (plain JavaScript: it runs before any package is installed).

export interface SetupFacts {
  /** package-lock.json, or null when the clone lacks it. */
  lockfile: { mtimeMs: number } | null;
  nodeModules: boolean;
  /** node_modules/.package-lock.json: npm writes it at the end of every install. */
  installedLockfile: { mtimeMs: number } | null;
  /** Null when the command needs no browser (`npm start`). */
  chromium: {
    /** CHROMIUM_PATH when set. */
    envPath: string | null;
    envPathExists: boolean;
    /** /usr/bin/chromium, where the e2e support looks next. */
    system: boolean;
    /** A browser downloaded by `npx playwright install chromium`. */
    playwright: boolean;
    /** A Chromium or Chrome elsewhere on PATH. */
    onPath: string | null;
  } | null;
  isRoot: boolean;
  hasApt: boolean;
}

export type SetupStep = { kind: 'npm-ci'; why: string } | { kind: 'apt-chromium' } | { kind: 'use-chromium'; path: string };

export interface SetupPlan {
  steps: SetupStep[];
  /** Things the user must do that this cannot; the command goes on. */
  notes: string[];
  /** Nothing can go on. */
  fatal: string | null;
}

export const SYSTEM_CHROMIUM: string;
export function decideSetup(facts: SetupFacts): SetupPlan;
export function gatherFacts(root: string, needs: { chromium: boolean; env?: NodeJS.ProcessEnv }): SetupFacts;
export function ensureSetup(root: string, needs: { chromium: boolean }): boolean;

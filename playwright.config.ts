import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/support/browser.js';

// The shell and emulator specs use this Vite server; the system specs (e2e/system) use the
// dashboard of the system that globalSetup starts on free ports (their baseURL fixture).
// A free port, chosen once by the runner: its workers inherit the variable (and so load
// this config with the same port), and parallel runs on one machine never collide.
process.env.E2E_DASHBOARD_PORT ??= execFileSync(
  process.execPath,
  ['-e', "const s = require('node:net').createServer(); s.listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); })"],
  { encoding: 'utf8' },
);
const port = Number(process.env.E2E_DASHBOARD_PORT);

// Specs import '@fq/emulator', which Node (without the "development" condition) resolves to
// the built library, and the system they start runs the built CLI: build both when missing
// or older than the sources (nothing to do when fresh).
execFileSync(process.execPath, [fileURLToPath(new URL('./emulator/scripts/build.mjs', import.meta.url)), '--if-stale', '--lib'], { stdio: 'inherit' });
// Likewise '@fq/fake-gemini' (specs make test audio with it; the system runs its bin).
execFileSync(process.execPath, [fileURLToPath(new URL('./fake-gemini/scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });
// Likewise '@fq/worker' (specs and the system import it; the system runs its bin).
execFileSync(process.execPath, [fileURLToPath(new URL('./worker/scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  // The consumer test has its own config (no system, its own servers): e2e/consumer/playwright.config.ts.
  testIgnore: 'consumer/**',
  outputDir: './test-results',
  // One system for the whole run: emulators, fake Gemini, three workers, dashboard.
  globalSetup: './e2e/system/global-setup.ts',
  // The system's processes are shared state; specs run one at a time.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-report.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions(),
  },
  webServer: {
    command: `npx vite --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});

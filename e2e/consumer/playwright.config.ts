import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/browser.js';

// The consumer test (consumer.spec.ts) on its own: no globalSetup (it starts what it needs
// from the packed packages) and no web server (it serves the app it builds). The root
// playwright.config.ts ignores this folder. `npm test` runs it as its own step:
//   npx playwright test -c e2e/consumer/playwright.config.ts
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // Not under test-results/: the root config's run empties that folder when it starts.
  outputDir: '../artifacts/consumer/results',
  workers: 1,
  retries: 0,
  timeout: 600_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: '../artifacts/consumer/report.json' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions(),
  },
});

import { consoleNav, openPage, saveScreenshot, signInToConsole, type NavLabel } from './support/console.js';
import { expect, test } from './support/fixtures.js';

const PAGES: [NavLabel, string, string][] = [
  ['Overview', 'overview-page', 'page-overview'],
  ['Alerts', 'alerts-page', 'page-alerts'],
  ['Servers', 'servers-page', 'page-servers'],
  ['Breakers', 'breakers-page', 'page-breakers'],
  ['Rate limits', 'limits-page', 'page-rate-limits'],
  ['Locks', 'locks-page', 'page-locks'],
  ['Queues & jobs', 'queues-page', 'page-queues'],
  ['Analytics', 'analytics-page', 'page-analytics'],
  ['Audit log', 'audit-page', 'page-audit'],
];

test('every console page renders live data (screenshots in e2e/artifacts/screenshots)', async ({ page, system }, testInfo) => {
  test.setTimeout(120_000);
  await signInToConsole(page, system.info.accounts.admin);
  for (const [label, testId, file] of PAGES) {
    await openPage(page, label);
    await expect(consoleNav(page).getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId(testId)).toBeVisible();
    // Loading placeholders gone: the page shows data or its empty state.
    await expect(page.getByRole('main').getByText(/^Loading/)).toHaveCount(0);
    await saveScreenshot(page, testInfo, file);
  }
});

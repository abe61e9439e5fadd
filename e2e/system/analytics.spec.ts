import { openPage, readNumber, saveScreenshot, signInToConsole, statValue } from './support/console.js';
import { enqueueJobs } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

test.describe('analytics', () => {
  test.describe.configure({ timeout: 180_000 });

  test('charts and counters update as jobs complete', async ({ page, system, queue }, testInfo) => {
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Analytics');
    await expect(page.getByRole('button', { name: '15 min', pressed: true })).toBeVisible();
    const completed = page.getByTestId('summary-completed').locator('dd').first();
    await expect(completed).not.toHaveText('');
    const before = await readNumber(completed);

    const jobs = 6;
    const ids = await enqueueJobs(
      queue,
      Array.from({ length: jobs }, (_, i) => ({ userId: `e2e-charts-${i % 2}`, priority: i % 3 === 0 ? 'high' : 'normal' }) as const),
    );
    const finished = await Promise.all(ids.map((id) => queue.waitForJob(id)));
    expect(finished.every((j) => j.status === 'succeeded')).toBe(true);

    // The leader folds the servers' partial rollups into the minute documents the page listens to.
    await expect.poll(() => readNumber(completed), { timeout: 60_000, message: 'completed jobs counted on the page' }).toBeGreaterThanOrEqual(before + jobs);
    await expect(page.getByTestId('summary-success').locator('dd').first()).not.toHaveText('—');
    const throughputLine = page.getByTestId('chart-throughput').locator('path.recharts-line-curve');
    await expect(throughputLine).toHaveAttribute('d', /\d/);
    await expect(page.getByTestId('chart-latency').locator('path.recharts-line-curve').first()).toHaveAttribute('d', /\d/);
    await expect(page.getByTestId('chart-upstream').locator('.recharts-bar-rectangle').first()).toBeVisible();
    await saveScreenshot(page, testInfo, 'analytics');

    // The Overview's live numbers move too.
    await openPage(page, 'Overview');
    await expect.poll(() => readNumber(statValue(page, 'stat-throughput')), { timeout: 30_000 }).toBeGreaterThan(0);
    await saveScreenshot(page, testInfo, 'overview');
  });
});

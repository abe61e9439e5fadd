import { consoleNav, openPage, signIn, statValue } from './support/console.js';
import { enqueueJobs } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

test.describe('one set of numbers', () => {
  test.describe.configure({ timeout: 300_000 });

  test('Overview and Analytics show the same throughput for the same 15 minute window, with the rollup lag stated and times in the local zone', async ({ page, system, queue }) => {
    const ids = await enqueueJobs(
      queue,
      Array.from({ length: 4 }, (_, i) => ({ userId: `e2e-numbers-${i % 2}`, priority: 'normal' }) as const),
    );
    const finished = await Promise.all(ids.map((id) => queue.waitForJob(id)));
    expect(finished.every((j) => j.status === 'succeeded')).toBe(true);

    await signIn(page, system.info.accounts.admin);
    // The first console load transforms the Firestore chunk on the dev server: slow on a loaded machine.
    await expect(consoleNav(page)).toBeVisible({ timeout: 120_000 });
    await openPage(page, 'Analytics');
    // The Analytics chunk (recharts) loads on first visit: slow on a loaded machine.
    await expect(page.getByRole('button', { name: '15 min', pressed: true })).toBeVisible({ timeout: 60_000 });
    const analytics = page.getByTestId('summary-throughput');
    // Wait until the leader has merged those jobs into the minute rollups the pages read.
    await expect.poll(async () => Number((await analytics.locator('dd').first().innerText()).replace(/,/g, '')), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect(page.getByTestId('analytics-lag')).toHaveText(/^Data up to \d\d:\d\d:\d\d \S+, ~[\d.]+ (ms|s|min \d+ s) behind/);

    // The two pages show the same figure over the same stated window. Both move as time
    // passes (the window's length grows), so compare two reads taken close together.
    const overviewStat = page.getByTestId('stat-throughput');
    await expect(async () => {
      await openPage(page, 'Overview');
      await expect(overviewStat).toHaveText(/^Throughput[\d.,]+completed jobs\/min, last 15 min \(since \d\d:\d\d \S+\)$/, { timeout: 15_000 });
      const overview = (await overviewStat.textContent()) ?? '';
      expect(Number(/^Throughput([\d.,]+)/.exec(overview)?.[1]?.replace(/,/g, ''))).toBeGreaterThan(0);
      await openPage(page, 'Analytics');
      // The same window, stated the same way; the rate within 2 %: the window's length grows
      // while the pages are switched, so the figure drifts in its second decimal (in CI the
      // two reads a few seconds apart differed by 0.5 %).
      const parts = (text: string) => /^Throughput([\d.,]+)(completed jobs\/min, last 15 min \(since \d\d:\d\d \S+\))$/.exec(text);
      await expect(analytics).toHaveText(/^Throughput[\d.,]+completed jobs\/min, last 15 min \(since/, { timeout: 5_000 });
      const a = parts((await analytics.textContent()) ?? '');
      const o = parts(overview);
      expect(a?.[2]).toBe(o?.[2]);
      const rate = (m: RegExpExecArray | null) => Number(m?.[1]?.replace(/,/g, ''));
      expect(Math.abs(rate(a) - rate(o))).toBeLessThanOrEqual(0.02 * rate(o));
    }).toPass({ timeout: 90_000, intervals: [500, 1_000, 2_000] });

    await openPage(page, 'Overview');
    await expect(statValue(page, 'stat-throughput')).not.toHaveText('—');
    await expect(page.getByTestId('overview-lag')).toHaveText(/^Data up to \d\d:\d\d:\d\d \S+, ~/);
  });
});

import { confirmDialog, expectJobRowStatus, jobRow, openPage, saveScreenshot, searchJobs, signInToConsole } from './support/console.js';
import { enqueueJobs } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';

test.describe('job search and cancel', () => {
  test.describe.configure({ timeout: 180_000 });

  test.beforeEach(async ({ queue }) => {
    // Low priority is paused so the jobs under test stay queued long enough to cancel.
    await queue.control({ type: 'queue.pause', priorities: ['low'], reason: 'e2e: hold low-priority jobs' }, SUITE_ACTOR);
  });
  test.afterEach(async ({ queue }) => {
    await queue.control({ type: 'queue.resume', priorities: ['low'], reason: 'e2e clean-up' }, SUITE_ACTOR);
  });

  test('search by user, job id and status; cancel one job from its page and one in bulk', async ({ page, system, queue }, testInfo) => {
    const [a1, a2] = await enqueueJobs(queue, [
      { userId: 'e2e-search-a', priority: 'low' },
      { userId: 'e2e-search-a', priority: 'low' },
    ]);
    const [b1] = await enqueueJobs(queue, [{ userId: 'e2e-search-b', priority: 'normal' }]);
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Queues & jobs');

    // By user: exactly that user's jobs.
    await searchJobs(page, { text: 'e2e-search-a' });
    await expect(page.locator('[data-testid^="job-row-"]')).toHaveCount(2);
    await expect(jobRow(page, a1!)).toContainText('e2e-search-a');
    await expect(jobRow(page, a2!)).toBeVisible();
    await expect(jobRow(page, b1!)).toHaveCount(0);

    // By job id: one document.
    await searchJobs(page, { text: b1! });
    await expect(page.locator('[data-testid^="job-row-"]')).toHaveCount(1);
    await expect(page.getByText('matched by job id')).toBeVisible();
    await expectJobRowStatus(page, b1!, 'succeeded');

    // By user and status.
    await searchJobs(page, { text: 'e2e-search-a', status: 'succeeded' });
    await expect(page.getByText('No jobs match this search.')).toBeVisible();
    await searchJobs(page, { text: 'e2e-search-a', status: 'queued' });
    await expect(page.locator('[data-testid^="job-row-"]')).toHaveCount(2);
    await saveScreenshot(page, testInfo, 'jobs-search');

    // Cancel from the job's page (a live view of the document).
    await jobRow(page, a1!).getByRole('link', { name: a1! }).click();
    await expect(page.getByTestId('job-detail-page')).toBeVisible();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await confirmDialog(page, `Cancel job ${a1}?`);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'cancelled');
    await saveScreenshot(page, testInfo, 'job-detail-cancelled');

    // Cancel the other one as a bulk action on the search results.
    await page.getByRole('link', { name: '← Jobs' }).click();
    await searchJobs(page, { text: 'e2e-search-a' });
    await page.getByRole('checkbox', { name: `Select job ${a2}` }).check();
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await confirmDialog(page, 'Cancel selected: 1 job?');
    await expectJobRowStatus(page, a2!, 'cancelled');
    await expectJobRowStatus(page, a1!, 'cancelled');
    expect((await queue.getJob(a2!))?.status).toBe('cancelled');
  });
});

import { confirmDialog, jobRow, openPage, saveScreenshot, searchJobs, signInToConsole } from './support/console.js';
import { enqueueJobs, waitForIdleQueue } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

test.describe('dead letters', () => {
  test.describe.configure({ timeout: 180_000 });

  test.afterEach(async ({ system }) => {
    await system.gemini!.reset({ stats: false, failures: true });
  });

  test('a job that exhausts its retries lands in dead letters and redrive completes it', async ({ page, system, queue, store }, testInfo) => {
    const gemini = system.gemini!;
    const maxAttempts = system.info.workerConfig.maxAttempts ?? 5;
    // Nothing else may call Gemini while the injected failures wait for our job.
    await waitForIdleQueue(store);
    await gemini.failNext({ count: maxAttempts, status: 500, message: 'e2e: injected upstream failure' });
    const injectedBefore = (await gemini.stats()).rejectionsByReason.injected ?? 0;
    const text = 'This transcript arrives only after a redrive.';
    const [jobId] = await enqueueJobs(queue, [{ userId: 'e2e-dlq', priority: 'urgent', text }]);
    const failed = await queue.waitForJob(jobId!);
    expect(failed.status).toBe('dead_lettered');
    expect(failed.attempts).toBe(maxAttempts);
    expect((await gemini.stats()).rejectionsByReason.injected).toBe(injectedBefore + maxAttempts);

    await signInToConsole(page, system.info.accounts.admin);
    // On any page, a red count of dead letters (the leader counts finished jobs every minute).
    await openPage(page, 'Analytics');
    const count = page.getByTestId('dead-letter-count');
    await expect(count).toBeVisible({ timeout: 90_000 });
    await expect(count).toHaveText(/^\d+ dead letters?$/);
    // One click: the job list, filtered to dead letters, newest first (ours among them).
    await count.click();
    await expect(page).toHaveURL(/\/queues\?status=dead_lettered$/);
    await expect(page.getByRole('search', { name: 'Job search' }).getByLabel('Status')).toHaveValue('dead_lettered');
    await expect(jobRow(page, jobId!)).toContainText(`${maxAttempts} / ${maxAttempts}`);
    await expect(page.getByTestId('job-table-card').locator('[data-testid="job-status"]:not([data-status="dead_lettered"])')).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'dead-letter-count');
    await searchJobs(page, { text: 'e2e-dlq', status: 'dead_lettered' });
    await expect(jobRow(page, jobId!)).toContainText(`${maxAttempts} / ${maxAttempts}`);
    await expect(jobRow(page, jobId!)).toContainText('server');

    await jobRow(page, jobId!).getByRole('link', { name: jobId! }).click();
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'dead_lettered');
    const errors = page.getByTestId('job-errors').locator('tbody tr');
    await expect(errors).toHaveCount(maxAttempts);
    await expect(errors.first()).toContainText('e2e: injected upstream failure');
    await expect(errors.first()).toContainText('500');
    await saveScreenshot(page, testInfo, 'job-dead-lettered');

    await page.getByRole('button', { name: 'Redrive job' }).click();
    await confirmDialog(page, `Redrive job ${jobId}?`);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(page.getByTestId('job-transcript')).toHaveText(text);
    const redriven = await queue.getJob(jobId!);
    expect(redriven?.redriveCount).toBe(1);
  });
});

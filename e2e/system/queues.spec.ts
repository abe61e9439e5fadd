import { confirmDialog, expectJobRowStatus, jobRow, openPage, saveScreenshot, searchJobs, signInToConsole } from './support/console.js';
import { enqueueJobs, waitForLeaderRounds } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';

test.describe('pausing the queue', () => {
  test.describe.configure({ timeout: 180_000 });

  test.afterEach(async ({ queue }) => {
    await queue.control({ type: 'queue.resume', reason: 'e2e clean-up' }, SUITE_ACTOR);
  });

  test('pausing holds jobs and resuming drains them', async ({ page, system, queue, store }, testInfo) => {
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Queues & jobs');
    const state = page.getByTestId('queue-state');
    await expect(state).toHaveAttribute('data-paused', 'false');

    await page.getByRole('button', { name: 'Pause queue' }).click();
    await confirmDialog(page, 'Pause the whole queue?');
    await expect(state).toHaveAttribute('data-paused', 'true');
    await expect(state).toHaveText('Queue paused');

    const user = 'e2e-pause';
    const ids = await enqueueJobs(queue, [
      { userId: user, priority: 'urgent' },
      { userId: user, priority: 'normal' },
      { userId: user, priority: 'low' },
    ]);
    await waitForLeaderRounds(store, 3);
    for (const id of ids) expect((await queue.getJob(id))?.status).toBe('queued');

    await searchJobs(page, { text: user });
    for (const id of ids) await expect(jobRow(page, id).getByTestId('job-status')).toHaveAttribute('data-status', 'queued');
    await expect(page.getByTestId('priority-urgent')).toContainText(/[1-9]\d* queued/);
    await saveScreenshot(page, testInfo, 'queues-paused');

    // The Overview warns that the queue is paused.
    await openPage(page, 'Overview');
    await expect(page.getByTestId('paused-banner')).toContainText('The whole queue is paused');
    await openPage(page, 'Queues & jobs');

    await page.getByRole('button', { name: 'Resume queue' }).click();
    await confirmDialog(page, 'Resume the whole queue?');
    await expect(state).toHaveAttribute('data-paused', 'false');
    await searchJobs(page, { text: user });
    for (const id of ids) await expectJobRowStatus(page, id, 'succeeded');
  });
});

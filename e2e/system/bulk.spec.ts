import { confirmDialog, consoleNav, openPage, saveScreenshot, searchJobs, signIn } from './support/console.js';
import { enqueueJobs, waitForIdleQueue } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

const JOBS = 150;
const USER = 'e2e-bulk';

test.describe('act on everything matching', () => {
  test.describe.configure({ timeout: 300_000 });

  test.afterEach(async ({ system }) => {
    await system.gemini!.reset({ stats: false, failures: true });
  });

  test('an operator retries all failed jobs of a user as one control and watches the fleet reach done', async ({ page, system, queue, store }, testInfo) => {
    const gemini = system.gemini!;
    // Every upstream call of these jobs is refused as invalid (400): a permanent error, so
    // each job ends `failed` after one attempt (the breaker ignores invalid requests).
    await waitForIdleQueue(store);
    await gemini.failNext({ count: JOBS, status: 400, message: 'e2e: invalid request' });
    const ids = await enqueueJobs(queue, Array.from({ length: JOBS }, () => ({ userId: USER, priority: 'normal' as const })));
    await expect
      .poll(() => store.count({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: USER }, { field: 'status', op: '==', value: 'failed' }] }), {
        timeout: 120_000,
        message: `all ${JOBS} jobs failed`,
      })
      .toBe(JOBS);

    await signIn(page, system.info.accounts.admin);
    // The console's Firestore chunk is compiled on first use by the system's dev server: slow
    // on a loaded machine, so more time than the usual 15 s for the first page.
    await expect(consoleNav(page)).toBeVisible({ timeout: 120_000 });
    await openPage(page, 'Queues & jobs');
    await searchJobs(page, { text: USER, status: 'failed' });
    // The page shows 25 of them; the panel acts on all that match.
    const panel = page.getByTestId('bulk-panel');
    await panel.getByRole('button', { name: 'Apply to all matching…' }).click();
    await expect(panel.getByTestId('bulk-matching')).toHaveText(`${JOBS} matching (status=failed, user=${USER}):`);
    await panel.getByRole('button', { name: `Retry all ${JOBS} matching` }).click();
    await page.getByRole('dialog', { name: `Retry all ${JOBS} matching jobs?` }).getByRole('textbox').fill('e2e: upstream fixed');
    await confirmDialog(page, `Retry all ${JOBS} matching jobs?`);

    // Live progress until the fleet is done with every one of them.
    const progress = panel.getByTestId('bulk-progress').first();
    await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(progress.getByTestId('bulk-counts')).toContainText(`${JOBS} of ${JOBS} processed: ${JOBS} retried, 0 skipped`);
    await saveScreenshot(page, testInfo, 'bulk-retry-done');

    // Each job ran again and succeeded; the audit log has the start by the operator and the steps.
    const finished = await Promise.all(ids.map((id) => queue.waitForJob(id)));
    expect(finished.filter((j) => j.status === 'succeeded')).toHaveLength(JOBS);
    await openPage(page, 'Audit log');
    const rows = page.getByTestId('audit-row');
    await expect(rows.filter({ hasText: 'bulk.start' }).first()).toContainText(system.info.accounts.admin.email);
    await expect(rows.filter({ hasText: 'job.retry' }).first()).toContainText(system.info.accounts.admin.email);
  });
});

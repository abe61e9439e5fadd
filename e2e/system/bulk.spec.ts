import { confirmDialog, consoleNav, openPage, saveScreenshot, searchJobs, signIn } from './support/console.js';
import { enqueueJobs, waitForIdleQueue, waitForLeaderRounds } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';

const JOBS = 150;
const USER = 'e2e-bulk';

/**
 * The stop-and-resume case: three of the carrier's pages (96, 96 and 8 jobs; 13 steps of at
 * most 16), and no more than one user's submission burst (200), so every job is admitted at once.
 */
const STOP_JOBS = 200;
const STOP_USER = 'e2e-bulk-stop';
/**
 * The lever that keeps a step from being over before a person can press Stop: our emulator
 * answers every commit this much later (each step is one commit), so the 13 steps take at
 * least 13 × this. Only the pace changes; every assertion waits on state.
 */
const COMMIT_DELAY_MS = 700;

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

  test('an operator stops a bulk cancel between steps, sees it stopped with its progress frozen, resumes it and sees every matching job cancelled', async ({ page, system, queue, store }, testInfo) => {
    test.skip(!system.faults, 'slowing the commits needs our emulator');
    const faults = system.faults!;
    const admin = system.info.accounts.admin;
    const countOf = (status: 'queued' | 'cancelled') =>
      store.count({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: STOP_USER }, { field: 'status', op: '==', value: status }] });
    await waitForIdleQueue(store);
    // Low priority is paused, so the jobs stay queued (nobody claims them) until the control cancels them.
    await queue.control({ type: 'queue.pause', priorities: ['low'], reason: 'e2e: hold the jobs a bulk cancel stops and resumes on' }, SUITE_ACTOR);
    try {
      const ids = await enqueueJobs(queue, Array.from({ length: STOP_JOBS }, () => ({ userId: STOP_USER, priority: 'low' as const })));
      await expect.poll(() => countOf('queued'), { timeout: 60_000, message: `all ${STOP_JOBS} jobs admitted and held` }).toBe(STOP_JOBS);

      await signIn(page, admin);
      await expect(consoleNav(page)).toBeVisible({ timeout: 120_000 });
      await openPage(page, 'Queues & jobs');
      await searchJobs(page, { text: STOP_USER, status: 'queued' });
      const panel = page.getByTestId('bulk-panel');
      await panel.getByRole('button', { name: 'Apply to all matching…' }).click();
      await expect(panel.getByTestId('bulk-matching')).toHaveText(`${STOP_JOBS} matching (status=queued, user=${STOP_USER}):`);

      await faults.delay('Commit', COMMIT_DELAY_MS);
      await panel.getByRole('button', { name: `Cancel all ${STOP_JOBS} matching` }).click();
      const title = `Cancel all ${STOP_JOBS} matching jobs?`;
      await page.getByRole('dialog', { name: title }).getByRole('textbox').fill('e2e: the wrong user?');
      await confirmDialog(page, title);

      // The fleet has carried out a step or more when the operator presses Stop.
      const progress = panel.getByTestId('bulk-progress').filter({ hasText: `user=${STOP_USER}` });
      await expect(progress).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
      const bar = progress.getByRole('progressbar');
      await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000, message: 'a first step' }).toBeGreaterThan(0);
      await progress.getByRole('button', { name: 'Stop' }).click();
      await page.getByRole('dialog', { name: 'Stop "Cancel all matching"?' }).getByRole('textbox').fill('e2e: check the filter first');
      await confirmDialog(page, 'Stop "Cancel all matching"?');

      // The carrier stops at its next step: stopped, part of the jobs cancelled, the rest untouched.
      await expect(progress).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 });
      await expect(progress.getByTestId('bulk-state')).toHaveText('stopped');
      await faults.clear();
      const bulkId = (await progress.getAttribute('data-bulk-id'))!;
      const stopped = (await store.get('bulkControls', bulkId)).doc!;
      expect(stopped).toMatchObject({ state: 'stopped', stopRequested: false, carrier: null });
      const frozen = stopped.progress.done;
      expect(frozen, 'stopped between steps, neither before the first nor after the last').toBeGreaterThan(0);
      expect(frozen).toBeLessThan(STOP_JOBS);
      expect(stopped.progress).toMatchObject({ matched: frozen, skipped: 0, failed: 0 });
      const counts = `${frozen} of ${STOP_JOBS} processed: ${frozen} cancelled, 0 skipped, 0 failed`;
      await expect(progress.getByTestId('bulk-counts')).toHaveText(counts);
      await expect(progress.getByRole('button', { name: 'Stop' })).toHaveCount(0);
      await saveScreenshot(page, testInfo, 'bulk-stopped');

      // Frozen: across three more rounds of the leader (every worker had every chance to act),
      // nothing moved, in the console or in the store.
      await waitForLeaderRounds(store, 3);
      expect((await store.get('bulkControls', bulkId)).doc!).toMatchObject({ state: 'stopped', progress: { done: frozen, matched: frozen } });
      expect(await countOf('cancelled')).toBe(frozen);
      expect(await countOf('queued')).toBe(STOP_JOBS - frozen);
      await expect(progress).toHaveAttribute('data-state', 'stopped');
      await expect(progress.getByTestId('bulk-counts')).toHaveText(counts);

      // Resumed, the fleet goes on from where it stopped and cancels every matching job once.
      await progress.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('dialog', { name: 'Resume "Cancel all matching"?' }).getByRole('textbox').fill('e2e: filter checked');
      await confirmDialog(page, 'Resume "Cancel all matching"?');
      await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
      await expect(progress.getByTestId('bulk-counts')).toHaveText(`${STOP_JOBS} of ${STOP_JOBS} processed: ${STOP_JOBS} cancelled, 0 skipped, 0 failed`);
      expect((await store.get('bulkControls', bulkId)).doc!.progress).toMatchObject({ matched: STOP_JOBS, done: STOP_JOBS, skipped: 0, failed: 0 });
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      expect(jobs.filter((j) => j?.status === 'cancelled')).toHaveLength(STOP_JOBS);
      await saveScreenshot(page, testInfo, 'bulk-resumed-done');

      // The stop and the resume are the operator's, in the audit log with their reasons.
      await openPage(page, 'Audit log');
      const rows = page.getByTestId('audit-row');
      await expect(rows.filter({ hasText: 'bulk.stop' }).first()).toContainText(admin.email);
      await expect(rows.filter({ hasText: 'bulk.stop' }).first()).toContainText('e2e: check the filter first');
      await expect(rows.filter({ hasText: 'bulk.resume' }).first()).toContainText('e2e: filter checked');
    } finally {
      await faults.clear();
      await queue.control({ type: 'queue.resume', priorities: ['low'], reason: 'e2e clean-up' }, SUITE_ACTOR);
    }
  });
});

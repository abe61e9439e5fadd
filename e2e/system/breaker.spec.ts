import { confirmDialog, openPage, saveScreenshot, signInToConsole } from './support/console.js';
import { enqueueJobs, waitForIdleQueue, waitForLeaderRounds } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';

test.describe('the shared circuit breaker', () => {
  test.describe.configure({ timeout: 180_000 });

  test.afterEach(async ({ queue, system }) => {
    // Whatever happened above, the next spec gets a closed breaker.
    await queue.control({ type: 'breaker.reset', model: system.info.gemini.model, reason: 'e2e clean-up' }, SUITE_ACTOR);
  });

  test('forcing the breaker open stops upstream calls; reset resumes them', async ({ page, system, queue, store }, testInfo) => {
    const gemini = system.gemini!;
    const model = system.info.gemini.model;
    await waitForIdleQueue(store);
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Breakers');

    // Force it open from the console (it may have no breaker document yet: the form creates it).
    const other = page.getByTestId('breaker-other-model');
    await other.getByLabel('Model').fill(model);
    await other.getByRole('button', { name: 'Force open model' }).click();
    await confirmDialog(page, `Force the ${model} breaker open?`);
    const card = page.getByTestId(`breaker-${model}`);
    await expect(card.getByTestId('breaker-state')).toHaveAttribute('data-state', 'open');
    await expect(card.getByTestId('breaker-state')).toContainText('forced open');
    await expect(card.getByTestId('next-probe')).toHaveText('none while forced open');

    // Jobs arrive while it is open: the fleet must not call Gemini at all.
    const callsBefore = (await gemini.stats()).calls;
    const ids = await enqueueJobs(queue, [
      { userId: 'e2e-breaker', priority: 'urgent' },
      { userId: 'e2e-breaker', priority: 'high' },
      { userId: 'e2e-breaker', priority: 'normal' },
    ]);
    // Three leader rounds after the jobs exist: every worker has seen them and the breaker.
    await waitForLeaderRounds(store, 3);
    expect((await gemini.stats()).calls).toBe(callsBefore);
    for (const id of ids) expect((await queue.getJob(id))?.status).toBe('queued');
    await saveScreenshot(page, testInfo, 'breakers-forced-open');

    // Reset from the console: closed again, the held jobs are transcribed.
    await card.getByRole('button', { name: 'Reset', exact: true }).click();
    await confirmDialog(page, `Reset the ${model} breaker?`);
    await expect(card.getByTestId('breaker-state')).toHaveAttribute('data-state', 'closed');
    await expect(card.getByTestId('breaker-state')).not.toContainText('forced');
    const finished = await Promise.all(ids.map((id) => queue.waitForJob(id)));
    expect(finished.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect((await gemini.stats()).calls).toBeGreaterThanOrEqual(callsBefore + ids.length);

    // Both actions are in the audit log with the operator's identity.
    await openPage(page, 'Audit log');
    const rows = page.getByTestId('audit-row');
    await expect(rows.filter({ hasText: 'breaker.force_open' }).first()).toContainText(system.info.accounts.admin.email);
    await expect(rows.filter({ hasText: 'breaker.reset' }).first()).toContainText(system.info.accounts.admin.email);
  });
});

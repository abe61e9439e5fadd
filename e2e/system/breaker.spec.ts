import { confirmDialog, jobRow, openPage, saveScreenshot, searchJobs, signInToConsole } from './support/console.js';
import { enqueueJobs, waitForIdleQueue, waitForLeaderRounds } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';
import type { Page } from '@playwright/test';

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

    // Jobs arrive while it is open: the fleet must not call Gemini at all. (Normal and low:
    // urgent and high would go to the fallback model, see the next test.)
    const callsBefore = (await gemini.stats()).calls;
    const ids = await enqueueJobs(queue, [
      { userId: 'e2e-breaker', priority: 'normal' },
      { userId: 'e2e-breaker', priority: 'low' },
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

  test('an open breaker puts a banner on every page, since when and linking to the Breakers page; reset takes it away; the timeline keeps the opening', async ({
    page,
    system,
    store,
  }, testInfo) => {
    const model = system.info.gemini.model;
    await waitForIdleQueue(store);
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Breakers');
    const banner = page.getByTestId(`breaker-banner-${model}`);
    await expect(banner).toHaveCount(0);

    const other = page.getByTestId('breaker-other-model');
    await other.getByLabel('Model').fill(model);
    await other.getByRole('button', { name: 'Force open model' }).click();
    await confirmDialog(page, `Force the ${model} breaker open?`);
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(`Circuit breaker for ${model} forced open by an operator since`);
    // Local time with its zone, and how long ago.
    await expect(banner).toContainText(/since \d\d:\d\d:\d\d \S+ \([\d.]+ (ms|s) ago\): no calls go to it\./);

    // Two other pages: the banner is part of every page, not of the Breakers page.
    for (const [label, testId] of [
      ['Overview', 'overview-page'],
      ['Queues & jobs', 'queues-page'],
    ] as const) {
      await openPage(page, label);
      await expect(page.getByTestId(testId)).toBeVisible();
      await expect(banner).toBeVisible();
    }
    await saveScreenshot(page, testInfo, 'breaker-banner');
    await banner.getByRole('link', { name: 'Breakers page' }).click();
    await expect(page.getByTestId('breakers-page')).toBeVisible();

    const card = page.getByTestId(`breaker-${model}`);
    await card.getByRole('button', { name: 'Reset', exact: true }).click();
    await confirmDialog(page, `Reset the ${model} breaker?`);
    await expect(banner).toHaveCount(0);
    // Only the last action's outcome stays on screen.
    await expect(card.getByTestId('reset-feedback')).toHaveText('Reset: Done.');
    await expect(page.getByTestId('force-open-model-feedback')).toHaveCount(0);
    await openPage(page, 'Overview');
    await expect(page.getByTestId('overview-page')).toBeVisible();
    await expect(banner).toHaveCount(0);

    // The opening (seconds of the hour) is drawn wide enough to see.
    await openPage(page, 'Breakers');
    const opened = card.getByTestId('timeline-segment').and(card.locator('[data-state="open"]'));
    await expect(opened.first()).toBeVisible();
    expect((await opened.last().boundingBox())?.width).toBeGreaterThanOrEqual(3);
    await expect(card.getByTestId('timeline-summary')).toContainText(/opened \d+ times? in the last hour/);
  });

  test('a real opening (the upstream answers 503 to everything): the banner, the failures that tripped it and the opening on the timeline', async ({
    page,
    system,
    queue,
    store,
  }, testInfo) => {
    const gemini = system.gemini!;
    const model = system.info.gemini.model;
    await waitForIdleQueue(store);
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Breakers');
    // Normal priority only: urgent and high would go to the fallback model once it opens.
    await gemini.configure({ models: { [model]: { outage: { kind: 'status', status: 503 } } } });
    try {
      await enqueueJobs(queue, [
        { userId: 'e2e-outage', priority: 'normal' },
        { userId: 'e2e-outage', priority: 'normal' },
        { userId: 'e2e-outage', priority: 'normal' },
      ]);
      const card = page.getByTestId(`breaker-${model}`);
      await expect(card.getByTestId('breaker-state')).toHaveAttribute('data-state', /open|half_open/, { timeout: 60_000 });
      const banner = page.getByTestId(`breaker-banner-${model}`);
      await expect(banner).toContainText(`Circuit breaker for ${model} open since`);
      // The figures are the failures that opened it, not the window that restarted at the transition.
      const stored = (await store.get('breakers', model)).doc!;
      const trip = stored.trip!;
      expect(trip.at).toBe(stored.openedAt);
      expect(trip.failures).toBeGreaterThanOrEqual(system.info.workerConfig.circuitBreaker?.failureThreshold ?? 5);
      await expect(card.getByTestId('window-failures')).toContainText(`${trip.failures} / ${trip.calls} calls`);
      await expect(card.getByTestId('window-failures')).toContainText('opened it');
      await expect(card.getByTestId('breaker-last-trip')).toContainText(trip.reason);
      const opened = card.getByTestId('timeline-segment').and(card.locator('[data-state="open"]'));
      expect((await opened.last().boundingBox())?.width).toBeGreaterThanOrEqual(3);
      await saveScreenshot(page, testInfo, 'breaker-real-opening');
    } finally {
      await gemini.configure({ models: { [model]: null } });
    }
    // afterEach resets the breaker; the jobs then finish (or dead-letter) and leave the queue idle.
  });

  test('with the primary forced open, the Breakers page shows the fallback route: an urgent job completes on the fallback model, a low job waits', async ({
    page,
    system,
    queue,
    store,
  }, testInfo) => {
    const gemini = system.gemini!;
    const model = system.info.gemini.model;
    const fallback = system.info.workerConfig.upstream?.fallbackModel;
    if (!fallback) throw new Error('the e2e system runs without a fallback model');
    await waitForIdleQueue(store);
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Breakers');

    // Closed: every priority goes to the primary.
    const route = page.getByTestId('active-route').getByTestId(`route-model-${model}`);
    await expect(route).toHaveAttribute('data-route', 'primary');
    await expect(route.getByTestId('route-priority-urgent')).toHaveAttribute('data-model', model);

    // Force it open with the console's control: urgent and high move to the fallback, normal and low wait.
    const other = page.getByTestId('breaker-other-model');
    await other.getByLabel('Model').fill(model);
    await other.getByRole('button', { name: 'Force open model' }).click();
    await confirmDialog(page, `Force the ${model} breaker open?`);
    await expect(route).toHaveAttribute('data-route', 'fallback');
    for (const p of ['urgent', 'high'] as const) await expect(route.getByTestId(`route-priority-${p}`)).toHaveAttribute('data-model', fallback);
    for (const p of ['normal', 'low'] as const) await expect(route.getByTestId(`route-priority-${p}`)).toHaveAttribute('data-model', '');
    await expect(route.getByTestId('route-summary')).toContainText(`urgent, high go to the fallback ${fallback}; normal, low wait for ${model}`);
    await saveScreenshot(page, testInfo, 'breakers-fallback-route');

    // The low job first: a fleet that ignored the route would take it first.
    const before = await gemini.stats();
    const user = 'e2e-fallback';
    const [lowId, urgentId] = await enqueueJobs(queue, [
      { userId: user, priority: 'low', text: 'This one waits for the primary model.' },
      { userId: user, priority: 'urgent', text: 'This one is transcribed by the fallback model.' },
    ]);
    await openJob(page, user, urgentId!);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(modelField(page)).toHaveText(fallback);
    await expect(page.getByTestId('job-transcript')).toHaveText('This one is transcribed by the fallback model.');
    await saveScreenshot(page, testInfo, 'job-served-by-fallback');

    // Leader rounds after the urgent job finished: the fleet kept working and left the low job alone.
    await waitForLeaderRounds(store, 2);
    await openJob(page, user, lowId!);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'queued');
    const during = await gemini.stats();
    expect(during.byModel[model]?.calls ?? 0).toBe(before.byModel[model]?.calls ?? 0);
    expect(during.byModel[fallback]?.successes ?? 0).toBe((before.byModel[fallback]?.successes ?? 0) + 1);

    // Reset from the console: the low job is transcribed by the primary.
    await openPage(page, 'Breakers');
    await page.getByTestId(`breaker-${model}`).getByRole('button', { name: 'Reset', exact: true }).click();
    await confirmDialog(page, `Reset the ${model} breaker?`);
    await expect(route).toHaveAttribute('data-route', 'primary');
    await openJob(page, user, lowId!);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(modelField(page)).toHaveText(model);
  });
});

/** Opens a job's detail page through the console's job search. */
async function openJob(page: Page, userId: string, jobId: string): Promise<void> {
  await openPage(page, 'Queues & jobs');
  await searchJobs(page, { text: userId });
  await jobRow(page, jobId).getByRole('link', { name: jobId }).click();
  await expect(page.getByTestId('job-detail-page')).toContainText(jobId);
}

/** The job summary's "Model" field: the model that served the job (or the one it asked for). */
function modelField(page: Page) {
  return page.locator('dt', { hasText: /^Model$/ }).locator('xpath=following-sibling::dd[1]');
}

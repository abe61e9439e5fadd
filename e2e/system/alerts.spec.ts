import { confirmDialog, openPage, saveScreenshot, signInToConsole } from './support/console.js';
import { waitForIdleQueue } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';
import { receivedAlertTexts } from './support/webhook-receiver.js';
import type { Page } from '@playwright/test';

/** The messages the run's webhook receiver got after the first `skip`. */
async function alertsSince(skip: number): Promise<string[]> {
  return (await receivedAlertTexts()).slice(skip);
}

/** The feed row of the newest message for `key` (rows are newest first). */
function newestRow(page: Page, key: string) {
  return page.locator(`[data-testid="alert-row"][data-key="${key}"]`).first();
}

test.describe('alerts', () => {
  test.describe.configure({ timeout: 120_000 });

  test.afterEach(async ({ queue, system }) => {
    await queue.control({ type: 'breaker.reset', model: system.info.gemini.model, reason: 'e2e clean-up' }, SUITE_ACTOR);
  });

  test('forcing a breaker open from the console sends one firing message to the webhook and shows it in the Alerts feed; reset sends the resolve', async ({
    page,
    system,
    store,
  }, testInfo) => {
    const model = system.info.gemini.model;
    const key = `breaker_open:${model}`;
    const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const escaped = esc(model);
    const admin = system.info.accounts.admin;
    const fallback = system.info.workerConfig.upstream?.fallbackModel;
    if (!fallback) throw new Error('the e2e system runs without a fallback model');
    await waitForIdleQueue(store);
    const before = (await receivedAlertTexts()).length;
    await signInToConsole(page, admin);

    await openPage(page, 'Breakers');
    const other = page.getByTestId('breaker-other-model');
    await other.getByLabel('Model').fill(model);
    await other.getByRole('button', { name: 'Force open model' }).click();
    await confirmDialog(page, `Force the ${model} breaker open?`);
    await expect(page.getByTestId(`breaker-${model}`).getByTestId('breaker-state')).toHaveAttribute('data-state', 'open');

    // The leader's breaker listener sees the opening at once (the fleet is idle): one POST.
    await expect
      .poll(() => alertsSince(before), { message: 'the firing message at the webhook', timeout: 30_000 })
      .toEqual([
        // Who by e-mail (from the control's audit entry), and where jobs go meanwhile.
        expect.stringMatching(
          new RegExp(`^:red_circle: FIRING: Circuit breaker open: ${escaped} - .*: forced open by ${esc(admin.email)}\\. Meanwhile urgent, high jobs go to ${esc(fallback)}; the others wait\\.$`),
        ),
      ]);

    await openPage(page, 'Alerts');
    const firing = page.locator(`[data-testid="firing-alert"][data-key="${key}"]`);
    await expect(firing).toContainText(`Circuit breaker open: ${model}`);
    await expect(newestRow(page, key)).toHaveAttribute('data-status', 'firing');
    // The delivery outcome is written back onto the event once the POST answered.
    await expect(newestRow(page, key).getByTestId('alert-delivery')).toHaveAttribute('data-state', 'delivered');
    await expect(newestRow(page, key).getByTestId('alert-delivery')).toContainText('127.0.0.1');
    await saveScreenshot(page, testInfo, 'alerts-breaker-firing');

    await openPage(page, 'Breakers');
    const card = page.getByTestId(`breaker-${model}`);
    await card.getByRole('button', { name: 'Reset', exact: true }).click();
    await confirmDialog(page, `Reset the ${model} breaker?`);
    await expect(card.getByTestId('breaker-state')).toHaveAttribute('data-state', 'closed');

    // Exactly two messages: none was sent again while the breaker stayed open.
    await expect
      .poll(() => alertsSince(before), { message: 'the resolve at the webhook', timeout: 30_000 })
      .toEqual([
        expect.stringMatching(/^:red_circle: FIRING: /),
        expect.stringMatching(new RegExp(`^:white_check_mark: RESOLVED after .*: Circuit breaker open: ${escaped} - ${escaped} is closed: .*\\(by ${esc(admin.email)}\\)`)),
      ]);

    await openPage(page, 'Alerts');
    await expect(newestRow(page, key)).toHaveAttribute('data-status', 'resolved');
    await expect(newestRow(page, key)).toContainText('lasted');
    await expect(newestRow(page, key).getByTestId('alert-delivery')).toHaveAttribute('data-state', 'delivered');
    await expect(firing).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'alerts-breaker-resolved');
  });
});

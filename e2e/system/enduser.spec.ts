import { saveScreenshot, signIn } from './support/console.js';
import { speechWav } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';

test.describe('the end-user page', () => {
  test.describe.configure({ timeout: 180_000 });

  test.afterEach(async ({ queue }) => {
    await queue.control({ type: 'queue.resume', priorities: ['low'], reason: 'e2e clean-up' }, SUITE_ACTOR);
  });

  test('turns an uploaded audio file into a transcript, showing position and ETA while it waits', async ({ page, system, queue }, testInfo) => {
    const user = system.info.accounts.users[0]!;
    await signIn(page, user, '/app');
    await expect(page.getByTestId('transcribe-page')).toBeVisible();
    await expect(page.getByText('Nothing yet: record or upload audio above.')).toBeVisible();

    // An operator holds low priority for a moment, so the wait is long enough to watch.
    await queue.control({ type: 'queue.pause', priorities: ['low'], reason: 'e2e: show the wait' }, SUITE_ACTOR);

    const text = 'Please book a table for four at seven tonight.';
    await page.getByLabel('Priority').selectOption('low');
    await page.getByLabel(/Audio file/).setInputFiles({ name: 'booking.wav', mimeType: 'audio/wav', buffer: Buffer.from(speechWav(text, 2)) });
    await page.getByRole('button', { name: 'Transcribe' }).click();

    const request = page.locator('[data-testid^="request-"]').first();
    await expect(request).toHaveAttribute('data-status', 'queued', { timeout: 60_000 });
    await expect(request.getByTestId('position-eta')).toHaveText(/^position \d+ · about \d/);
    await expect(page.getByTestId('rate-remaining').locator('dd').first()).toHaveText(/^\d+ \/ \d+$/);
    await saveScreenshot(page, testInfo, 'enduser-waiting');

    await queue.control({ type: 'queue.resume', priorities: ['low'], reason: 'e2e: release' }, SUITE_ACTOR);
    await expect(request).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(request.getByTestId('transcript')).toHaveText(text);
    await expect(page.getByTestId('notice')).toContainText('Transcript ready');
    await saveScreenshot(page, testInfo, 'enduser-transcript');
  });
});

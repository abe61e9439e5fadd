import { saveScreenshot, signIn } from './support/console.js';
import { uidOf } from './support/accounts.js';
import { enqueueJobs, speechWav } from './support/jobs.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';
import { RATE_LIMITED_TIER, SCHEDULED_USER } from './support/system-config.js';

test.describe('the end-user page', () => {
  test.describe.configure({ timeout: 180_000 });

  test.afterEach(async ({ queue, system }) => {
    await queue.control({ type: 'breaker.reset', model: system.info.gemini.model, reason: 'e2e clean-up' }, SUITE_ACTOR);
  });

  test('turns an uploaded audio file into a transcript, showing position and ETA while it waits', async ({ page, system, queue }, testInfo) => {
    const user = system.info.accounts.users[0]!;
    await signIn(page, user, '/app');
    await expect(page.getByTestId('transcribe-page')).toBeVisible();

    // Hold the queue the way an outage would (the breaker open: nothing is claimed, nothing is
    // paused), with other users' jobs ahead, so the wait is there to watch on any machine.
    // Normal priority, like the upload: urgent and high would go to the fallback model.
    const model = system.info.gemini.model;
    await queue.control({ type: 'breaker.force_open', model, reason: 'e2e: hold the queue' }, SUITE_ACTOR);
    await enqueueJobs(queue, [
      { userId: 'e2e-ahead', priority: 'normal' },
      { userId: 'e2e-ahead', priority: 'normal' },
    ]);

    const text = 'Please book a table for four at seven tonight.';
    await page.getByLabel('Priority').selectOption('normal');
    await page.getByLabel(/Audio file/).setInputFiles({ name: 'booking.wav', mimeType: 'audio/wav', buffer: Buffer.from(speechWav(text, 2)) });
    await page.getByRole('button', { name: 'Transcribe' }).click();

    const request = page.locator('[data-testid^="request-"]').first();
    await expect(request).toHaveAttribute('data-status', 'queued', { timeout: 60_000 });
    // "position 2 · about 9 s" / "2 ahead · starts in about 9 s": jobs ahead and an ETA.
    await expect(request.getByTestId('position-eta')).toHaveText(/^(position [1-9]\d*|[1-9][\d,]* ahead) · (starts in )?about \d/);
    await expect(page.getByTestId('rate-remaining').locator('dd').first()).toHaveText(/^\d+ \/ \d+$/);
    await saveScreenshot(page, testInfo, 'enduser-waiting');

    await queue.control({ type: 'breaker.reset', model, reason: 'e2e: release' }, SUITE_ACTOR);
    await expect(request).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(request.getByTestId('transcript')).toHaveText(text);
    await expect(page.getByTestId('notice')).toContainText('Transcript ready');
    await saveScreenshot(page, testInfo, 'enduser-transcript');
  });

  test('over the rate limit the job is scheduled, not refused: the page says when, then shows the transcript', async ({ page, system, queue, store }, testInfo) => {
    // The user's tier allows one job a minute; a server-side enqueue puts them in it and spends it.
    const uid = await uidOf(system, SCHEDULED_USER);
    const first = await queue.enqueue({ audio: speechWav('The first one of the minute.'), mimeType: 'audio/wav', userId: uid, tier: RATE_LIMITED_TIER });
    expect(first.deferredUntil).toBeNull();

    await signIn(page, SCHEDULED_USER, '/app');
    await expect(page.getByTestId('transcribe-page')).toBeVisible();
    const text = 'Call me back when the window opens.';
    await page.getByLabel(/Audio file/).setInputFiles({ name: 'later.wav', mimeType: 'audio/wav', buffer: Buffer.from(speechWav(text, 2)) });
    await page.getByRole('button', { name: 'Transcribe' }).click();

    // The admitter books it for when the minute's window allows instead of rejecting it.
    const request = page.locator('[data-testid^="request-"][data-status="scheduled"]');
    await expect(request).toHaveCount(1, { timeout: 60_000 });
    const jobId = (await request.getAttribute('data-testid'))!.slice('request-'.length);
    const job = (await store.get('jobs', jobId)).doc!;
    expect(job).toMatchObject({ status: 'waiting', attempts: 0, availableAt: job.deferredUntil });
    expect(job.deferredUntil! - first.rateLimit.resetAt).toBeLessThanOrEqual(0);
    // "Scheduled for HH:MM:SS ZONE (rate limit)", the booked start in the browser's time zone,
    // named (the console's one time formatter, e.g. "14:03:07 CET").
    const at = await page.evaluate((ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false }), job.deferredUntil!);
    await expect(request.getByTestId('position-eta')).toHaveText(new RegExp(`^Scheduled for ${at} \\S+ \\(rate limit\\)$`));
    await saveScreenshot(page, testInfo, 'enduser-scheduled');

    // When the window allows, it runs like any job.
    const done = page.getByTestId(`request-${jobId}`);
    await expect(done).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 });
    await expect(done.getByTestId('transcript')).toHaveText(text);
    const finished = (await store.get('jobs', jobId)).doc!;
    expect(finished.firstStartedAt).toBeGreaterThanOrEqual(job.deferredUntil!);
    expect(finished.deferredUntil).toBe(job.deferredUntil);
  });
});

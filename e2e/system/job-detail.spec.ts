import { confirmDialog, consoleNav, saveScreenshot, signIn } from './support/console.js';
import { speechWav, waitForIdleQueue } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

/** What the spec reads of an <audio> element (the e2e tsconfig has no DOM types). */
interface MediaState {
  error: { code: number } | null;
  readyState: number;
  duration: number;
}

/** The browser globals the in-app navigation uses. */
interface BrowserWindow {
  history: { pushState(state: unknown, title: string, url: string): void };
  dispatchEvent(event: unknown): boolean;
  PopStateEvent: new (type: string) => unknown;
}

test.describe('job detail', () => {
  test.describe.configure({ timeout: 300_000 });

  test.afterEach(async ({ system }) => {
    await system.gemini!.reset({ stats: false, failures: true });
  });

  test('a job that failed once and succeeded after a redrive: both attempts with the upstream status, its audio played while stored, the redrive with the operator e-mail and reason', async ({ page, system, queue, store }, testInfo) => {
    const gemini = system.gemini!;
    const admin = system.info.accounts.admin;
    // Nothing else may call Gemini while the injected failure waits for our job.
    await waitForIdleQueue(store);
    await gemini.failNext({ count: 1, status: 400, message: 'e2e: invalid argument, once' });
    const text = 'This job fails once, then a redrive transcribes it.';
    // 5 s of 8 kHz WAV (80 KB): over the inline threshold, so its audio is in a chunk document.
    const { requestId: jobId } = await queue.enqueue({
      audio: speechWav(text, 5),
      mimeType: 'audio/wav',
      userId: 'e2e-detail',
      userEmail: 'listener@example.com',
      priority: 'urgent',
    });
    const failed = await queue.waitForJob(jobId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, errors: [{ errorClass: 'invalid', code: 400 }] });

    await signIn(page, admin);
    // The first page of a fresh run waits for Vite to compile the console and for its first Firestore connection.
    await expect(consoleNav(page)).toBeVisible({ timeout: 60_000 });
    // To the job's page inside the signed-in console (a router navigation, as its links make):
    // a full reload would sign in and connect to Firestore again, which a loaded machine
    // stretches past a minute.
    await page.evaluate((path) => {
      // This tsconfig has no DOM types: the browser globals this needs, typed here.
      const w = globalThis as unknown as BrowserWindow;
      w.history.pushState({}, '', path);
      w.dispatchEvent(new w.PopStateEvent('popstate'));
    }, `/jobs/${jobId}`);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
    await expect(page.getByTestId('job-user')).toHaveText('listener@example.com');
    const rows = page.getByTestId('job-timeline').getByTestId('timeline-row');
    const attempts = rows.and(page.locator('[data-kind="attempt"]'));
    await expect(attempts).toHaveCount(1);
    await expect(attempts.first()).toContainText('Attempt 1');
    await expect(attempts.first()).toContainText('failed: invalid (HTTP 400)');
    await expect(attempts.first()).toContainText('e2e: invalid argument, once');
    await expect(attempts.first()).toContainText(failed.errors[0]!.serverId!);

    // Playback: the chunk is read on the press, and the browser decodes what it got.
    const playback = page.getByTestId('audio-playback');
    await expect(playback).toContainText('1 chunk read');
    await playback.getByRole('button', { name: 'Play audio' }).click();
    const audio = page.getByTestId('job-audio');
    await expect(audio).toHaveAttribute('src', /^blob:/);
    await expect
      .poll(() =>
        audio.evaluate((el) => {
          const media = el as unknown as MediaState;
          return { error: media.error?.code ?? null, metadata: media.readyState >= 1, seconds: Math.round(media.duration) };
        }),
      )
      .toEqual({ error: null, metadata: true, seconds: 5 });
    await saveScreenshot(page, testInfo, 'job-detail-failed');

    await page.getByRole('button', { name: 'Redrive job' }).click();
    await page.getByRole('dialog', { name: `Redrive job ${jobId}?` }).getByLabel(/Reason/).fill('e2e: the prompt was fixed');
    await confirmDialog(page, `Redrive job ${jobId}?`);
    await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await expect(page.getByTestId('job-transcript')).toHaveText(text);

    await expect(attempts).toHaveCount(2);
    await expect(attempts.nth(0)).toContainText('failed: invalid (HTTP 400)');
    await expect(attempts.nth(1)).toContainText('Attempt 2');
    await expect(attempts.nth(1)).toContainText('succeeded');
    const done = await queue.getJob(jobId);
    expect(done?.result?.serverId).toBeTruthy();
    await expect(attempts.nth(1)).toContainText(done!.result!.serverId!);
    // The redrive sits between the two attempts, by the operator's e-mail, with the reason.
    const redrive = rows.and(page.locator('[data-kind="operator"]'));
    await expect(redrive).toHaveCount(1);
    await expect(redrive).toContainText('Redriven by an operator');
    await expect(redrive).toContainText(admin.email);
    await expect(redrive).toContainText('Reason: e2e: the prompt was fixed');
    const kinds = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
    expect(kinds.indexOf('operator')).toBeGreaterThan(kinds.indexOf('attempt'));
    expect(kinds.lastIndexOf('attempt')).toBeGreaterThan(kinds.indexOf('operator'));
    // The success released the audio: the page lets go of it and says so.
    await expect(page.getByTestId('audio-gone')).toContainText('can no longer be played');
    await expect(audio).toHaveCount(0);

    const raw = page.getByTestId('raw-document');
    await raw.getByText(/Raw document \(JSON\)/).click();
    const json = JSON.parse(await page.getByTestId('raw-json').innerText()) as Record<string, unknown>;
    expect(json).toMatchObject({ id: jobId, status: 'succeeded', redriveCount: 1, userEmail: 'listener@example.com' });
    await saveScreenshot(page, testInfo, 'job-detail-redriven');
  });
});

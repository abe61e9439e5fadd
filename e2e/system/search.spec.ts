import { readFile } from 'node:fs/promises';
import { consoleNav, jobRow, saveScreenshot, signIn } from './support/console.js';
import { speechWav } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

test.describe('job search', () => {
  test.describe.configure({ timeout: 360_000 });

  test('a job submitted by a signed-in user is found by their e-mail; the URL shares the search; the search exports as CSV', async ({ browser, baseURL, page, system, store }, testInfo) => {
    // The end user submits from the end-user page: the client records the token's e-mail.
    const account = system.info.accounts.users[0]!;
    const userContext = await browser.newContext({ baseURL });
    const userPage = await userContext.newPage();
    await signIn(userPage, account, '/app');
    await expect(userPage.getByTestId('transcribe-page')).toBeVisible();
    await userPage.getByLabel(/Audio file/).setInputFiles({ name: 'search.wav', mimeType: 'audio/wav', buffer: Buffer.from(speechWav('Find me by my e-mail address.', 2)) });
    await userPage.getByRole('button', { name: 'Transcribe' }).click();
    const request = userPage.locator('[data-testid^="request-"]').first();
    await expect(request).toHaveAttribute('data-status', /^(submitted|queued|waiting|running|succeeded)$/, { timeout: 60_000 });
    const jobId = (await request.getAttribute('data-testid'))!.slice('request-'.length);
    const stored = (await store.get('jobs', jobId)).doc!;
    expect(stored).toMatchObject({ userEmail: account.email, userEmailLower: account.email.toLowerCase() });
    await userContext.close();

    // The operator types the e-mail in another case: the search ignores it.
    // Generous waits: the dashboard's dev server compiles the console's chunks on their first
    // load, which takes long on a loaded machine.
    await signIn(page, system.info.accounts.admin, '/queues');
    await expect(consoleNav(page)).toBeVisible({ timeout: 90_000 });
    const form = page.getByRole('search', { name: 'Job search' });
    const shouted = account.email.toUpperCase();
    await form.getByLabel('Search jobs').fill(shouted);
    await form.getByRole('button', { name: 'Search' }).click();
    await expect(jobRow(page, jobId)).toBeVisible({ timeout: 60_000 });
    await expect(jobRow(page, jobId)).toContainText(account.email);
    await expect(page.getByTestId('job-table-card').locator('[data-testid^="job-row-"]', { hasNotText: account.email })).toHaveCount(0);
    await expect(page).toHaveURL(new RegExp(`/queues\\?q=${encodeURIComponent(shouted).replace(/[.]/g, '\\.')}$`));
    await saveScreenshot(page, testInfo, 'job-search-email');

    // The link is the search: opened again (a reload, or a colleague following it), it runs it again.
    await page.reload();
    await expect(form.getByLabel('Search jobs')).toHaveValue(shouted, { timeout: 60_000 });
    await expect(jobRow(page, jobId)).toBeVisible({ timeout: 60_000 });

    // Export the search: a CSV file with the job and its e-mail.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^jobs-email-.+\.csv$/);
    const csv = await readFile((await file.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,status,priority,userId,userEmail,createdAt,/);
    expect(lines.find((l) => l.startsWith(`${jobId},`))).toContain(`,${account.email},`);
    await expect(page.getByTestId('export-result')).toHaveText(new RegExp(`^Exported ${lines.length - 1} jobs? as CSV\\.$`));

    // The job id prefix finds it too (a range on the document id).
    await form.getByLabel('Search by').selectOption('id');
    await form.getByLabel('Search jobs').fill(jobId.slice(0, 8));
    await form.getByRole('button', { name: 'Search' }).click();
    await expect(jobRow(page, jobId)).toBeVisible();
    await expect(page).toHaveURL(/&by=id$/);
    // Back returns to the e-mail search.
    await page.goBack();
    await expect(form.getByLabel('Search jobs')).toHaveValue(shouted);
    await expect(form.getByLabel('Search by')).toHaveValue('auto');
  });
});

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { JobStatus } from '@fq/worker/schema';
import type { Account } from '../../../system/index.js';

/** Playwright empties its outputDir on every run; screenshots live where it does not look. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../artifacts/screenshots', import.meta.url));

export type NavLabel = 'Overview' | 'Alerts' | 'Servers' | 'Breakers' | 'Rate limits' | 'Locks' | 'Queues & jobs' | 'Analytics' | 'Audit log';

/** Fills the sign-in form at `path` (the console at "/", the end-user page at "/app"). */
export async function signIn(page: Page, account: Account, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signInToConsole(page: Page, admin: Account): Promise<void> {
  await signIn(page, admin);
  await expect(consoleNav(page)).toBeVisible();
}

export function consoleNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Console' });
}

export async function openPage(page: Page, label: NavLabel): Promise<void> {
  await consoleNav(page).getByRole('link', { name: label, exact: true }).click();
}

/** Confirms the open control dialog and waits until the control committed (dialog gone). */
export async function confirmDialog(page: Page, title: string | RegExp): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
}

/** The first value of a Stat (`<dd>`) with this test id. */
export function statValue(page: Page, testId: string): Locator {
  return page.getByTestId(testId).locator('dd').first();
}

/** A number as the dashboard formats it ("1,234", "—" for none). */
export async function readNumber(locator: Locator): Promise<number> {
  const text = (await locator.innerText()).replace(/[,\s]/g, '');
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : 0;
}

/** Job search on the Queues & jobs page (a fetched page, not a live list). */
export async function searchJobs(page: Page, query: { text?: string; status?: JobStatus | '' }): Promise<void> {
  const form = page.getByRole('search', { name: 'Job search' });
  await form.getByLabel('Search jobs').fill(query.text ?? '');
  await form.getByLabel('Status').selectOption(query.status ?? '');
  await form.getByRole('button', { name: 'Search' }).click();
}

export function jobRow(page: Page, jobId: string): Locator {
  return page.getByTestId(`job-row-${jobId}`);
}

/** Refreshes the job table until the job's row shows `status` (jobs change under it). */
export async function expectJobRowStatus(page: Page, jobId: string, status: JobStatus, timeoutMs = 60_000): Promise<void> {
  const form = page.getByRole('search', { name: 'Job search' });
  await expect(async () => {
    await form.getByRole('button', { name: 'Refresh' }).click();
    await expect(jobRow(page, jobId).getByTestId('job-status')).toHaveAttribute('data-status', status, { timeout: 1_500 });
  }).toPass({ timeout: timeoutMs, intervals: [250, 500, 1_000] });
}

/**
 * A full-page screenshot kept in e2e/artifacts/screenshots and attached to the report.
 * Chromium's full-page capture (it lays the page out beyond the viewport) once hung for
 * minutes on a loaded CI machine with the page live and answering; the capture is an
 * artifact, not the assertion, so a stalled one falls back to the viewport, and the test
 * says so in its annotations. A page too stuck for even that fails the test.
 */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}/${name}.png`;
  try {
    await page.screenshot({ path, fullPage: true, animations: 'disabled', timeout: 15_000 });
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TimeoutError') throw error;
    testInfo.annotations.push({ type: 'screenshot', description: `${name}: full-page capture timed out; viewport only` });
    await page.screenshot({ path, animations: 'disabled', timeout: 15_000 });
  }
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

import type { Page } from '@playwright/test';
import { openPage, saveScreenshot, signInToConsole } from './support/console.js';
import { expect, test } from './support/fixtures.js';

/** Server id of the row that carries the leader badge, or null while nobody leads. */
async function leaderOnServersPage(page: Page): Promise<string | null> {
  const rows = page.locator('[data-testid^="server-row-"]', { has: page.getByTestId('leader-badge') });
  if ((await rows.count()) !== 1) return null;
  return ((await rows.getAttribute('data-testid')) ?? '').replace(/^server-row-/, '') || null;
}

async function leaderTerm(page: Page): Promise<number> {
  const text = await page.getByTestId('leader-info').innerText();
  return Number(/holds term (\d+)/.exec(text)?.[1] ?? NaN);
}

test.describe('the fleet on the Servers page', () => {
  test.describe.configure({ timeout: 180_000 });

  test('live servers and the leader are shown; killing the leader marks it stale and moves leadership', async ({ page, system }, testInfo) => {
    const running = (await system.workers()).filter((w) => w.state === 'running').map((w) => w.serverId);
    expect(running.length).toBeGreaterThanOrEqual(3);
    await signInToConsole(page, system.info.accounts.admin);

    // Overview (the embeddable monitor's figures): every live worker counts as active, one of them leads.
    await expect(page.getByTestId('fq-monitor-active-servers')).toHaveText(String(running.length), { timeout: 30_000 });
    await expect.poll(async () => running.includes(await page.getByTestId('fq-monitor-leader').innerText()), { timeout: 30_000 }).toBe(true);

    await openPage(page, 'Servers');
    for (const id of running) {
      const row = page.getByTestId(`server-row-${id}`);
      await expect(row).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
      await expect(row).toContainText('active');
    }
    await expect(page.getByTestId('leader-badge')).toHaveCount(1);
    const leader = await leaderOnServersPage(page);
    expect(running).toContain(leader);
    const term = await leaderTerm(page);
    await saveScreenshot(page, testInfo, 'servers');

    // kill -9 the leader: no goodbye, its heartbeats and lease simply stop.
    const killed = await system.killWorker(leader!, 'SIGKILL');
    expect(killed.exit?.signal).toBe('SIGKILL');
    const deadRow = page.getByTestId(`server-row-${leader}`);
    await expect(deadRow).toHaveAttribute('data-stale', 'true', { timeout: 30_000 });
    await expect(deadRow.getByTestId('stale-badge')).toBeVisible();

    const survivors = running.filter((id) => id !== leader);
    await expect
      .poll(async () => survivors.includes((await leaderOnServersPage(page)) ?? ''), { timeout: 60_000, message: 'a surviving worker takes the lead' })
      .toBe(true);
    expect(await leaderTerm(page)).toBeGreaterThan(term);
    await expect(deadRow.getByTestId('leader-badge')).toHaveCount(0);
    await saveScreenshot(page, testInfo, 'servers-after-leader-killed');

    // Restore the fleet's size for the specs that follow: a new process, a new server id.
    const [replacement] = await system.addWorkers(1);
    await expect(page.getByTestId(`server-row-${replacement!.serverId}`)).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
  });
});

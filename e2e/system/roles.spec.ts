import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { makeTestWav } from '@fq/fake-gemini';
import { ensureAccount, type Account } from '../../system/index.js';
import { confirmDialog, consoleNav, openPage, saveScreenshot, signIn, type NavLabel } from './support/console.js';
import { expect, SUITE_ACTOR, test } from './support/fixtures.js';

/** Every control the console offers an admin somewhere (ControlButton labels). */
const CONTROL_LABELS = /^(Pause queue|Resume queue|Pause (urgent|high|normal|low)|Resume (urgent|high|normal|low)|Force open|Force close|Reset|Clear override|Force open model|Force release|Cancel job|Retry job|Redrive job|Drain|Resume|Retry selected|Redrive selected|Cancel selected)$/;

const VIEWER: Account = { email: 'viewer@e2e.example.com', password: 'viewer-pass-1' };

test.describe('roles and servers', () => {
  test.describe.configure({ timeout: 180_000 });

  test.beforeAll(async ({ system }) => {
    // A viewer of the system's tenant, made the way an operator would (firebase-admin against the Auth emulator).
    process.env.FIREBASE_AUTH_EMULATOR_HOST = system.info.auth.hostAndPort;
    const app = initializeApp({ projectId: system.info.projectId }, `e2e-roles-${Date.now()}`);
    try {
      const result = await ensureAccount(getAuth(app), { ...VIEWER, create: true, viewer: true, admin: false, tenant: system.info.prefix });
      expect(result).toMatchObject({ viewer: true, admin: false, tenant: system.info.prefix });
    } finally {
      await deleteApp(app);
    }
  });

  test('a viewer sees every page with its data and no control', async ({ page, system, queue }, testInfo) => {
    // Something to see: a job, and a servers table with live workers.
    const job = await queue.enqueue({ audio: makeTestWav({ durationSec: 1, text: 'seen by a viewer' }), mimeType: 'audio/wav', userId: 'viewer-e2e' });
    await signIn(page, VIEWER);
    // The console's data chunk and first listeners take a while on a loaded machine.
    await expect(consoleNav(page)).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('signed-in-user')).toHaveText(`${VIEWER.email}(viewer)`);

    const running = (await system.workers()).filter((w) => w.state === 'running').map((w) => w.serverId);
    const pages: NavLabel[] = ['Overview', 'Servers', 'Breakers', 'Queues & jobs', 'Locks', 'Rate limits', 'Analytics', 'Audit log', 'Alerts'];
    for (const label of pages) {
      await openPage(page, label);
      const main = page.getByRole('main');
      if (label === 'Servers') {
        for (const id of running) await expect(page.getByTestId(`server-row-${id}`)).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
        await expect(page.getByRole('columnheader', { name: 'Control' })).toHaveCount(0);
        await saveScreenshot(page, testInfo, 'servers-as-viewer');
      }
      if (label === 'Queues & jobs') await expect(page.getByTestId('queue-state')).toBeVisible();
      // Let the page's live data arrive before looking for what must not be there.
      await expect(main.getByText(/Loading/)).toHaveCount(0, { timeout: 30_000 });
      await expect(main.getByRole('button', { name: CONTROL_LABELS })).toHaveCount(0);
    }
    // A reload: the console reconnects to Firestore first (slow on a loaded machine).
    await page.goto(`/jobs/${job.requestId}`);
    await expect(page.getByRole('main')).toContainText(job.requestId, { timeout: 60_000 });
    await expect(page.getByRole('main').getByText(/Loading/)).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByRole('main').getByRole('button', { name: CONTROL_LABELS })).toHaveCount(0);
  });

  test('an admin drains one server from the Servers page, sees it draining then drained, and resumes it', async ({ page, system, queue, store }, testInfo) => {
    const running = (await system.workers()).filter((w) => w.state === 'running').map((w) => w.serverId);
    expect(running.length).toBeGreaterThanOrEqual(2);
    const target = running[running.length - 1]!;
    try {
      await signIn(page, system.info.accounts.admin);
      await expect(consoleNav(page)).toBeVisible({ timeout: 60_000 });
      await openPage(page, 'Servers');
      const row = page.getByTestId(`server-row-${target}`);
      const state = page.getByTestId(`server-state-${target}`);
      await expect(row).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
      await expect(state).toHaveText('active');

      await row.getByRole('button', { name: 'Drain' }).click();
      const dialog = page.getByRole('dialog', { name: `Drain server ${target}?` });
      await dialog.getByLabel(/Reason/).fill('e2e: drain and resume');
      await confirmDialog(page, `Drain server ${target}?`);
      // The worker answers: draining while it finishes what it runs, drained with nothing left.
      await expect(state).toHaveText(/^(draining|drained)$/, { timeout: 30_000 });
      await expect(state).toHaveText('drained', { timeout: 90_000 });
      await saveScreenshot(page, testInfo, 'servers-drained');
      const doc = (await store.get('servers', target)).doc;
      expect(doc).toMatchObject({ state: 'draining', inFlight: 0 });

      await row.getByRole('button', { name: 'Resume' }).click();
      await confirmDialog(page, `Resume server ${target}?`);
      await expect(state).toHaveText('active', { timeout: 30_000 });
      await expect(row.getByRole('button', { name: 'Drain' })).toBeVisible();

      // Both controls are in the audit log, by the admin, with the reason.
      await openPage(page, 'Audit log');
      const main = page.getByRole('main');
      await expect(main.getByText('server.drain').first()).toBeVisible({ timeout: 30_000 });
      await expect(main.getByText('server.resume').first()).toBeVisible();
      await expect(main).toContainText('e2e: drain and resume');
    } finally {
      // Leave the fleet as it was for the specs that follow.
      await queue.control({ type: 'server.resume', serverId: target, reason: 'e2e clean-up' }, SUITE_ACTOR).catch(() => undefined);
    }
  });
});

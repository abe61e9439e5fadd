import { openPage, signInToConsole } from './support/console.js';
import { enqueueJobs, statsAt } from './support/jobs.js';
import { expect, test } from './support/fixtures.js';

test.describe('operating the fleet and the emulator', () => {
  test.describe.configure({ timeout: 180_000 });

  test('a frozen worker turns stale and recovers when thawed; a restarted worker registers under a new id', async ({ page, system, store }) => {
    const { doc: lease } = await store.get('leader', 'current');
    const victim = (await system.workers()).find((w) => w.state === 'running' && w.serverId !== lease?.holder);
    expect(victim, 'a running worker that is not the leader').toBeDefined();
    await signInToConsole(page, system.info.accounts.admin);
    await openPage(page, 'Servers');
    const row = page.getByTestId(`server-row-${victim!.serverId}`);
    await expect(row).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });

    // SIGSTOP: the process exists but cannot heartbeat (a long GC pause, a frozen VM).
    await system.signalWorker(victim!.serverId, 'SIGSTOP');
    await expect(row).toHaveAttribute('data-stale', 'true', { timeout: 30_000 });
    await system.signalWorker(victim!.serverId, 'SIGCONT');
    await expect(row).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
    await expect(row).toContainText('active');

    // A restart is a new process with a new server id; the old one deregistered on SIGTERM.
    const restarted = await system.restartWorker(victim!.serverId);
    expect(restarted.serverId).not.toBe(victim!.serverId);
    expect(restarted.slot).toBe(victim!.slot);
    await expect(page.getByTestId(`server-row-${restarted.serverId}`)).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
    await expect(row).toContainText('stopped');
    expect((await system.workers()).map((w) => w.serverId)).toContain(restarted.serverId);
    expect(await system.failures()).toEqual([]);
  });

  test('the dashboard stays live when the emulator drops every stream', async ({ page, system, store, queue }) => {
    test.skip(!system.faults, 'fault injection needs our emulator');
    await signInToConsole(page, system.info.accounts.admin);
    const updated = page.getByText(/ago by the leader\.$/);
    await expect(updated).toBeVisible();
    const meterBefore = await system.meter();
    expect(meterBefore.reads).toBeGreaterThan(0);

    const dropped = await system.faults!.dropStreams();
    expect(dropped).toBeGreaterThan(0);
    // The browser's listeners reconnect and resume: the Overview shows the leader's next writes.
    // An idle fleet's leader writes nothing, so give it work: a job wakes it and moves the stats.
    const after = await statsAt(store);
    await enqueueJobs(queue, [{ userId: 'e2e-dropped-streams', priority: 'normal' }]);
    await expect
      .poll(async () => {
        const text = await updated.innerText();
        const age = /Updated (\d+) ms ago/.exec(text);
        return (await statsAt(store)) > after && age !== null;
      }, { timeout: 30_000, message: 'fresh statistics after the streams were dropped' })
      .toBe(true);
    await expect(page.getByRole('status').filter({ hasText: 'Live' }).first()).toBeVisible();
    expect((await system.meter()).reads).toBeGreaterThan(meterBefore.reads);
  });
});

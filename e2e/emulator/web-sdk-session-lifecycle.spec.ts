import { expect, test } from '@playwright/test';
import type { RunningEmulator } from '@fq/emulator';
import { startEmulator } from '@fq/emulator';
import { HarnessPage } from './support/harness-page.js';
import type { EmulatorTarget } from './support/target.js';
import { adminFor, uniqueProject } from './support/target.js';

// WebChannel session housekeeping with the real SDK, on an emulator with tight limits:
// streaming backchannels rotated after a few KB, keep-alive noops every 300 ms, and the
// sessions freed when the SDK terminates. Needs our emulator (its session counters).

let emulator: RunningEmulator;
let target: EmulatorTarget;

test.beforeAll(async () => {
  emulator = await startEmulator({ port: 0, logLevel: 'silent', webChannel: { rotateAfterChars: 4_000, keepAliveMs: 300, sweepIntervalMs: 100 } });
  target = { host: emulator.host, port: emulator.port, url: emulator.url, emulator, stop: () => emulator.stop() };
});

test.afterAll(async () => {
  await emulator.stop();
});

test('rotated backchannels and keep-alives keep updates flowing; terminate frees the sessions', async ({ page }) => {
  const projectId = uniqueProject('lifecycle');
  const admin = adminFor(target, projectId);
  const h = new HarnessPage(page, target.port);
  await h.open();
  await h.connect({ host: target.host, port: target.port, projectId, mode: 'auto-detect' });
  await admin.db.doc('feed/x').set({ v: 0, text: '' });
  await h.listen('feed', 'feed/x');
  await expect.poll(async () => (await h.listener('feed')).docs[0]?.data.v).toBe(0);
  for (let v = 1; v <= 30; v++) await admin.db.doc('feed/x').set({ v, text: 'é'.repeat(300) });
  await expect.poll(async () => (await h.listener('feed')).docs[0]?.data.v).toBe(30);
  // Idle for several keep-alive periods, then one more change must still arrive.
  await page.waitForTimeout(1_200);
  await admin.db.doc('feed/x').set({ v: 31 });
  await expect.poll(async () => (await h.listener('feed')).docs[0]?.data.v).toBe(31);

  const listenBackchannels = h.channelRequests.filter((u) => u.pathname.includes('/Listen/') && u.searchParams.get('RID') === 'rpc');
  expect(listenBackchannels.length).toBeGreaterThanOrEqual(3); // rotated at least twice
  expect(new Set(listenBackchannels.map((u) => u.searchParams.get('CI')))).toEqual(new Set(['0']));
  expect((await h.listener('feed')).errors).toEqual([]);
  expect(h.emulatorErrors).toEqual([]);

  await h.set('feed/y', { done: true }); // opens the Write stream too
  expect(emulator.webChannelStats().sessions).toBeGreaterThanOrEqual(2);
  await h.shutdown(); // terminate() closes both channels (beacon TYPE=terminate)
  await expect.poll(() => emulator.webChannelStats().sessions).toBe(0);
  expect(emulator.webChannelStats().ended.terminated).toBeGreaterThanOrEqual(2);
  await admin.close();
});

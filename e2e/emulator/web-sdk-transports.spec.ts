import { expect, test } from '@playwright/test';
import type { TransportMode } from './harness/harness.js';
import { HarnessPage } from './support/harness-page.js';
import type { EmulatorTarget } from './support/target.js';
import { adminFor, startTarget, uniqueProject } from './support/target.js';

// The real firebase@12.19.0 web SDK in Chromium against the emulator: unary calls over REST
// (XHR for the full SDK, fetch for the lite SDK), Listen and Write over WebChannel, in each
// transport mode, with a Node process (firebase-admin over gRPC) changing data under it.

let target: EmulatorTarget;

test.beforeAll(async () => {
  target = await startTarget();
});

test.afterAll(async () => {
  await target.stop();
});

const MODES: Array<{ mode: TransportMode; expectBackchannel: (modes: string[]) => void }> = [
  // Auto-detect opens a streaming backchannel first; it only falls back to long polling when
  // no bytes arrive in time, so the first backchannel is always CI=0.
  { mode: 'auto-detect', expectBackchannel: (modes) => expect(modes[0]).toBe('0') },
  { mode: 'force-long-polling', expectBackchannel: (modes) => expect(new Set(modes)).toEqual(new Set(['1'])) },
  { mode: 'no-auto-detect', expectBackchannel: (modes) => expect(new Set(modes)).toEqual(new Set(['0'])) },
];

for (const { mode, expectBackchannel } of MODES) {
  test(`web SDK (${mode}): writes, reads, queries, a transaction, lite REST calls and live updates from Node`, async ({ page }) => {
    const projectId = uniqueProject(mode.replace(/-/g, ''));
    const admin = adminFor(target, projectId);
    const h = new HarnessPage(page, target.port);
    await h.open();
    await h.connect({ host: target.host, port: target.port, projectId, mode, uid: 'alice' });

    // Write stream (WebChannel) and Listen stream (getDoc) round trip; non-ASCII text checks
    // that chunk lengths count UTF-16 code units.
    const tag = 'web é ✓ 𝄞';
    await h.set('items/a', { n: 1, tag });
    expect(await h.get('items/a')).toEqual({ n: 1, tag });
    expect((await admin.db.doc('items/a').get()).data()).toEqual({ n: 1, tag });

    // Documents written by Node are visible to queries from the page.
    await admin.db.doc('items/b').set({ n: 2, tag: 'node' });
    await admin.db.doc('items/c').set({ n: 3, tag: 'node' });
    expect((await h.query({ collection: 'items', where: ['n', '>=', 2], orderBy: 'n' })).map((d) => d.id)).toEqual(['b', 'c']);
    expect(await h.count({ collection: 'items' })).toBe(3);

    // Optimistic transaction: REST batchGet, then a commit with preconditions.
    await admin.db.doc('accounts/x').set({ balance: 10 });
    await admin.db.doc('accounts/y').set({ balance: 0 });
    await h.transfer('accounts/x', 'accounts/y', 4);
    expect((await admin.db.doc('accounts/x').get()).get('balance')).toBe(6);
    expect((await admin.db.doc('accounts/y').get()).get('balance')).toBe(4);

    // Lite SDK: fetch-based REST runQuery, batchGet and commit.
    await h.liteSet('lite/one', { v: 'lite' });
    expect(await h.liteGet('lite/one')).toEqual({ v: 'lite' });
    expect((await h.liteQuery('items')).map((d) => d.id)).toEqual(['a', 'b', 'c']);

    // Live updates caused by Node reach the page's listeners.
    await h.listen('items', { collection: 'items', orderBy: 'n' });
    await h.listen('doc', 'items/b');
    await expect.poll(async () => (await h.listener('items')).docs.map((d) => d.id)).toEqual(['a', 'b', 'c']);
    await admin.db.doc('items/b').update({ n: 20 });
    await admin.db.doc('items/c').delete();
    await admin.db.doc('items/d').set({ n: 4 });
    await expect.poll(async () => (await h.listener('items')).docs.map((d) => `${d.id}:${String(d.data.n)}`)).toEqual(['a:1', 'd:4', 'b:20']);
    await expect.poll(async () => (await h.listener('doc')).docs[0]?.data.n).toBe(20);
    expect((await h.listener('items')).errors).toEqual([]);

    expectBackchannel(h.backchannelModes());
    expect(h.emulatorErrors).toEqual([]);
    expect(h.consoleProblems.filter((m) => m.includes('Firestore'))).toEqual([]);
    await h.shutdown();
    await admin.close();
  });
}

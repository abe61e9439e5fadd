import { expect, test } from '@playwright/test';
import { faultsClient } from '@fq/emulator';
import type { TransportMode } from './harness/harness.js';
import { HarnessPage } from './support/harness-page.js';
import type { EmulatorTarget } from './support/target.js';
import { adminFor, startTarget, uniqueProject } from './support/target.js';

// Fault injection and auth through the browser transports. These need our emulator (its
// fault endpoint and rules endpoint), so they skip against an external one.

let target: EmulatorTarget;

test.beforeAll(async () => {
  target = await startTarget();
});

test.afterAll(async () => {
  await target.stop();
});

test.beforeEach(() => {
  test.skip(!target.emulator, 'needs the in-process emulator (fault injection)');
});

for (const mode of ['auto-detect', 'force-long-polling', 'no-auto-detect'] as TransportMode[]) {
  test(`web SDK (${mode}) keeps receiving updates after the emulator drops its streams`, async ({ page }) => {
    const projectId = uniqueProject(`drop${mode.replace(/-/g, '')}`);
    const admin = adminFor(target, projectId);
    const faults = target.emulator!.faults;
    const h = new HarnessPage(page, target.port);
    await h.open();
    await h.connect({ host: target.host, port: target.port, projectId, mode });
    await admin.db.doc('live/doc').set({ v: 1 });
    await h.listen('doc', 'live/doc');
    await expect.poll(async () => (await h.listener('doc')).docs[0]?.data.v).toBe(1);
    await h.set('live/written', { by: 'page', round: 0 });

    for (let round = 1; round <= 2; round++) {
      const dropped = faults.dropStreams(projectId);
      expect(dropped).toBeGreaterThanOrEqual(1);
      await admin.db.doc('live/doc').set({ v: 1 + round });
      await expect.poll(async () => (await h.listener('doc')).docs[0]?.data.v, { timeout: 30_000 }).toBe(1 + round);
      // The Write stream reconnects too.
      await h.set('live/written', { by: 'page', round });
      expect((await admin.db.doc('live/written').get()).get('round')).toBe(round);
    }
    expect(faults.snapshot(projectId).stats.droppedStreams).toBeGreaterThanOrEqual(2);
    expect((await h.listener('doc')).errors).toEqual([]);
    await h.shutdown();
    await admin.close();
  });
}

test('failed commits are retried by the SDK over WebChannel and REST; delays apply per method', async ({ page }) => {
  const projectId = uniqueProject('failcommits');
  const admin = adminFor(target, projectId);
  const remote = faultsClient(target.url, projectId);
  const h = new HarnessPage(page, target.port);
  await h.open();
  await h.connect({ host: target.host, port: target.port, projectId, mode: 'auto-detect' });

  // Write stream: two commits fail with UNAVAILABLE, the SDK reconnects and writes again.
  await remote.failNextCommits(2, 'UNAVAILABLE');
  await h.set('jobs/a', { state: 'queued' });
  expect((await admin.db.doc('jobs/a').get()).get('state')).toBe('queued');
  expect((await remote.snapshot()).stats.failedCommits).toBe(2);

  // REST commit of an optimistic transaction: ABORTED makes the SDK run the transaction again.
  await admin.db.doc('acc/x').set({ balance: 5 });
  await admin.db.doc('acc/y').set({ balance: 5 });
  await remote.failNextCommits(1, 'ABORTED');
  const { attempts } = await h.transfer('acc/x', 'acc/y', 2);
  expect(attempts).toBe(2);
  expect((await admin.db.doc('acc/y').get()).get('balance')).toBe(7);

  // gRPC commits (firebase-admin) count against the same project budget.
  await remote.failNextCommits(1, 'UNAVAILABLE');
  await admin.db.doc('jobs/b').set({ state: 'queued' }); // google-gax retries UNAVAILABLE
  expect((await remote.snapshot()).stats.failedCommits).toBe(4);

  await remote.delay('RunAggregationQuery', 200);
  expect(await h.count({ collection: 'jobs' })).toBe(2);
  const snap = await remote.snapshot();
  expect(snap.delays).toEqual({ RunAggregationQuery: 200 });
  expect(snap.stats.delayedCalls).toBeGreaterThanOrEqual(1);
  await remote.clear();
  expect((await remote.snapshot()).delays).toEqual({});
  await h.shutdown();
  await admin.close();
});

test('the signed-in user reaches the rules engine over WebChannel and REST', async ({ page }) => {
  const projectId = uniqueProject('auth');
  const rules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /owned/{uid} {
      allow read, write: if request.auth != null && request.auth.uid == uid;
    }
  }
}`;
  const res = await fetch(`${target.url}/emulator/v1/projects/${projectId}:securityRules`, {
    method: 'PUT',
    body: JSON.stringify({ rules: { files: [{ content: rules }] } }),
  });
  expect(res.status).toBe(200);
  const h = new HarnessPage(page, target.port);
  await h.open();
  await h.connect({ host: target.host, port: target.port, projectId, mode: 'auto-detect', uid: 'alice' });

  await h.set('owned/alice', { mine: true }); // Write stream: Authorization from the handshake headers
  expect(await h.get('owned/alice')).toEqual({ mine: true }); // Listen stream
  await expect(h.set('owned/bob', { mine: false })).rejects.toThrow(/permission/i);
  await expect(h.get('owned/bob')).rejects.toThrow(/permission/i);
  await h.liteSet('owned/alice', { mine: 'lite' }); // REST: Authorization header
  expect(await h.liteGet('owned/alice')).toEqual({ mine: 'lite' });
  await expect(h.liteGet('owned/bob')).rejects.toThrow(/permission/i);
  await h.shutdown();
});

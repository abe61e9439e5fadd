import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServerClock } from '@fq/worker/core';
import { createQueueClient, type MyRequestsSnapshot, type ClientSettings, type RequestSnapshot } from './index.js';
import { makeWav } from './test/audio.js';
import { T0, job, memoryStorage, rateLimit, stats } from './test/factories.js';
import { FakeStore } from './test/fakeStore.js';

/** Collects what a watch reports; `last` is the newest. */
function recorder<T>() {
  const seen: T[] = [];
  return {
    seen,
    push: (v: T) => void seen.push(v),
    get last(): T {
      if (seen.length === 0) throw new Error('nothing reported yet');
      return seen.at(-1)!;
    },
  };
}

/** Resolves when `check` holds (fake writes, hashing and one-off reads settle asynchronously). */
async function until(check: () => boolean, what: string): Promise<void> {
  await vi.waitFor(() => {
    if (!check()) throw new Error(`not yet: ${what}`);
  });
}

describe('the framework-free client', () => {
  let store: FakeStore;
  const make = (options: Partial<ClientSettings> = {}) =>
    createQueueClient({ store, userId: 'u-1', storage: memoryStorage(), clock: { now: () => T0 }, tickMs: 0, ...options });

  beforeEach(() => {
    store = new FakeStore();
    store.serverNow = () => T0;
  });

  it('watches one request: uploading while it is written, then the job as the engine moves it; another user’s job reads as unknown', async () => {
    const client = make();
    let release!: () => void;
    store.gate = new Promise((r) => (release = r));
    // The fake's ids are predictable: watch the request before it exists.
    const id = 'jobs-1';
    const seen = recorder<RequestSnapshot>();
    const stop = client.watch(id, seen.push);
    expect(seen.last).toEqual({ request: null, isLoading: false, error: null });
    const submitting = client.submit(makeWav(0.1), { mimeType: 'audio/wav' });
    await until(() => seen.last.request?.status === 'uploading', 'uploading shows');
    expect(seen.last.isLoading).toBe(false);
    release();
    expect(await submitting).toBe(id);
    await until(() => seen.last.request?.status === 'submitted', 'the written job shows');
    store.put('jobs', id, { ...store.doc('jobs', id), status: 'queued', position: 3, positionAt: T0, maxAttempts: 5 });
    expect(seen.last.request).toMatchObject({ status: 'queued', position: 3, canCancel: true });
    stop();

    store.put('jobs', 'theirs', job({ userId: 'u-2' }));
    const other = recorder<RequestSnapshot>();
    client.watch('theirs', other.push)();
    expect(other.last).toEqual({ request: null, isLoading: false, error: null });
  });

  it('counts a queued job’s position and ETA down on its tick while it waits, and stops ticking when it leaves', () => {
    vi.useFakeTimers();
    try {
      let now = T0;
      store.serverNow = () => now;
      store.put('stats', 'queue', stats({ throughputPerMin: 60, positionWindow: 100 }));
      store.put('jobs', 'j', job({ status: 'queued', position: 45, estimatedWaitMs: 46_000, positionAt: T0 }));
      const client = make({ clock: { now: () => now }, tickMs: 1_000 });
      const seen = recorder<MyRequestsSnapshot>();
      const stop = client.watchMine(seen.push);
      expect(seen.last.requests[0]).toMatchObject({ position: 45, etaMs: 46_000 });
      now += 10_000;
      vi.advanceTimersByTime(1_000);
      expect(seen.last.requests[0]).toMatchObject({ position: 35, etaMs: 36_000 });
      store.put('jobs', 'j', { ...store.doc('jobs', 'j'), status: 'running' });
      store.put('rateLimits', 'u-1', rateLimit({ resetAt: now - 1 }));
      const reports = seen.seen.length;
      vi.advanceTimersByTime(5_000);
      expect(seen.seen.length).toBe(reports);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancels a job it does not watch by reading it once, and refuses another user’s', async () => {
    store.put('jobs', 'mine', job({ status: 'queued' }));
    store.put('jobs', 'theirs', job({ userId: 'u-2', status: 'queued' }));
    const client = make();
    await client.cancel('mine', 'no longer needed');
    expect(store.commits).toHaveLength(1);
    expect(store.doc('jobs', 'mine').cancelRequest).toMatchObject({ by: 'u-1', reason: 'no longer needed', at: T0 });
    await expect(client.cancel('theirs')).rejects.toMatchObject({ name: 'CancelError', code: 'UNKNOWN_REQUEST' });
    await expect(client.cancel('mine')).rejects.toMatchObject({ code: 'CANCEL_ALREADY_REQUESTED' });
    expect(store.commits).toHaveLength(1);
    // Nothing is left listening after the one-off reads.
    await until(() => store.watchers.size === 0, 'the one-off listeners stop');
  });

  it('submits under the quota the stats document publishes, read once when nothing watches it', async () => {
    store.put('stats', 'queue', stats({ submissionQuota: { perWindow: 1, windowMs: 60_000 } }));
    const client = make();
    await client.submit(makeWav(0.1), { mimeType: 'audio/wav' });
    await expect(client.submit(makeWav(0.1), { mimeType: 'audio/wav' })).rejects.toMatchObject({ code: 'SUBMISSION_THROTTLED', retryAfterMs: 61_000 });
    expect(store.commits).toHaveLength(1);
    await until(() => store.watchers.size === 0, 'the stats read stops');
  });

  it('reports a listener that died as the snapshot’s error, and listens again on the next subscription', () => {
    const client = make();
    const first = recorder<MyRequestsSnapshot>();
    const stop = client.watchMine(first.push);
    const denied = Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' });
    store.breakListeners('jobs', denied);
    expect(first.last.error).toBe(denied);
    stop();
    store.put('jobs', 'j', job());
    const second = recorder<MyRequestsSnapshot>();
    client.watchMine(second.push)();
    expect(second.last).toMatchObject({ error: null, isLoading: false, requests: [{ requestId: 'j' }] });
  });

  it('judges time by Firestore’s clock, learnt from the stats document’s rewrites', () => {
    let local = T0 + 30_000; // the browser is 30 s ahead
    const serverClock = createServerClock();
    store.put('stats', 'queue', stats({ at: T0 - 5_000 }));
    store.put('rateLimits', 'u-1', rateLimit({ resetAt: T0 + 10_000 }));
    const client = make({ clock: { now: () => local }, serverClock });
    const seen = recorder<MyRequestsSnapshot>();
    const stop = client.watchMine(seen.push);
    // The first snapshot is no sample (the document may be old): the browser's time counts.
    expect(serverClock.estimate()).toBeNull();
    expect(seen.last.rateLimit).toMatchObject({ windowEnded: true });
    local += 200;
    store.put('stats', 'queue', stats({ at: T0 }));
    expect(serverClock.estimate()?.offsetMs).toBe(30_200);
    expect(client.serverNow()).toBe(T0);
    // The next report is derived at Firestore's time: 10 s left in the window.
    store.put('rateLimits', 'u-1', rateLimit({ resetAt: T0 + 10_000 }));
    expect(seen.last.rateLimit).toMatchObject({ windowEnded: false, resetInMs: 10_000 });
    stop();
  });

  it('shares one listener per document among its views', () => {
    store.put('stats', 'queue', stats({ pausedPriorities: ['low'] }));
    const client = make();
    const a = recorder<unknown>();
    const stops = [client.watchStats(a.push), client.watchStats(a.push), client.watchRateLimit(a.push)];
    expect([...store.watchers].map((w) => w.ref.collection).sort()).toEqual(['rateLimits', 'stats']);
    expect(a.seen[0]).toMatchObject({ pausedPriorities: ['low'], paused: false });
    for (const stop of stops) stop();
    expect(store.watchers.size).toBe(0);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueError } from '@fq/worker/core';
import { createQueue, MemoryStore, type Queue } from '@fq/worker';
import type { FakeGeminiClient } from '@fq/fake-gemini';
import { TrafficGenerator } from './generator.js';

type EnqueueInput = Parameters<Queue['enqueue']>[0];

/**
 * A queue whose enqueue answers after `latencyMs` (fake timers), refusing one user; its locks
 * are the worker's own (`queue.locks`) over a memory store.
 */
function fakeQueue(latencyMs = 50, store = new MemoryStore()) {
  const calls: EnqueueInput[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const queue = {
    locks: createQueue({ store, clientId: 'demo-traffic' }).locks,
    enqueue: async (input: EnqueueInput) => {
      calls.push(input);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      inFlight -= 1;
      if (input.userId === 'limited') throw new QueueError('RATE_LIMITED', 'slow down');
      if (input.userId === 'broken') throw new Error('store unavailable');
      return { requestId: `r${calls.length}`, position: 0, estimatedWaitMs: 0, rateLimit: null, duplicate: false };
    },
  } as unknown as Queue;
  return { queue, calls, maxInFlight: () => maxInFlight };
}

function fakeGemini() {
  const patches: unknown[] = [];
  const client = {
    config: async () => ({ capacity: 6, outage: null }),
    configure: async (patch: unknown) => {
      patches.push(patch);
      return {};
    },
  } as unknown as FakeGeminiClient;
  return { client, patches };
}

/** stop() waits for enqueues in flight, whose latency runs on the fake clock. */
async function stop(generator: TrafficGenerator): Promise<void> {
  const stopped = generator.stop();
  await vi.advanceTimersByTimeAsync(1_000);
  await stopped;
}

const NO_EPISODES = { everyMs: 0, durationMs: 1, kinds: ['capacity' as const], capacity: 1 };

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TrafficGenerator', () => {
  it('enqueues every job of a burst through the server API, at most 8 at a time', async () => {
    const q = fakeQueue(200);
    const generator = new TrafficGenerator({
      queue: q.queue,
      gemini: null,
      options: { ratePerSec: 0.001, users: [{ id: 'burster', weight: 1 }], burst: { everyMs: 10_000, jobs: 30 }, episodes: NO_EPISODES },
    });
    await generator.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(generator.stats().backlog).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(5_000);
    const stats = generator.stats();
    expect(stats).toMatchObject({ enqueued: 30, bursts: 1, skipped: 0, backlog: 0, errors: 0 });
    expect(q.maxInFlight()).toBe(8);
    expect(q.calls.every((c) => c.userId === 'burster' && c.priority === 'low' && c.mimeType === 'audio/wav')).toBe(true);
    await stop(generator);
  });

  it('counts refusals by code and other failures as errors, and keeps going', async () => {
    const q = fakeQueue(10);
    const generator = new TrafficGenerator({
      queue: q.queue,
      gemini: null,
      options: {
        ratePerSec: 5,
        users: [
          { id: 'limited', weight: 1 },
          { id: 'broken', weight: 1 },
          { id: 'fine', weight: 1 },
        ],
        burst: { everyMs: 0, jobs: 1 },
        episodes: NO_EPISODES,
      },
    });
    await generator.start();
    await vi.advanceTimersByTimeAsync(20_000);
    const stats = generator.stats();
    expect(stats.rejected.RATE_LIMITED).toBeGreaterThan(10);
    expect(stats.errors).toBeGreaterThan(10);
    expect(stats.lastError).toBe('store unavailable');
    expect(stats.enqueued).toBeGreaterThan(10);
    await stop(generator);
    const final = generator.stats();
    expect(final.enqueued + final.errors + (final.rejected.RATE_LIMITED ?? 0)).toBe(q.calls.length);
  });

  it('drives overload episodes on the fake Gemini and restores its baseline afterwards and on stop', async () => {
    const q = fakeQueue();
    const g = fakeGemini();
    const generator = new TrafficGenerator({
      queue: q.queue,
      gemini: g.client,
      options: { ratePerSec: 1, burst: { everyMs: 0, jobs: 1 }, episodes: { everyMs: 30_000, durationMs: 10_000, kinds: ['outage', 'capacity'], capacity: 1 } },
    });
    await generator.start();
    await vi.advanceTimersByTimeAsync(30_500);
    expect(generator.stats().activeEpisode).toBe('outage');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(generator.stats().activeEpisode).toBeNull();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(generator.stats().activeEpisode).toBe('capacity');
    await stop(generator);
    expect(g.patches).toEqual([
      { outage: { kind: 'status', status: 503 } },
      { capacity: 6, outage: null },
      { capacity: 1 },
      { capacity: 6, outage: null },
    ]);
    expect(generator.stats()).toMatchObject({ episodes: 2, running: false });
  });

  it('without the fake Gemini (real API) never schedules episodes', async () => {
    const q = fakeQueue();
    const generator = new TrafficGenerator({
      queue: q.queue,
      gemini: null,
      options: { ratePerSec: 1, episodes: { everyMs: 5_000, durationMs: 1_000, kinds: ['outage'], capacity: 0 } },
    });
    await generator.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(generator.stats().episodes).toBe(0);
    await stop(generator);
  });

  it('rate changes apply at once; rate 0 stops arrivals', async () => {
    const q = fakeQueue(5);
    const generator = new TrafficGenerator({ queue: q.queue, gemini: null, options: { ratePerSec: 0.01, burst: { everyMs: 0, jobs: 1 }, episodes: NO_EPISODES } });
    await generator.start();
    generator.setRate(10);
    await vi.advanceTimersByTimeAsync(10_000);
    const after = generator.stats().enqueued;
    expect(after).toBeGreaterThan(60);
    generator.setRate(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(generator.stats().enqueued).toBeLessThanOrEqual(after + 8);
    expect(generator.stats().ratePerSec).toBe(0);
    await stop(generator);
  });

  it('takes the named lock through queue.locks periodically, holds it with renewals and releases it, also on stop', async () => {
    const store = new MemoryStore();
    const q = fakeQueue(5, store);
    const events: string[] = [];
    const lock = { name: 'demo-usage-report', everyMs: 20_000, holdMs: 8_000, ttlMs: 3_000, purpose: 'demo: exports the usage report' };
    const generator = new TrafficGenerator({
      queue: q.queue,
      gemini: null,
      options: { ratePerSec: 0.001, burst: { everyMs: 0, jobs: 1 }, episodes: NO_EPISODES, lock },
      onEvent: (m) => events.push(m),
    });
    const stored = async () => (await store.get('locks', lock.name)).doc;
    await generator.start();
    await vi.advanceTimersByTimeAsync(5_500);
    expect(generator.stats().locks).toEqual({ taken: 1, busy: 0, holding: true, lastToken: 1 });
    expect(await stored()).toMatchObject({ holder: 'demo-traffic', token: 1, purpose: lock.purpose });
    // Held past its 3 s lease: renewed meanwhile.
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await stored())?.holder).toBe('demo-traffic');
    expect((await stored())?.expiresAt).toBeGreaterThan(Date.now());
    await vi.advanceTimersByTimeAsync(3_000);
    expect(generator.stats().locks.holding).toBe(false);
    expect((await stored())?.holder).toBeNull();

    // Someone else holds it at the next take: counted, not an error.
    const rival = await createQueue({ store, clientId: 'rival' }).locks.acquire(lock.name, { ttlMs: 15_000 });
    await vi.advanceTimersByTimeAsync(12_000);
    expect(generator.stats().locks).toMatchObject({ taken: 1, busy: 1, holding: false });
    expect(generator.stats().errors).toBe(0);
    expect((await stored())?.holder).toBe('rival');

    // The next take (45 s) after the rival's lease ran out; stop releases it at once.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(generator.stats().locks).toMatchObject({ taken: 2, holding: true, lastToken: rival.token + 1 });
    await stop(generator);
    expect(generator.stats().locks.holding).toBe(false);
    expect(await stored()).toMatchObject({ holder: null, token: rival.token + 1 });
    expect(events.filter((e) => e.startsWith('demo lock:'))).toHaveLength(1);
  });
});

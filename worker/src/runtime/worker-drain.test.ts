import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../schema/audit.js';
import { seededRandom } from '../core/ids.js';
import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { FakeTranscriber, type FakeBehaviour } from '../testing/fake-transcriber.js';
import { TEST_CONFIG, uniquePrefix } from '../testing/engine-fixture.js';
import type { TranscriptionRequest } from '../ports/transcriber.js';
import { QueueWorker } from './worker.js';
import { createQueue } from './queue.js';

const admin: Actor = { kind: 'admin', id: 'ops', email: 'ops@example.com' };

function fleet(n: number, behaviour: (r: TranscriptionRequest, i: number) => FakeBehaviour, configPatch: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const shared = new MemoryDatabase();
  const prefix = uniquePrefix('drain');
  const config = { ...TEST_CONFIG, maxConcurrentRequests: 2, ...configPatch };
  const transcriber = new FakeTranscriber(clock, behaviour);
  const store = () => new MemoryStore({ shared, prefix, clock });
  const finished: { server: string; jobId: string; status: string }[] = [];
  const workers = Array.from(
    { length: n },
    (_, i) =>
      new QueueWorker({
        store: store(),
        transcriber,
        config,
        serverId: `w${i}`,
        clock,
        random: seededRandom(i + 1),
        admissionSpreadMs: 200,
        observer: { finished: (jobId, status) => finished.push({ server: `w${i}`, jobId, status }) },
      }),
  );
  const queueStore = store();
  const queue = createQueue({ store: queueStore, config, clock, clientId: 'api' });
  return { clock, workers, queue, transcriber, store: queueStore, finished };
}

type Fleet = ReturnType<typeof fleet>;
let current: Fleet | null = null;

afterEach(async () => {
  if (!current) return;
  const f = current;
  current = null;
  const stopping = Promise.all(f.workers.map((w) => w.stop({ graceMs: 1_000 })));
  await f.clock.advanceUntil(async () => f.workers.every((w) => w.status().state === 'stopped'), 100, 60_000);
  await stopping;
});

const slow = (): FakeBehaviour => ({ kind: 'ok', delayMs: 3_000 });
const enqueue = (f: Fleet, seed: number) => f.queue.enqueue({ audio: makeWav(0.2, { seed }), mimeType: 'audio/wav', userId: `u${seed % 3}` });
const server = async (f: Fleet, id: string) => (await f.store.get('servers', id)).doc!;
const job = async (f: Fleet, id: string) => (await f.queue.getJob(id))!;

describe('draining one server (server.drain / server.resume) on the memory store', () => {
  it('a drained server stops claiming, finishes what it runs, shows draining with 0 in flight; the other takes every new job; resumed, it claims again', async () => {
    const f = (current = fleet(2, slow));
    const [w0, w1] = f.workers as [QueueWorker, QueueWorker];
    // w0 alone first, so the first two jobs run on it.
    await w0.start();
    const first = [await enqueue(f, 1), await enqueue(f, 2)];
    await f.clock.advanceUntil(() => w0.status().inFlight === 2, 50, 30_000);
    await w1.start();

    const plan = await f.queue.control({ type: 'server.drain', serverId: 'w0', reason: 'kernel update' }, admin);
    expect(plan.audit).toMatchObject({ action: 'server.drain', target: { kind: 'server', id: 'w0' }, reason: 'kernel update' });
    await f.clock.advanceUntil(async () => w0.status().drained === true && (await server(f, 'w0')).state === 'draining', 20, 5_000);
    expect(w0.status().state).toBe('running');
    expect(await server(f, 'w1')).toMatchObject({ state: 'active' });

    // New work while w0 drains: all of it goes to w1; w0's own two jobs finish there.
    const later: { requestId: string }[] = [];
    for (let i = 0; i < 5; i++) later.push(await enqueue(f, 10 + i));
    await f.clock.advanceUntil(async () => {
      const all = await Promise.all([...first, ...later].map((r) => job(f, r.requestId)));
      return all.every((j) => j.status === 'succeeded');
    }, 100, 120_000);
    for (const r of first) expect(await job(f, r.requestId)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const ranOn = (id: string) => f.finished.find((e) => e.jobId === id)?.server;
    expect(first.map((r) => ranOn(r.requestId))).toEqual(['w0', 'w0']);
    expect(later.map((r) => ranOn(r.requestId))).toEqual(['w1', 'w1', 'w1', 'w1', 'w1']);
    expect(w0.status().jobsCompleted).toBe(2);
    await f.clock.advanceUntil(async () => (await server(f, 'w0')).inFlight === 0, 100, 10_000);
    expect(await server(f, 'w0')).toMatchObject({ state: 'draining', inFlight: 0 });
    // Still registered and heartbeating: a drained server is idle, not gone.
    await f.clock.advance(30_000);
    expect(await server(f, 'w0')).toMatchObject({ state: 'draining' });
    expect(w0.status().drained).toBe(true);

    await f.queue.control({ type: 'server.resume', serverId: 'w0' }, admin);
    await f.clock.advanceUntil(async () => w0.status().drained === false && (await server(f, 'w0')).state === 'active', 20, 5_000);
    const after: { requestId: string }[] = [];
    for (let i = 0; i < 6; i++) after.push(await enqueue(f, 20 + i));
    await f.clock.advanceUntil(async () => (await Promise.all(after.map((r) => job(f, r.requestId)))).every((j) => j.status === 'succeeded'), 100, 120_000);
    // Six 3 s jobs for two servers of two slots: w1 alone cannot take them all at once.
    expect(after.filter((r) => ranOn(r.requestId) === 'w0').length).toBeGreaterThan(0);
    const audit = (await f.store.query({ collection: 'audit' })).docs.map((d) => d.data.action);
    expect(audit).toEqual(expect.arrayContaining(['server.drain', 'server.resume']));
  });

  it('a job still running when the drain grace ends is released (attempt refunded) and runs elsewhere; the drained server does not take it back', async () => {
    const f = (current = fleet(2, (r, i) => (i === 0 ? { kind: 'hang' } : { kind: 'ok', delayMs: 100 }), { serverCoordination: { drainGraceMs: 2_000 } }));
    const [w0, w1] = f.workers as [QueueWorker, QueueWorker];
    await w0.start();
    const stuck = await enqueue(f, 1);
    await f.clock.advanceUntil(() => w0.status().inFlight === 1, 50, 30_000);

    await f.queue.control({ type: 'server.drain', serverId: 'w0' }, admin);
    await f.clock.advanceUntil(() => w0.status().drained === true, 20, 5_000);
    await f.clock.advance(1_000);
    expect(await job(f, stuck.requestId)).toMatchObject({ status: 'running' });
    await f.clock.advanceUntil(async () => (await job(f, stuck.requestId)).status === 'queued', 50, 5_000);
    expect(f.finished).toContainEqual({ server: 'w0', jobId: stuck.requestId, status: 'released' });
    // Refunded: the release does not spend an attempt, and nobody claims it while w0 is drained.
    expect(await job(f, stuck.requestId)).toMatchObject({ attempts: 0, lease: null });
    await f.clock.advance(5_000);
    expect(await job(f, stuck.requestId)).toMatchObject({ status: 'queued' });
    expect(f.transcriber.callsFor(stuck.requestId)).toBe(1);

    await w1.start();
    await f.clock.advanceUntil(async () => (await job(f, stuck.requestId)).status === 'succeeded', 50, 30_000);
    expect(f.finished.filter((e) => e.jobId === stuck.requestId).map((e) => `${e.server}:${e.status}`)).toEqual(['w0:released', 'w1:succeeded']);
    expect(await server(f, 'w0')).toMatchObject({ state: 'draining', inFlight: 0 });
  });

  it('a stop while drained ends as a normal shutdown; a resume arriving then changes nothing', async () => {
    const f = (current = fleet(1, slow));
    const [w0] = f.workers as [QueueWorker];
    await w0.start();
    await f.queue.control({ type: 'server.drain', serverId: 'w0' }, admin);
    await f.clock.advanceUntil(() => w0.status().drained === true, 20, 5_000);
    const stopping = w0.stop({ graceMs: 500 });
    await f.queue.control({ type: 'server.resume', serverId: 'w0' }, admin);
    await f.clock.advanceUntil(() => w0.status().state === 'stopped', 50, 10_000);
    await stopping;
    expect(await server(f, 'w0')).toMatchObject({ state: 'stopped' });
  });
});

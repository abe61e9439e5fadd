import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { makeTestWav, startFakeGemini, type FakeGeminiHandle } from '@fq/fake-gemini';
import type { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { createQueue, type Queue } from '../runtime/queue.js';
import { firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../testing/firestore-env.js';
import { uniquePrefix } from '../testing/engine-fixture.js';
import { spawnWorker, type WorkerProcess } from '../testing/worker-process.js';
import { waitFor } from '../testing/wait.js';
import { admin, describeWorkers, PROCESS_CONFIG } from './fleet-harness.js';

/**
 * server.drain / server.resume on real processes: two worker processes (the built CLI, fleet
 * flow control) on the Firestore emulator, a fake Gemini slow enough (1.5 s a call) that jobs
 * are in flight when the drain lands. The drained worker finishes its running jobs, claims
 * nothing more while the other takes every new job, and drops out of the leader's budget
 * allocation; resumed, it claims again. Tests run in order on one fleet.
 */
const MODEL = 'gemini-2.5-flash';
// Leases and attempts roomy for a loaded machine: a lost lease reruns a job elsewhere (and a
// third loss dead-letters it), which would blur who ran what.
const CONFIG = {
  ...PROCESS_CONFIG,
  maxAttempts: 10,
  lease: { durationMs: 15_000, heartbeatMs: 2_000 },
  upstream: { model: MODEL, flowIntervalMs: 500, sliceTtlMs: 5_000 },
};
const wav = (text: string) => makeTestWav({ durationSec: 1, text });

let env: FirestoreTestEnv;
let gemini: FakeGeminiHandle;
let store: FirestoreStore;
let queue: Queue;
let workers: WorkerProcess[] = [];
const [A, B] = ['drain-a', 'drain-b'];

beforeAll(async () => {
  env = await startFirestoreTestEnv();
  gemini = await startFakeGemini({ capacity: 100, baseLatencyMs: 1_500, latencyMsPerAudioSecond: 0, latencyJitter: 0 });
  const prefix = uniquePrefix('mpdrain');
  store = firestoreStore(env, prefix);
  queue = createQueue({ store, config: CONFIG, clientId: 'test-api' });
  workers = await Promise.all(
    [A, B].map((serverId) =>
      spawnWorker({ serverId, prefix, projectId: env.projectId, emulatorHost: env.host, fakeGeminiUrl: gemini.url, config: CONFIG, concurrency: 3, graceMs: 1_000 }),
    ),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await store?.close();
  await gemini?.close();
  await env?.stop();
}, 120_000);

async function enqueue(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await queue.enqueue({ audio: wav(`${tag} ${i}`), mimeType: 'audio/wav', userId: `user-${i % 3}` })).requestId);
  return ids;
}

async function allSucceeded(ids: readonly string[]): Promise<Map<string, string>> {
  const servedBy = new Map<string, string>();
  await waitFor(
    async () => {
      for (const id of ids) {
        if (servedBy.has(id)) continue;
        const job = await queue.getJob(id);
        if (job?.status !== 'succeeded') return false;
        servedBy.set(id, job.result?.serverId ?? '?');
      }
      return true;
    },
    { timeoutMs: 150_000, intervalMs: 250, what: `${ids.length} jobs succeeded` },
  );
  return servedBy;
}

const serverDoc = async (id: string) => (await store.get('servers', id)).doc;
const sliceHolders = async () => Object.keys((await store.get('budgets', MODEL)).doc?.slices ?? {}).sort();

describe('draining one of two worker processes while jobs flow', () => {
  it('both servers take jobs, and both hold a budget slice', async () => {
    onTestFailed(() => console.error(describeWorkers(workers)));
    const served = await allSucceeded(await enqueue(8, 'warm-up'));
    expect(new Set(served.values())).toEqual(new Set([A, B]));
    await waitFor(async () => (await sliceHolders()).join() === [A, B].join(), { timeoutMs: 30_000, what: 'both servers hold a slice' });
  }, 240_000);

  it('drained, A finishes the jobs it runs, takes no new one while B takes them all, shows draining with 0 in flight and loses its slice', async () => {
    onTestFailed(() => console.error(describeWorkers(workers)));
    const before = await enqueue(6, 'in flight at the drain');
    await waitFor(async () => ((await serverDoc(A))?.inFlight ?? 0) > 0, { timeoutMs: 30_000, what: 'A runs a job' });
    const plan = await queue.control({ type: 'server.drain', serverId: A, reason: 'multi-process test' }, admin);
    expect(plan.audit).toMatchObject({ action: 'server.drain', target: { kind: 'server', id: A } });
    await waitFor(async () => (await serverDoc(A))?.state === 'draining', { timeoutMs: 30_000, what: 'A says draining' });
    // Jobs keep arriving while A drains.
    const during: string[] = [];
    for (let round = 0; round < 4; round++) {
      during.push(...(await enqueue(3, `during drain ${round}`)));
      await new Promise((r) => setTimeout(r, 400));
    }
    const finished = await allSucceeded(before);
    const ranOnA = before.filter((id) => finished.get(id) === A);
    expect(ranOnA.length).toBeGreaterThan(0);
    // A finished what it held (one attempt each: finished, not released and rerun).
    for (const id of ranOnA) expect((await queue.getJob(id))?.attempts).toBe(1);
    const served = await allSucceeded(during);
    expect([...served.values()].filter((s) => s !== B)).toEqual([]);
    await waitFor(async () => (await serverDoc(A))?.inFlight === 0, { timeoutMs: 30_000, what: 'A has nothing in flight' });
    expect(await serverDoc(A)).toMatchObject({ state: 'draining', inFlight: 0 });
    expect(workers[0]!.isRunning()).toBe(true);
    // Flow control counts B's slots only while A is drained.
    await waitFor(async () => (await sliceHolders()).join() === B, { timeoutMs: 30_000, what: 'only B holds a slice' });
  }, 240_000);

  it('resumed, A is active again, gets a slice back and claims new jobs', async () => {
    onTestFailed(() => console.error(describeWorkers(workers)));
    await queue.control({ type: 'server.resume', serverId: A }, admin);
    await waitFor(async () => (await serverDoc(A))?.state === 'active', { timeoutMs: 30_000, what: 'A says active' });
    // The fleet went idle after the drain's jobs, and an idle leader reallocates nothing until
    // work wakes it (a resume alone is not work), so the slice comes with the next jobs.
    const after = await enqueue(12, 'after resume');
    await waitFor(async () => (await sliceHolders()).join() === [A, B].join(), { timeoutMs: 30_000, what: 'A holds a slice again' });
    const served = await allSucceeded(after);
    expect([...served.values()].filter((s) => s === A).length).toBeGreaterThan(0);
    const actions = (await store.query({ collection: 'audit' })).docs.map((d) => `${d.data.action}:${d.data.target.id}`).sort();
    expect(actions).toEqual([`server.drain:${A}`, `server.resume:${A}`]);
  }, 240_000);
});

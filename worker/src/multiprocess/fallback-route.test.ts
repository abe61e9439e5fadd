import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { WorkerConfigInput } from '../schema/config.js';
import type { Job, JobStatus, Priority } from '../schema/job.js';
import { SINGLETON_IDS } from '../schema/names.js';
import { startFakeGemini, makeTestWav, type FakeCallRecord, type FakeGeminiHandle } from '@fq/fake-gemini';
import type { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { createQueue, type Queue } from '../runtime/queue.js';
import { firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../testing/firestore-env.js';
import { uniquePrefix } from '../testing/engine-fixture.js';
import { spawnWorker, type WorkerProcess } from '../testing/worker-process.js';
import { waitFor } from '../testing/wait.js';
import { admin, describeWorkers, PROCESS_CONFIG } from './fleet-harness.js';

/**
 * Issue 15 item 7, the fallback route on real processes: two worker processes
 * (`worker/src/cli.ts`) on the Firestore emulator, a fake Gemini serving a primary and a
 * fallback model. With the primary's breaker open, urgent and high jobs are transcribed by
 * the fallback model while normal and low wait; once it closes they go to the primary. The
 * fake's call log names the audio of every call, so each job is tied to the model that
 * answered it. Tests run in order on one fleet and wait on observed state.
 */
const PRIMARY = 'gemini-2.5-flash';
const FALLBACK = 'gemini-2.5-flash-lite';

const CONFIG: WorkerConfigInput = {
  ...PROCESS_CONFIG,
  maxAttempts: 10,
  upstream: { model: PRIMARY, fallbackModel: FALLBACK, fallbackPriorities: ['urgent', 'high'], flowIntervalMs: 500 },
  // Three failed calls in a row on one server open it; a probe falls due 1.5 s later.
  circuitBreaker: { failureThreshold: 3, recoveryTimeMs: 1_500, maxRecoveryTimeMs: 3_000, windowMs: 8_000, probeTimeoutMs: 30_000 },
};

let env: FirestoreTestEnv;
let gemini: FakeGeminiHandle;
let store: FirestoreStore;
let queue: Queue;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startFirestoreTestEnv();
  gemini = await startFakeGemini({ capacity: 50, baseLatencyMs: 100, latencyMsPerAudioSecond: 50, latencyJitter: 0, rejectLatencyMs: 2 });
  const prefix = uniquePrefix('mpfallback');
  store = firestoreStore(env, prefix);
  queue = createQueue({ store, config: CONFIG, clientId: 'test-api' });
  workers = await Promise.all(
    [0, 1].map((i) =>
      spawnWorker({
        serverId: `fb-w${i}`,
        prefix,
        projectId: env.projectId,
        emulatorHost: env.host,
        fakeGeminiUrl: gemini.url,
        config: CONFIG,
        concurrency: 4,
        graceMs: 1_000,
      }),
    ),
  );
}, 120_000);

// Whatever a test left behind, the next one starts with a closed breaker and a healthy primary.
afterEach(async () => {
  gemini.configure({ models: { [PRIMARY]: null } });
  await queue.control({ type: 'breaker.reset', model: PRIMARY, reason: 'fallback route test clean-up' }, admin);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await store?.close();
  await gemini?.close();
  await env?.stop();
}, 60_000);

function onFailure(jobs: () => readonly string[]): void {
  onTestFailed(async () => {
    console.error(describeWorkers(workers));
    const docs = await Promise.all(jobs().map((id) => queue.getJob(id)));
    const state = {
      breakers: (await store.query({ collection: 'breakers' })).docs.map((d) => d.data),
      jobs: docs.map((j) => j && { id: j.id, priority: j.priority, status: j.status, attempts: j.attempts, servedBy: j.servedBy, errors: j.errors.map((e) => e.message) }),
      calls: gemini.calls().calls.map((c) => ({ model: c.model, outcome: c.outcome, status: c.status, audio: c.audioSha256?.slice(0, 8) })),
    };
    console.error(`fallback route state ${JSON.stringify(state)}`);
  });
}

let audioSeed = 0;
/** Enqueues one job per priority, each with audio of its own (its sha256 names it in the call log). */
async function enqueue(priorities: readonly Priority[]): Promise<string[]> {
  const ids: string[] = [];
  for (const priority of priorities) {
    const audio = makeTestWav({ durationSec: 0.5, text: `fallback route job ${(audioSeed += 1)} at ${priority}` });
    ids.push((await queue.enqueue({ audio, mimeType: 'audio/wav', userId: `fb-${priority}`, priority })).requestId);
  }
  return ids;
}

async function jobs(ids: readonly string[]): Promise<Job[]> {
  return Promise.all(ids.map(async (id) => (await queue.getJob(id)) ?? Promise.reject(new Error(`job ${id} is gone`))));
}

async function waitStatus(ids: readonly string[], status: JobStatus, what: string): Promise<Job[]> {
  return waitFor(async () => {
    const now = await jobs(ids);
    return now.every((j) => j.status === status) ? now : null;
  }, { timeoutMs: 45_000, intervalMs: 100, what });
}

/** The fake's calls that carried this job's audio. */
function callsOf(job: Job): FakeCallRecord[] {
  return gemini.calls().calls.filter((c) => c.audioSha256 !== null && c.audioSha256 === job.audio.sha256);
}

/**
 * Waits until the leader refreshed the queue statistics `count` more times: a window set by
 * the fleet's own progress (not a sleep) in which every worker had every chance to claim.
 */
async function leaderRounds(count: number): Promise<void> {
  const statsAt = async () => (await store.get('stats', SINGLETON_IDS.queueStats)).doc?.at ?? 0;
  const seen = new Set([await statsAt()]);
  await waitFor(async () => {
    seen.add(await statsAt());
    return seen.size > count;
  }, { timeoutMs: 30_000, intervalMs: 100, what: `${count} leader rounds` });
}

const breakerState = async () => (await store.get('breakers', PRIMARY)).doc?.state ?? null;

describe('fallback route across worker processes (emulator, fake Gemini with two models)', () => {
  it('with the primary forced open, urgent and high complete on the fallback, normal and low wait; reset sends them to the primary', async () => {
    let ids: string[] = [];
    onFailure(() => ids);
    // Every worker publishes the routing the console reads.
    const servers = await waitFor(async () => {
      const docs = (await store.query({ collection: 'servers' })).docs.filter((d) => d.data.state === 'active');
      return docs.length === workers.length ? docs : null;
    }, { timeoutMs: 30_000, what: 'both servers registered' });
    for (const s of servers) expect(s.data.routing).toEqual({ model: PRIMARY, fallbackModel: FALLBACK, fallbackPriorities: ['urgent', 'high'] });

    // The console's control: pinned open, no probe until it is reset. Each worker's listener
    // delivers it before any job enqueued after it (one listen stream, in commit order).
    await queue.control({ type: 'breaker.force_open', model: PRIMARY, reason: 'fallback route test' }, admin);
    gemini.reset();
    // The waiting priorities first: a claim that ignored the route would take them first.
    const waiting = await enqueue(['normal', 'low']);
    const served = await enqueue(['urgent', 'high']);
    ids = [...waiting, ...served];

    const done = await waitStatus(served, 'succeeded', 'urgent and high succeeded');
    for (const job of done) {
      expect(job.servedBy).toBe(FALLBACK);
      expect(job.result?.model).toBe(FALLBACK);
      expect(callsOf(job).map((c) => [c.model, c.outcome])).toEqual([[FALLBACK, 'ok']]);
    }
    // The fleet kept working (leader rounds) and still left normal and low alone.
    await leaderRounds(2);
    for (const job of await jobs(waiting)) {
      expect(job).toMatchObject({ status: 'queued', attempts: 0, servedBy: null });
      expect(callsOf(job)).toEqual([]);
    }
    expect(gemini.stats().byModel[PRIMARY]?.calls ?? 0).toBe(0);

    await queue.control({ type: 'breaker.reset', model: PRIMARY, reason: 'fallback route test over' }, admin);
    for (const job of await waitStatus(waiting, 'succeeded', 'normal and low succeeded after the reset')) {
      expect(job.servedBy).toBe(PRIMARY);
      expect(callsOf(job).map((c) => [c.model, c.outcome])).toEqual([[PRIMARY, 'ok']]);
    }
    console.log(`multi-process fallback (forced) ${JSON.stringify({ byModel: gemini.stats().byModel })}`);
  }, 90_000);

  it('a primary that fails at the fake trips the breaker: urgent and high finish on the fallback, low waits; when it heals, low finishes on the primary', async () => {
    let ids: string[] = [];
    onFailure(() => ids);
    expect(await breakerState()).toBe('closed');
    // The fleet went idle after the last test: no leftover work calls the fake from here.
    gemini.reset();
    gemini.configure({ models: { [PRIMARY]: { outage: { kind: 'status', status: 500, message: 'primary down (test)' } } } });
    const low = await enqueue(['low']);
    const urgent = await enqueue(['urgent', 'high', 'urgent', 'high', 'urgent', 'high']);
    ids = [...low, ...urgent];

    await waitFor(async () => (await breakerState()) === 'open', { timeoutMs: 45_000, intervalMs: 100, what: 'primary breaker open' });
    const done = await waitStatus(urgent, 'succeeded', 'urgent and high succeeded');
    for (const job of done) {
      expect(job.servedBy).toBe(FALLBACK);
      const calls = callsOf(job);
      // Calls to the primary before the breaker opened failed; the one that answered was the fallback.
      expect(calls.at(-1)).toMatchObject({ model: FALLBACK, outcome: 'ok' });
      expect(calls.filter((c) => c.outcome === 'ok')).toHaveLength(1);
      expect(calls.filter((c) => c.model === PRIMARY).every((c) => c.status === 500)).toBe(true);
    }
    // Low waits: never on the fallback, never answered (it may be the primary's failing probe now and then).
    const [lowJob] = await jobs(low);
    expect(lowJob).toMatchObject({ servedBy: null, result: null });
    expect(['queued', 'waiting', 'running']).toContain(lowJob?.status);
    expect(callsOf(lowJob!).every((c) => c.model === PRIMARY && c.outcome !== 'ok')).toBe(true);

    // The primary heals: a half-open probe finds it, the breaker closes, low is transcribed there.
    gemini.configure({ models: { [PRIMARY]: null } });
    const [healed] = await waitStatus(low, 'succeeded', 'low succeeded after the primary healed');
    expect(healed?.servedBy).toBe(PRIMARY);
    expect(callsOf(healed!).at(-1)).toMatchObject({ model: PRIMARY, outcome: 'ok' });
    await waitFor(async () => (await breakerState()) === 'closed', { timeoutMs: 15_000, intervalMs: 100, what: 'primary breaker closed by the probe' });
    console.log(`multi-process fallback (tripped) ${JSON.stringify({ byModel: gemini.stats().byModel })}`);
  }, 90_000);
});

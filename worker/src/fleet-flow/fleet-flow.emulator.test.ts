import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type WorkerConfigInput } from '../schema/config.js';
import { seededRandom } from '../core/ids.js';
import { systemClock } from '../ports/clock.js';
import type { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { GeminiTranscriber } from '../adapters/gemini/gemini-transcriber.js';
import { makeTestWav, startFakeGemini, type FakeGeminiHandle, type FakeGeminiOptions } from '@fq/fake-gemini';
import { firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../testing/firestore-env.js';
import { uniquePrefix } from '../testing/engine-fixture.js';
import { waitFor } from '../testing/wait.js';
import { CallDriver, JobPool } from './call-driver.js';
import { startFleetKit, type FleetKit } from './test-kit.js';

/**
 * Several servers of fleet flow control in one process, on the Firestore emulator (ours, or
 * FIRESTORE_EMULATOR_HOST), calling the fake Gemini through the real SDK. Real time, so
 * every assertion waits on observed state and bounds ratios, never speed.
 */
let env: FirestoreTestEnv;
beforeAll(async () => {
  env = await startFirestoreTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

interface Fleet {
  kit: FleetKit;
  fake: FakeGeminiHandle;
  stores: FirestoreStore[];
  drivers: CallDriver[];
  pool: JobPool;
  stop(): Promise<void>;
}

let running: Fleet | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

async function startFleet(args: { servers: number; jobs: number; config: WorkerConfigInput; fake: FakeGeminiOptions; audioSeconds?: number }): Promise<Fleet> {
  const prefix = uniquePrefix('flow');
  const stores = Array.from({ length: args.servers }, () => firestoreStore(env, prefix));
  const fake = await startFakeGemini({ rejectLatencyMs: 2, latencyJitter: 0.1, ...args.fake });
  const kit = await startFleetKit({ stores, clock: systemClock, config: args.config });
  const pool = new JobPool(args.jobs);
  const seconds = args.audioSeconds ?? 2;
  const audio = { bytes: makeTestWav({ durationSec: seconds, text: 'flow control test' }), seconds };
  const random = seededRandom(5);
  const drivers = kit.servers.map(
    (server) =>
      new CallDriver(server, pool, new GeminiTranscriber({ apiKey: 'test', baseUrl: fake.url }), audio, {
        timeoutMs: 10_000,
        retryBaseMs: 150,
        random,
      }),
  );
  const leader = kit.servers[0]!;
  await kit.lead(leader, 1);
  await kit.heartbeatAll();
  const timers: ReturnType<typeof setInterval>[] = [];
  let beating = false;
  timers.push(
    setInterval(() => {
      if (beating) return;
      beating = true;
      void kit.heartbeatAll().catch(() => undefined).finally(() => (beating = false));
    }, kit.config.serverCoordination.heartbeatIntervalMs),
  );
  let ticking = false;
  timers.push(
    setInterval(() => {
      if (ticking) return;
      ticking = true;
      void kit.tick(leader, 1).catch(() => undefined).finally(() => (ticking = false));
    }, kit.config.upstream.flowIntervalMs),
  );
  for (const d of drivers) d.start();
  return {
    kit,
    fake,
    stores,
    drivers,
    pool,
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all(drivers.map((d) => d.stop()));
      pool.close();
      await kit.close();
      await Promise.all(stores.map((s) => s.close()));
      await fake.close();
    },
  };
}

const FAST: WorkerConfigInput = {
  maxConcurrentRequests: 8,
  serverCoordination: { heartbeatIntervalMs: 200, serverTimeoutMs: 3_000 },
  upstream: { model: 'gemini-2.5-flash', flowIntervalMs: 300, sliceTtlMs: 3_000, adaptive: { initialLimit: 4, minLimit: 1, maxLimit: 64 } },
  circuitBreaker: { recoveryTimeMs: 1_000, maxRecoveryTimeMs: 2_000, probeTimeoutMs: 5_000, windowMs: 10_000 },
};

describe('fleet flow control on the emulator with the fake Gemini', () => {
  it('converges near the upstream capacity without a storm of 503s', async () => {
    const capacity = 6;
    const jobs = 240;
    const started = performance.now();
    running = await startFleet({ servers: 3, jobs, config: FAST, fake: { capacity, baseLatencyMs: 120, latencyMsPerAudioSecond: 0 } });
    const fleet = running;
    await waitFor(() => fleet.pool.done >= jobs, { timeoutMs: 120_000, what: 'all jobs done' });
    const elapsed = performance.now() - started;
    const stats = fleet.fake.stats();
    const useful = fleet.drivers.reduce((s, d) => s + d.stats.usefulMs, 0);
    const rejected = stats.rejectionsByStatus['503'] ?? 0;
    const budget = (await fleet.stores[0]!.get('budgets', 'gemini-2.5-flash')).doc;
    const breaker = (await fleet.stores[0]!.get('breakers', 'gemini-2.5-flash')).doc;
    const measured = {
      jobs,
      capacity,
      elapsedMs: Math.round(elapsed),
      upstreamCalls: stats.calls,
      successes: stats.successes,
      rejected503: rejected,
      wastedCallsPerSuccess: Number((rejected / stats.successes).toFixed(3)),
      goodputShareOfCapacity: Number((useful / (elapsed * capacity)).toFixed(3)),
      fleetLimitAtEnd: budget?.adaptiveLimit,
      maxConcurrentSeenByFake: stats.maxConcurrent,
    };
    console.log(`fleet convergence ${JSON.stringify(measured)} ${JSON.stringify(breaker?.history ?? [])}`);
    expect(stats.successes).toBe(jobs);
    // No storm: far fewer wasted calls than useful ones (a blind retry loop makes several per success).
    expect(rejected / stats.successes).toBeLessThan(0.5);
    expect(breaker?.history ?? []).toHaveLength(0);
    expect(budget?.adaptiveLimit).toBeGreaterThanOrEqual(2);
    expect(budget?.adaptiveLimit).toBeLessThanOrEqual(capacity * 2);
  }, 180_000);

  it('opens on a hard outage, lets exactly one probe at a time through, closes on recovery', async () => {
    running = await startFleet({ servers: 2, jobs: 400, config: FAST, fake: { capacity: 4, baseLatencyMs: 60, latencyMsPerAudioSecond: 0 } });
    const fleet = running;
    const store = fleet.stores[1]!;
    const model = 'gemini-2.5-flash';
    await waitFor(() => fleet.pool.done >= 20, { timeoutMs: 60_000, what: 'warm-up' });
    fleet.fake.configure({ outage: { kind: 'status', status: 503 } });
    const opened = await waitFor(async () => {
      const doc = (await store.get('breakers', model)).doc;
      return doc?.state === 'open' ? doc : null;
    }, { timeoutMs: 60_000, what: 'breaker open' });
    expect(opened.history.at(-1)?.by).toMatch(/^s[01]$/);
    // What tripped it stays on the document (the window restarts at the transition).
    expect(opened.trip).toMatchObject({ at: opened.since, reason: opened.history.at(-1)?.reason, by: opened.history.at(-1)?.by });
    expect(opened.trip?.failures).toBeGreaterThanOrEqual(resolveConfig(FAST).circuitBreaker.failureThreshold);
    expect(opened.trip?.calls).toBeGreaterThanOrEqual(opened.trip?.failures ?? Infinity);
    // Calls already on the wire when the breaker opened land now; then count from a clean slate
    // (no call in flight, so no probe in flight either).
    await waitFor(() => fleet.kit.servers.every((s) => s.inFlight === 0), { timeoutMs: 30_000, what: 'in-flight calls drained' });
    const baseline = (await store.get('breakers', model)).doc as NonNullable<typeof opened>;
    fleet.fake.reset();
    // Let at least two probes fail against the outage.
    const probed = await waitFor(async () => {
      const doc = (await store.get('breakers', model)).doc;
      const probes = doc?.history.filter((t) => t.to === 'half_open' && t.at > baseline.since).length ?? 0;
      return probes >= 2 && doc?.state === 'open' ? { doc, probes } : null;
    }, { timeoutMs: 60_000, what: 'two failed probes' });
    const outage = fleet.fake.stats();
    expect(outage.maxConcurrent).toBeLessThanOrEqual(1);
    expect(outage.calls).toBe(probed.probes);
    expect(probed.doc.generation).toBeGreaterThan(baseline.generation);
    expect(probed.doc.consecutiveFailures).toBeGreaterThanOrEqual(2);
    // Recovery: the next probe succeeds and the breaker closes; work resumes.
    fleet.fake.configure({ outage: null });
    const closed = await waitFor(async () => {
      const doc = (await store.get('breakers', model)).doc;
      return doc?.state === 'closed' ? doc : null;
    }, { timeoutMs: 60_000, what: 'breaker closed' });
    expect(closed.history.at(-1)?.reason).toMatch(/probe by s[01] succeeded/);
    expect(closed.trip).toEqual(opened.trip);
    const doneAtClose = fleet.pool.done;
    await waitFor(() => fleet.pool.done >= doneAtClose + 40, { timeoutMs: 60_000, what: 'work resumed' });
  }, 180_000);
});

import { FirestoreStore, JobLeases, resolveConfig, seededRandom, silentLogger, systemClock, type Query } from '@fq/worker';
import { startFirestoreTarget } from '../lib/firestore-target.js';
import type { Scenario } from '../lib/scenario.js';
import { distribution, ratio } from '../lib/stats.js';
import { benchConfig } from './overload-fleet.js';
import { seedQueuedJobs } from './scale-seed.js';

/**
 * Scale: the worker's claim path with 100,000 queued jobs versus 100. The claim path is
 * the engine's own code: the queue-head query a worker listens to (status == queued,
 * ordered by rank, limited to the head size; `runtime/claim-loop.ts`) and the claim
 * transaction (`JobLeases.claim`). Each probe reads the head, claims a random pick among
 * the first few, and (untimed) releases it so the population stays the same. Probes of the
 * two populations alternate, so both see the same machine noise.
 */
export interface ScaleOptions {
  sizes: number[];
  probes: number;
  /** A worker's head size: min(100, max(10, 4 x maxConcurrentRequests)). */
  headSize: number;
}

interface Population {
  size: number;
  seedSec: number;
  coldHeadQueryMs: number;
  headQueryMs: ReturnType<typeof distribution>;
  claimTxMs: ReturnType<typeof distribution>;
  claimPathMs: ReturnType<typeof distribution>;
  listenFirstSnapshotMs: ReturnType<typeof distribution>;
}

export interface ScaleResult {
  options: ScaleOptions;
  populations: Population[];
  /** Largest population's p50 / smallest's p50 (1 = flat). */
  claimPathP50Ratio: number | null;
  claimPathP95Ratio: number | null;
}

function headQuery(size: number): Query<'jobs'> {
  return { collection: 'jobs', where: [{ field: 'status', op: '==', value: 'queued' }], orderBy: [{ field: 'rank' }], limit: size };
}

async function firstSnapshotMs(store: FirestoreStore, query: Query<'jobs'>): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const stop = store.listen(
      query,
      () => {
        stop();
        resolve();
      },
      reject,
    );
  });
  return performance.now() - started;
}

export async function measureScale(options: ScaleOptions, seed: number, log: (m: string) => void): Promise<ScaleResult> {
  const projectId = 'demo-fq-bench-scale';
  const target = await startFirestoreTarget({ projectId });
  const random = seededRandom(seed);
  const config = resolveConfig(benchConfig('gemini-2.5-flash', 5));
  const populations: { size: number; store: FirestoreStore; leases: JobLeases; seedSec: number; cold: number; head: number[]; claim: number[]; path: number[]; listen: number[] }[] = [];
  try {
    for (const size of options.sizes) {
      const store = new FirestoreStore({ projectId, prefix: `scale${size}_${Date.now().toString(36)}_`, emulatorHost: target.host });
      log(`scale: seeding ${size} queued jobs`);
      const seedMs = await seedQueuedJobs(store, size, (n) => n % 25_000 === 0 && log(`scale: ${n} seeded`));
      const leases = new JobLeases({ store, clock: systemClock, config, serverId: 'bench-scale-probe', random, log: silentLogger, analytics: null });
      const t0 = performance.now();
      await store.query(headQuery(options.headSize));
      populations.push({ size, store, leases, seedSec: seedMs / 1000, cold: performance.now() - t0, head: [], claim: [], path: [], listen: [] });
    }
    log(`scale: ${options.probes} claim probes per population, alternating`);
    for (let i = 0; i < options.probes; i++) {
      for (const p of populations) {
        const t0 = performance.now();
        const head = await p.store.query(headQuery(options.headSize));
        const t1 = performance.now();
        // The claim loop picks at random among the first few candidates (2 x free slots).
        const window = Math.min(head.docs.length, 2 * config.maxConcurrentRequests);
        const pick = head.docs[Math.floor(random() * window)];
        if (!pick) throw new Error(`scale: the head of ${p.size} queued jobs is empty`);
        const claimed = await p.leases.claim(pick.id);
        const t2 = performance.now();
        if (!claimed) throw new Error(`scale: claim of ${pick.id} lost although nobody else claims`);
        p.head.push(t1 - t0);
        p.claim.push(t2 - t1);
        p.path.push(t2 - t0);
        await p.leases.release(claimed.id, claimed.holder);
        if (i % 10 === 0) p.listen.push(await firstSnapshotMs(p.store, headQuery(options.headSize)));
      }
    }
    const result = populations.map(
      (p): Population => ({
        size: p.size,
        seedSec: Math.round(p.seedSec),
        coldHeadQueryMs: Math.round(p.cold),
        headQueryMs: distribution(p.head),
        claimTxMs: distribution(p.claim),
        claimPathMs: distribution(p.path),
        listenFirstSnapshotMs: distribution(p.listen),
      }),
    );
    const small = result[0]!;
    const large = result[result.length - 1]!;
    return {
      options,
      populations: result,
      claimPathP50Ratio: ratio(large.claimPathMs.p50, small.claimPathMs.p50),
      claimPathP95Ratio: ratio(large.claimPathMs.p95, small.claimPathMs.p95),
    };
  } finally {
    for (const p of populations) await p.store.close();
    await target.stop();
  }
}

export const scaleScenario: Scenario<ScaleResult> = async (ctx) => {
  const options: ScaleOptions = { sizes: ctx.quick ? [100, 20_000] : [100, 100_000], probes: ctx.quick ? 40 : 200, headSize: 32 };
  const result = await measureScale(options, ctx.seed, ctx.log);
  return {
    result,
    tables: [
      {
        title: `scale: claim path with ${options.sizes.join(' vs ')} queued jobs (${options.probes} probes each)`,
        headers: ['queued jobs', 'head query p50', 'p95', 'claim tx p50', 'p95', 'claim path p50', 'p95', 'p99', 'listen 1st snapshot p50', 'cold head query'],
        rows: result.populations.map((p) => [
          p.size,
          p.headQueryMs.p50,
          p.headQueryMs.p95,
          p.claimTxMs.p50,
          p.claimTxMs.p95,
          p.claimPathMs.p50,
          p.claimPathMs.p95,
          p.claimPathMs.p99,
          p.listenFirstSnapshotMs.p50,
          p.coldHeadQueryMs,
        ]),
        notes: [
          `claim path p50 ratio (largest / smallest): ${result.claimPathP50Ratio}, p95 ratio: ${result.claimPathP95Ratio} (ms; 1 = independent of queue length)`,
          'claim path = head query (limit 32, as a worker with 8 slots) + claim transaction; cold = first query after seeding (the emulator builds its index lazily)',
          `seeding through BulkWriter: ${result.populations.map((p) => `${p.size} in ${p.seedSec} s`).join(', ')}`,
        ],
      },
    ],
  };
};

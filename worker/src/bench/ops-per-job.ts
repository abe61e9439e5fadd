/**
 * Benchmark: Firestore operations per completed job, from the emulator's billing meter.
 *
 *   npm run -w @fq/worker bench:ops -- [--jobs 300] [--workers 3] [--idle-ms 30000] [--concurrency 4] [--positions on|off]
 *     [--inline-max-bytes N]
 *
 * Runs real worker processes with the DEFAULT production timing (leases, heartbeats, leader
 * maintenance) against our emulator and the fake Gemini, measures the idle cost of the fleet
 * (heartbeats, leader, listeners), then enqueues N jobs through the server API and waits for
 * all to succeed. Prints one JSON object: totals and per-job reads/writes/deletes, raw and
 * with the idle baseline subtracted. Needs our emulator (the meter is ours).
 *
 * Also: the meter's breakdown by kind of call and by collection (when the emulator reports
 * one), for the idle window (per minute) and the run (per job); and every worker's claim
 * counters from its /metrics (claims won, claim conflicts), read at the end.
 *
 * The jobs' audio (2 s of 16 kHz WAV, about 64,070 bytes) is under the default
 * `payload.inlineMaxBytes` (64 KiB), so it travels inline in the job documents;
 * `--inline-max-bytes 0` measures the same jobs with their audio in chunk documents, which is
 * what audio above the threshold pays. The output says which it was (`payload`).
 */
import { parseArgs } from 'node:util';
import { startEmulator } from '@fq/emulator';
import { startFakeGemini, makeTestWav } from '@fq/fake-gemini';
import { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { createQueue } from '../runtime/queue.js';
import { spawnWorker } from '../testing/worker-process.js';
import { PRIORITIES } from '../schema/job.js';
import { resolveConfig } from '../schema/config.js';

interface Counts {
  reads: number;
  writes: number;
  deletes: number;
}

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '300' },
    workers: { type: 'string', default: '3' },
    'idle-ms': { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '4' },
    /** The leader's queue-position refresh (off: to measure what it costs). */
    positions: { type: 'string', default: 'on' },
    /** `payload.inlineMaxBytes` of the enqueuing client (default: the config's default). */
    'inline-max-bytes': { type: 'string' },
  },
});
const jobs = Number(values.jobs);
const workerCount = Number(values.workers);
const idleMs = Number(values['idle-ms']);
const projectId = 'demo-fq-opsbench';

const emulator = await startEmulator({ port: 0, projectId, logLevel: 'warn' });
const meterUrl = `${emulator.url}/emulator/v1/projects/${projectId}:meter`;
interface MeterReading extends Counts {
  byCall?: Record<string, Counts>;
  byCollection?: Record<string, Counts>;
}
const meter = async (): Promise<MeterReading> => (await (await fetch(meterUrl)).json()) as MeterReading;
const resetMeter = async () => void (await fetch(meterUrl, { method: 'DELETE' }));
const diff = (a: Counts, b: Counts): Counts => ({ reads: a.reads - b.reads, writes: a.writes - b.writes, deletes: a.deletes - b.deletes });
const per = (c: Counts, n: number) => ({
  reads: +(c.reads / n).toFixed(2),
  writes: +(c.writes / n).toFixed(2),
  deletes: +(c.deletes / n).toFixed(2),
  total: +((c.reads + c.writes + c.deletes) / n).toFixed(2),
});

/** A breakdown scaled by `factor` (per job, per minute), collection ids without the run's prefix. */
const scaled = (breakdown: Record<string, Counts> | undefined, factor: number, stripPrefix: string) =>
  breakdown
    ? Object.fromEntries(
        Object.entries(breakdown)
          .map(([key, c]) => [key.startsWith(stripPrefix) ? key.slice(stripPrefix.length) : key, c] as const)
          .sort((a, b) => b[1].reads + b[1].writes + b[1].deletes - (a[1].reads + a[1].writes + a[1].deletes))
          .map(([key, c]) => [key, { reads: +(c.reads * factor).toFixed(2), writes: +(c.writes * factor).toFixed(2), deletes: +(c.deletes * factor).toFixed(2) }]),
      )
    : null;
const breakdownOf = (m: MeterReading, factor: number) =>
  m.byCall || m.byCollection ? { byCall: scaled(m.byCall, factor, ''), byCollection: scaled(m.byCollection, factor, prefix) } : null;

type RouteCounts = Record<string, { won: number; lost: number }>;

/** A worker's Prometheus claim counters: the totals (`name value`) and the attempts by route and outcome. */
async function claimCounters(port: number): Promise<{ claimed: number | null; conflicts: number | null; errors: number | null; byRoute: RouteCounts }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counter = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : null;
  };
  const byRoute: RouteCounts = {};
  for (const m of text.matchAll(/^fq_claim_attempts_by_route_total\{route="(\w+)",outcome="(won|lost)"\} (\d+)/gm)) {
    const r = (byRoute[m[1]!] ??= { won: 0, lost: 0 });
    r[m[2] as 'won' | 'lost'] += Number(m[3]);
  }
  return { claimed: counter('fq_jobs_claimed_total'), conflicts: counter('fq_claim_conflicts_total'), errors: counter('fq_claim_errors_total'), byRoute };
}

const gemini = await startFakeGemini({ capacity: 200, baseLatencyMs: 150, latencyMsPerAudioSecond: 50, latencyJitter: 0 });
const prefix = `bench_${Date.now().toString(36)}_`;
const config = {
  rateLimiting: { requestsPerMinute: 5_000, burstLimit: 1_000, windowSizeMs: 60_000 },
  maxQueueSize: 100_000,
  queuePositions: { enabled: values.positions !== 'off' },
  ...(values['inline-max-bytes'] === undefined ? {} : { payload: { inlineMaxBytes: Number(values['inline-max-bytes']) } }),
};
const inlineMaxBytes = resolveConfig(config).payload.inlineMaxBytes;
const workers = await Promise.all(
  Array.from({ length: workerCount }, (_, i) =>
    spawnWorker({
      serverId: `bench-w${i}`,
      prefix,
      projectId,
      emulatorHost: emulator.hostAndPort,
      fakeGeminiUrl: gemini.url,
      concurrency: Number(values.concurrency),
      config,
    }),
  ),
);
const store = new FirestoreStore({ projectId, prefix, emulatorHost: emulator.hostAndPort });
const queue = createQueue({ store, config, clientId: 'bench' });

try {
  // Idle baseline: the fleet doing nothing but heartbeats, leader maintenance and listening.
  await new Promise((r) => setTimeout(r, 5_000));
  await resetMeter();
  const idleStart = Date.now();
  await new Promise((r) => setTimeout(r, idleMs));
  const idle = await meter();
  const idleWindowSec = (Date.now() - idleStart) / 1000;
  const idleRatePerSec = { reads: idle.reads / idleWindowSec, writes: idle.writes / idleWindowSec, deletes: idle.deletes / idleWindowSec };

  await resetMeter();
  const clientBefore = { ...store.meter };
  const started = Date.now();
  const audio = Array.from({ length: 10 }, (_, i) => makeTestWav({ durationSec: 2, text: `bench audio ${i}` }));
  for (let i = 0; i < jobs; i++) {
    await queue.enqueue({ audio: audio[i % audio.length]!, mimeType: 'audio/wav', userId: `user-${i % 20}`, priority: PRIORITIES[i % 4]! });
  }
  const enqueueOps = diff(store.meter, clientBefore);
  for (;;) {
    const done = await store.count({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'succeeded' }] });
    if (done >= jobs) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const elapsedSec = (Date.now() - started) / 1000;
  const total = await meter();
  const benchClient = diff(store.meter, clientBefore);
  const polling = diff(benchClient, enqueueOps);
  const fleetOps = diff(total, benchClient);
  const idleShare = { reads: idleRatePerSec.reads * elapsedSec, writes: idleRatePerSec.writes * elapsedSec, deletes: idleRatePerSec.deletes * elapsedSec };
  const marginal = diff(diff(fleetOps, idleShare), { reads: -enqueueOps.reads, writes: -enqueueOps.writes, deletes: -enqueueOps.deletes });
  const stats = await queue.getEnterpriseStats();
  // Where the audio went (after the meter was read: these reads are not billed to the run).
  const inlineJobs = await store.count({ collection: 'jobs', where: [{ field: 'audio.chunkCount', op: '==', value: 0 }] });
  const perWorker = await Promise.all(
    workers.map(async (w) => ({ serverId: w.serverId, ...(await claimCounters(w.httpPort)) })),
  );
  const claimed = perWorker.reduce((n, w) => n + (w.claimed ?? 0), 0);
  const conflicts = perWorker.reduce((n, w) => n + (w.conflicts ?? 0), 0);
  const claimErrors = perWorker.reduce((n, w) => n + (w.errors ?? 0), 0);
  const byRoute: RouteCounts = {};
  for (const w of perWorker) {
    for (const [route, c] of Object.entries(w.byRoute)) {
      const r = (byRoute[route] ??= { won: 0, lost: 0 });
      r.won += c.won;
      r.lost += c.lost;
    }
  }
  console.log(
    JSON.stringify(
      {
        jobs,
        workers: workerCount,
        concurrencyPerWorker: Number(values.concurrency),
        positions: config.queuePositions.enabled,
        elapsedSec: +elapsedSec.toFixed(1),
        audioSecondsPerJob: 2,
        /** Where the jobs' audio travelled: inline in the job (<= inlineMaxBytes) or in chunk documents. */
        payload: { inlineMaxBytes, audioBytesPerJob: Math.max(...audio.map((a) => a.length)), inlineJobs, chunkedJobs: jobs - inlineJobs },
        idle: {
          windowSec: +idleWindowSec.toFixed(1),
          perSecond: { reads: +idleRatePerSec.reads.toFixed(2), writes: +idleRatePerSec.writes.toFixed(2), deletes: +idleRatePerSec.deletes.toFixed(2) },
          perMinute: { reads: +(idleRatePerSec.reads * 60).toFixed(1), writes: +(idleRatePerSec.writes * 60).toFixed(1), deletes: +(idleRatePerSec.deletes * 60).toFixed(1) },
        },
        meterTotal: { reads: total.reads, writes: total.writes, deletes: total.deletes },
        benchClient: { enqueue: enqueueOps, polling },
        perJob: {
          enqueue: per(enqueueOps, jobs),
          fleetRaw: per(fleetOps, jobs),
          marginalIncludingEnqueue: per(marginal, jobs),
        },
        engineSelfReportedOpsPerJob: stats.performance.firestoreOpsPerJob,
        /** null when the emulator's meter has no byCall/byCollection breakdown. */
        breakdown: { idlePerMinute: breakdownOf(idle, 60 / idleWindowSec), runPerJob: breakdownOf(total, 1 / jobs) },
        claims: {
          claimed,
          conflicts,
          errors: claimErrors,
          /** Failed (lost a race, found the job gone) or errored claim attempts per claim won. */
          conflictsPerClaim: claimed ? +((conflicts + claimErrors) / claimed).toFixed(3) : null,
          /** Claim attempts won and lost by where the candidate came from (listen, own shards, others' head, whole head, orphan check). */
          byRoute,
          perWorker,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await store.close();
  await gemini.close();
  await emulator.stop();
}

/**
 * Benchmark: Firestore operations per completed job, from the emulator's billing meter.
 *
 *   npm run -w @fq/worker bench:ops -- [--jobs 300] [--workers 3] [--idle-ms 30000] [--concurrency 4] [--positions on|off]
 *
 * Runs real worker processes with the DEFAULT production timing (leases, heartbeats, leader
 * maintenance) against our emulator and the fake Gemini, measures the idle cost of the fleet
 * (heartbeats, leader, listeners), then enqueues N jobs through the server API and waits for
 * all to succeed. Prints one JSON object: totals and per-job reads/writes/deletes, raw and
 * with the idle baseline subtracted. Needs our emulator (the meter is ours).
 */
import { parseArgs } from 'node:util';
import { startEmulator } from '@fq/emulator';
import { startFakeGemini, makeTestWav } from '../fake-gemini/index.js';
import { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { createQueue } from '../runtime/queue.js';
import { spawnWorker } from '../testing/worker-process.js';
import { PRIORITIES } from '../schema/job.js';

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
  },
});
const jobs = Number(values.jobs);
const workerCount = Number(values.workers);
const idleMs = Number(values['idle-ms']);
const projectId = 'demo-fq-opsbench';

const emulator = await startEmulator({ port: 0, projectId, logLevel: 'warn' });
const meterUrl = `${emulator.url}/emulator/v1/projects/${projectId}:meter`;
const meter = async (): Promise<Counts> => (await (await fetch(meterUrl)).json()) as Counts;
const resetMeter = async () => void (await fetch(meterUrl, { method: 'DELETE' }));
const diff = (a: Counts, b: Counts): Counts => ({ reads: a.reads - b.reads, writes: a.writes - b.writes, deletes: a.deletes - b.deletes });
const per = (c: Counts, n: number) => ({
  reads: +(c.reads / n).toFixed(2),
  writes: +(c.writes / n).toFixed(2),
  deletes: +(c.deletes / n).toFixed(2),
  total: +((c.reads + c.writes + c.deletes) / n).toFixed(2),
});

const gemini = await startFakeGemini({ capacity: 200, baseLatencyMs: 150, latencyMsPerAudioSecond: 50, latencyJitter: 0 });
const prefix = `bench_${Date.now().toString(36)}_`;
const config = {
  rateLimiting: { requestsPerMinute: 5_000, burstLimit: 1_000, windowSizeMs: 60_000 },
  maxQueueSize: 100_000,
  queuePositions: { enabled: values.positions !== 'off' },
};
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
  const idleRatePerSec = { reads: idle.reads / ((Date.now() - idleStart) / 1000), writes: idle.writes / ((Date.now() - idleStart) / 1000), deletes: idle.deletes / ((Date.now() - idleStart) / 1000) };

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
  console.log(
    JSON.stringify(
      {
        jobs,
        workers: workerCount,
        concurrencyPerWorker: Number(values.concurrency),
        positions: config.queuePositions.enabled,
        elapsedSec: +elapsedSec.toFixed(1),
        audioSecondsPerJob: 2,
        idle: { windowSec: idleMs / 1000, perSecond: { reads: +idleRatePerSec.reads.toFixed(2), writes: +idleRatePerSec.writes.toFixed(2), deletes: +idleRatePerSec.deletes.toFixed(2) } },
        meterTotal: { reads: total.reads, writes: total.writes, deletes: total.deletes },
        benchClient: { enqueue: enqueueOps, polling },
        perJob: {
          enqueue: per(enqueueOps, jobs),
          fleetRaw: per(fleetOps, jobs),
          marginalIncludingEnqueue: per(marginal, jobs),
        },
        engineSelfReportedOpsPerJob: stats.performance.firestoreOpsPerJob,
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

import { seededRandom } from '@fq/worker';
import { makeJobSet } from '../lib/job-set.js';
import { allJobs, enqueueJobs, waitForTerminal } from '../lib/queue-driver.js';
import { startRig } from '../lib/rig.js';
import type { Scenario } from '../lib/scenario.js';
import { distribution, poissonGaps, round } from '../lib/stats.js';
import { benchConfig } from './overload-fleet.js';

/**
 * Latency at light load: jobs arrive one by one (Poisson arrivals, far below capacity) and
 * the figure is enqueue-to-start from each job document's own timestamps, Firestore time on
 * both ends: `firstStartedAt - admittedAt` (admission commit to claim commit).
 */
export interface LatencyOptions {
  jobs: number;
  warmupJobs: number;
  arrivalsPerSec: number;
  workers: number;
  concurrency: number;
  upstreamLatencyMs: number;
}

export interface LatencyResult {
  options: LatencyOptions;
  enqueueToStartMs: ReturnType<typeof distribution>;
  enqueueToDoneMs: ReturnType<typeof distribution>;
  /** The server API call as its caller sees it (admission transaction + position estimate). */
  enqueueCallMs: ReturnType<typeof distribution>;
  achievedArrivalsPerSec: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureLatency(options: LatencyOptions, seed: number, log: (m: string) => void): Promise<LatencyResult> {
  const model = 'gemini-2.5-flash';
  const config = benchConfig(model, 5);
  const rig = await startRig({
    tag: 'lat',
    projectId: 'demo-fq-bench-latency',
    fake: { capacity: null, baseLatencyMs: options.upstreamLatencyMs, latencyMsPerAudioSecond: 0, latencyJitter: 0 },
    config,
    workers: options.workers,
    concurrency: options.concurrency,
  });
  try {
    const jobs = makeJobSet({ count: options.warmupJobs + options.jobs, seed, tag: 'lat', durations: [1], users: 20 });
    const gaps = poissonGaps(jobs.length, 1000 / options.arrivalsPerSec, seededRandom(seed + 1));
    log(`latency: ${jobs.length} jobs arriving at ~${options.arrivalsPerSec}/s (${options.warmupJobs} warm-up)`);
    const calls: number[] = [];
    const started = Date.now();
    for (const [i, job] of jobs.entries()) {
      const [outcome] = await enqueueJobs(rig.queue, [job], { parallel: 1 });
      if (outcome!.error) throw new Error(`latency: enqueue failed: ${outcome!.error}`);
      if (i >= options.warmupJobs) calls.push(outcome!.callMs);
      await sleep(gaps[i]!);
    }
    const achieved = jobs.length / ((Date.now() - started) / 1000);
    await waitForTerminal(rig.store, jobs.length, { timeoutMs: 300_000, what: 'latency' });
    const measured = new Set(jobs.slice(options.warmupJobs).map((j) => j.id));
    const docs = (await allJobs(rig.store)).filter((j) => measured.has(j.id));
    const failed = docs.filter((j) => j.status !== 'succeeded');
    if (failed.length) throw new Error(`latency: ${failed.length} jobs did not succeed (first: ${failed[0]!.id} ${failed[0]!.status})`);
    return {
      options,
      enqueueToStartMs: distribution(docs.map((j) => j.firstStartedAt! - j.admittedAt!)),
      enqueueToDoneMs: distribution(docs.map((j) => j.completedAt! - j.admittedAt!)),
      enqueueCallMs: distribution(calls),
      achievedArrivalsPerSec: round(achieved, 2),
    };
  } finally {
    await rig.stop();
  }
}

export const latencyScenario: Scenario<LatencyResult> = async (ctx) => {
  const options: LatencyOptions = ctx.quick
    ? { jobs: 40, warmupJobs: 5, arrivalsPerSec: 2, workers: 2, concurrency: 4, upstreamLatencyMs: 200 }
    : { jobs: 300, warmupJobs: 10, arrivalsPerSec: 2, workers: 2, concurrency: 4, upstreamLatencyMs: 200 };
  const result = await measureLatency(options, ctx.seed, ctx.log);
  const row = (label: string, d: LatencyResult['enqueueToStartMs']) => [label, d.count, d.p50, d.p95, d.p99, d.max];
  return {
    result,
    tables: [
      {
        title: `latency at light load (${result.achievedArrivalsPerSec} arrivals/s, ${options.workers} workers, upstream ${options.upstreamLatencyMs} ms)`,
        headers: ['ms', 'jobs', 'p50', 'p95', 'p99', 'max'],
        rows: [
          row('enqueue -> start (Firestore time)', result.enqueueToStartMs),
          row('enqueue -> done (Firestore time)', result.enqueueToDoneMs),
          row('enqueue API call (caller)', result.enqueueCallMs),
        ],
        notes: ['start = the claim transaction\'s time (firstStartedAt); enqueue = the admission transaction\'s time (admittedAt)'],
      },
    ],
  };
};

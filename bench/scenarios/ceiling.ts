import { makeJobSet } from '../lib/job-set.js';
import { startRig } from '../lib/rig.js';
import type { Scenario } from '../lib/scenario.js';
import { distribution, round } from '../lib/stats.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';

/**
 * Ceiling: how many jobs per second the queue machinery itself completes when the upstream
 * answers instantly (fake latency 0, unlimited capacity) with 4 worker processes: the cost
 * of claims, heartbeats, payload reads and completion transactions on the emulator.
 */
export interface CeilingOptions {
  jobs: number;
  workers: number;
  concurrency: number;
}

export interface CeilingResult {
  options: CeilingOptions;
  drainSec: number;
  jobsPerSec: number;
  statuses: Record<string, number>;
  upstreamCalls: number;
  adaptiveLimitAtEnd: number | null;
  completionSec: ReturnType<typeof distribution>;
}

export async function measureCeiling(options: CeilingOptions, seed: number, log: (m: string) => void): Promise<CeilingResult> {
  const model = 'gemini-2.5-flash';
  const rig = await startRig({
    tag: 'ceil',
    projectId: 'demo-fq-bench-ceiling',
    fake: { capacity: null, baseLatencyMs: 0, latencyMsPerAudioSecond: 0, latencyJitter: 0, rejectLatencyMs: 0 },
    config: benchConfig(model, 5),
    workers: options.workers,
    concurrency: options.concurrency,
  });
  try {
    const jobs = makeJobSet({ count: options.jobs, seed, tag: 'ceil', durations: [1], users: 50 });
    const drained = await drainBacklog(rig, jobs, { model, timeoutMs: 600_000, what: 'ceiling', log });
    const drainSec = drained.drainMs / 1000;
    return {
      options,
      drainSec: round(drainSec, 1),
      jobsPerSec: round((drained.statuses.succeeded ?? 0) / drainSec, 2),
      statuses: drained.statuses,
      upstreamCalls: drained.upstream.calls,
      adaptiveLimitAtEnd: drained.adaptiveLimitAtEnd,
      completionSec: distribution(drained.completionMs.map((ms) => ms / 1000)),
    };
  } finally {
    await rig.stop();
  }
}

export const ceilingScenario: Scenario<CeilingResult> = async (ctx) => {
  const options = ctx.quick ? { jobs: 120, workers: 4, concurrency: 8 } : { jobs: 500, workers: 4, concurrency: 8 };
  const result = await measureCeiling(options, ctx.seed, ctx.log);
  return {
    result,
    tables: [
      {
        title: `ceiling: instant upstream, ${options.workers} worker processes x ${options.concurrency} slots, ${options.jobs} jobs`,
        headers: ['metric', 'value'],
        rows: [
          ['jobs/s (succeeded / drain time)', result.jobsPerSec],
          ['time to drain (s)', result.drainSec],
          ['jobs succeeded', result.statuses.succeeded ?? 0],
          ['upstream calls', result.upstreamCalls],
          ['fleet concurrency limit at end', result.adaptiveLimitAtEnd],
        ],
        notes: ['the emulator, the 4 workers and the harness share the machine\'s cores: this is the ceiling of this machine, not of Firestore'],
      },
    ],
  };
};

import { runJsonScript } from '../lib/child-json.js';
import { WORKER_ROOT } from '../lib/paths.js';
import type { Scenario } from '../lib/scenario.js';
import { round } from '../lib/stats.js';

/**
 * Cost: Firestore reads, writes and deletes per completed job from the emulator's meter.
 * Runs the worker package's own measurement (`worker/src/bench/ops-per-job.ts`, also
 * `npm run -w @fq/worker bench:ops`) and derives the amortised figure from its output.
 */
interface Counts {
  reads: number;
  writes: number;
  deletes: number;
}
interface PerJob extends Counts {
  total: number;
}
export interface OpsPerJobOutput {
  jobs: number;
  workers: number;
  concurrencyPerWorker: number;
  elapsedSec: number;
  audioSecondsPerJob: number;
  idle: { windowSec: number; perSecond: Counts };
  meterTotal: Counts;
  benchClient: { enqueue: Counts; polling: Counts };
  perJob: { enqueue: PerJob; fleetRaw: PerJob; marginalIncludingEnqueue: PerJob };
  engineSelfReportedOpsPerJob: number | null;
}

export interface CostResult {
  options: { jobs: number; workers: number; idleMs: number; concurrency: number };
  /** Everything the system spent during the run divided by the jobs: enqueue + the fleet
   * (claims, heartbeats, completions, leader maintenance, rollups, listeners). */
  amortisedPerJob: PerJob;
  /** The same with the idle fleet's cost over the run's duration taken out. */
  marginalPerJob: PerJob;
  idlePerMinute: Counts;
  raw: OpsPerJobOutput;
}

const add = (a: PerJob, b: PerJob): PerJob => ({
  reads: round(a.reads + b.reads),
  writes: round(a.writes + b.writes),
  deletes: round(a.deletes + b.deletes),
  total: round(a.total + b.total),
});

export async function measureCost(options: CostResult['options'], log: (m: string) => void): Promise<CostResult> {
  log(`cost: worker/src/bench/ops-per-job.ts --jobs ${options.jobs} --workers ${options.workers}`);
  const raw = await runJsonScript<OpsPerJobOutput>({
    script: 'src/bench/ops-per-job.ts',
    args: ['--jobs', String(options.jobs), '--workers', String(options.workers), '--idle-ms', String(options.idleMs), '--concurrency', String(options.concurrency)],
    cwd: WORKER_ROOT,
    timeoutMs: 30 * 60_000,
  });
  const idle = raw.idle.perSecond;
  return {
    options,
    amortisedPerJob: add(raw.perJob.enqueue, raw.perJob.fleetRaw),
    marginalPerJob: raw.perJob.marginalIncludingEnqueue,
    idlePerMinute: { reads: round(idle.reads * 60, 1), writes: round(idle.writes * 60, 1), deletes: round(idle.deletes * 60, 1) },
    raw,
  };
}

export const costScenario: Scenario<CostResult> = async (ctx) => {
  const options = ctx.quick
    ? { jobs: 40, workers: 2, idleMs: 8_000, concurrency: 4 }
    : { jobs: 300, workers: 3, idleMs: 30_000, concurrency: 4 };
  const result = await measureCost(options, ctx.log);
  const a = result.amortisedPerJob;
  const m = result.marginalPerJob;
  const e = result.raw.perJob.enqueue;
  return {
    result,
    tables: [
      {
        title: `cost: Firestore operations per completed job (${result.raw.jobs} jobs, ${result.raw.workers} workers, ${result.raw.elapsedSec} s)`,
        headers: ['per job', 'reads', 'writes', 'deletes', 'total'],
        rows: [
          ['amortised (all ops / jobs)', a.reads, a.writes, a.deletes, a.total],
          ['marginal (idle fleet removed)', m.reads, m.writes, m.deletes, m.total],
          ['of which enqueue', e.reads, e.writes, e.deletes, e.total],
        ],
        notes: [
          `idle fleet per minute: ${result.idlePerMinute.reads} reads, ${result.idlePerMinute.writes} writes, ${result.idlePerMinute.deletes} deletes (heartbeats, leader, flow ticks, rollups)`,
          'amortised = (enqueue + everything the workers did during the run) / jobs: heartbeats and rollups included at this throughput',
          'the harness\'s own progress polling is excluded; source: emulator meter (billing units)',
        ],
      },
    ],
  };
};

import { runJsonScript } from '../lib/child-json.js';
import { REPO_ROOT } from '../lib/paths.js';
import type { Scenario } from '../lib/scenario.js';
import { ratio } from '../lib/stats.js';

/**
 * Dashboard cost: document reads per minute of one open admin session (the Overview page's
 * listeners, web SDK, one connection) idle and under load. Runs the dashboard's own
 * measurement (`src/bench/dashboardReads.ts`), which attributes reads with the emulator's
 * per-connection meter.
 */
interface Phase {
  submitRatePerSec: number;
  seconds: number;
  jobsSubmitted: number;
  engineThroughputPerMin: number | null;
  dashboardReadsPerMin: number;
  changedDocsPerMinByListener: Record<string, number>;
}
export interface DashboardReadsOutput {
  bench: string;
  page: string;
  workers: number;
  phaseSeconds: number;
  phases: Phase[];
}

export interface DashboardResult {
  options: { seconds: number; loadRatePerSec: number; workers: number; warmupSec: number };
  idleReadsPerMin: number;
  loadedReadsPerMin: number;
  loadedJobsPerMin: number | null;
  /** loaded / idle: near 1 means the cost does not grow with throughput. */
  loadToIdle: number | null;
  raw: DashboardReadsOutput;
}

export async function measureDashboard(options: DashboardResult['options'], log: (m: string) => void): Promise<DashboardResult> {
  log(`dashboard: src/bench/dashboardReads.ts, ${options.seconds} s idle then ${options.seconds} s at ${options.loadRatePerSec} submissions/s`);
  const raw = await runJsonScript<DashboardReadsOutput>({
    script: 'src/bench/dashboardReads.ts',
    args: ['--seconds', String(options.seconds), '--rates', `0,${options.loadRatePerSec}`, '--workers', String(options.workers), '--warmup', String(options.warmupSec)],
    cwd: REPO_ROOT,
    timeoutMs: (options.warmupSec + 2 * options.seconds) * 1000 + 10 * 60_000,
  });
  const idle = raw.phases.find((p) => p.submitRatePerSec === 0);
  const loaded = raw.phases.find((p) => p.submitRatePerSec === options.loadRatePerSec);
  if (!idle || !loaded) throw new Error(`dashboard: missing phases in ${JSON.stringify(raw.phases)}`);
  return {
    options,
    idleReadsPerMin: idle.dashboardReadsPerMin,
    loadedReadsPerMin: loaded.dashboardReadsPerMin,
    loadedJobsPerMin: loaded.engineThroughputPerMin,
    loadToIdle: ratio(loaded.dashboardReadsPerMin, idle.dashboardReadsPerMin),
    raw,
  };
}

export const dashboardScenario: Scenario<DashboardResult> = async (ctx) => {
  const options = ctx.quick
    ? { seconds: 30, loadRatePerSec: 4, workers: 2, warmupSec: 10 }
    : { seconds: 120, loadRatePerSec: 4, workers: 2, warmupSec: 20 };
  const result = await measureDashboard(options, ctx.log);
  const byListener = (rate: number) => result.raw.phases.find((p) => p.submitRatePerSec === rate)?.changedDocsPerMinByListener ?? {};
  return {
    result,
    tables: [
      {
        title: `dashboard: reads per minute of one open Overview session (${options.seconds} s per phase)`,
        headers: ['phase', 'reads/min', 'jobs/min through the engine'],
        rows: [
          ['idle', result.idleReadsPerMin, result.raw.phases[0]?.engineThroughputPerMin],
          [`under load (${options.loadRatePerSec} submissions/s)`, result.loadedReadsPerMin, result.loadedJobsPerMin],
          ['load / idle', result.loadToIdle, null],
        ],
        notes: [
          `changed docs/min by listener, idle: ${JSON.stringify(byListener(0))}`,
          `under load: ${JSON.stringify(byListener(options.loadRatePerSec))}`,
          'reads billed to the dashboard\'s own connection by the emulator meter (a listener pays 1 read per added/changed doc)',
        ],
      },
    ],
  };
};

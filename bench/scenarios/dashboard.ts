import { runJsonScript } from '../lib/child-json.js';
import type { Figure } from '../lib/goals.js';
import { REPO_ROOT } from '../lib/paths.js';
import type { Scenario } from '../lib/scenario.js';
import { dashboardFigures, READS_PER_MINUTE_GOAL, type DashboardReadsOutput, type PhaseName } from './dashboard-figures.js';

/**
 * Dashboard cost: documents read a minute by each console page (Overview, the Queues & jobs
 * page and its dead-letter list, Breakers, Rate limits, Servers, Locks, Analytics, Audit,
 * Alerts, a job's page), idle and at 4 submissions a second, with fleets of 3 and 10 workers.
 * Runs the dashboard's own measurement (`src/bench/dashboardReads.ts`) once per fleet size;
 * it opens every page at once, each on a connection of its own, and the emulator's meter
 * bills each. Every figure carries the goal (<= 60 a minute), and the scenario FAILS
 * when one misses it (or was not measured).
 */
export interface DashboardOptions {
  seconds: number;
  loadRatePerSec: number;
  workers: number[];
  warmupSec: number;
  /** Page names (default: every page). */
  pages?: string[];
}

export interface DashboardResult {
  options: DashboardOptions;
  /** `workers<N>.<idle|load>.<page>` -> reads/min with the goal. */
  figures: Record<string, Record<PhaseName, Record<string, Figure>>>;
  /** Figures that missed the goal, in words (empty: every page within it). */
  failures: string[];
  raw: DashboardReadsOutput[];
}

export async function measureDashboard(options: DashboardOptions, log: (m: string) => void): Promise<DashboardResult> {
  const raw: DashboardReadsOutput[] = [];
  const notRun: string[] = [];
  for (const workers of options.workers) {
    log(`dashboard: src/bench/dashboardReads.ts, ${workers} workers, every page ${options.seconds} s idle then ${options.seconds} s at ${options.loadRatePerSec} submissions/s`);
    // One fleet size that fails to run is a failure of the scenario, not the loss of the other's figures.
    try {
      raw.push(
        await runJsonScript<DashboardReadsOutput>({
          script: 'src/bench/dashboardReads.ts',
          args: [
            '--seconds', String(options.seconds),
            '--rates', `0,${options.loadRatePerSec}`,
            '--workers', String(workers),
            '--warmup', String(options.warmupSec),
            ...(options.pages ? ['--pages', options.pages.join(',')] : []),
          ],
          cwd: REPO_ROOT,
          timeoutMs: (options.warmupSec + 2 * options.seconds) * 1000 + 10 * 60_000,
          log,
        }),
      );
    } catch (error) {
      notRun.push(`workers${workers}: did not run: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
    }
  }
  const { figures, failures } = dashboardFigures(raw, options.loadRatePerSec);
  return { options, figures, failures: [...notRun, ...failures], raw };
}

export const dashboardScenario: Scenario<DashboardResult> = async (ctx) => {
  const options: DashboardOptions = ctx.quick
    ? { seconds: 30, loadRatePerSec: 4, workers: [3, 10], warmupSec: 10 }
    : { seconds: 120, loadRatePerSec: 4, workers: [3, 10], warmupSec: 20 };
  const result = await measureDashboard(options, ctx.log);
  const fleets = Object.keys(result.figures);
  const pages = result.raw[0]?.pages ?? [];
  const cell = (fleet: string, phase: PhaseName, page: string) => {
    const f = result.figures[fleet]?.[phase][page];
    return f ? `${f.value ?? 'n/a'}${f.met === false || f.met === null ? ' (NOT met)' : ''}` : 'n/a';
  };
  const listeners = (fleet: string) => {
    const run = result.raw.find((r) => `workers${r.workers}` === fleet);
    const load = run?.phases.find((p) => p.submitRatePerSec === options.loadRatePerSec);
    return `${fleet} under load, changed docs/min by page and listener: ${JSON.stringify(load?.changedDocsPerMinByPage ?? {})}`;
  };
  return {
    result,
    failures: result.failures,
    tables: [
      {
        title: `dashboard: reads per minute of each open console page (${options.seconds} s per phase; goal <= ${READS_PER_MINUTE_GOAL} each)`,
        headers: ['page', ...fleets.flatMap((f) => [`${f} idle`, `${f} at ${options.loadRatePerSec}/s`])],
        rows: pages.map((page) => [page, ...fleets.flatMap((f) => [cell(f, 'idle', page), cell(f, 'load', page)])]),
        notes: [
          ...result.raw.map((r) => `workers${r.workers}: jobs submitted under load ${r.phases.find((p) => p.submitRatePerSec === options.loadRatePerSec)?.jobsSubmitted ?? 'n/a'}`),
          ...fleets.map(listeners),
          "reads billed to each page's own connection by the emulator meter (a listener pays 1 read per added/changed doc, a fetch 1 per doc returned)",
          result.failures.length ? `FAILED: ${result.failures.join('; ')}` : `every page within ${READS_PER_MINUTE_GOAL} reads/min`,
        ],
      },
    ],
  };
};

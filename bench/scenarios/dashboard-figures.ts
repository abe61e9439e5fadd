import { atMost, type Figure } from '../lib/goals.js';

/** The goal (19, item 9): no console page reads more than this many documents a minute. */
export const READS_PER_MINUTE_GOAL = 60;

/** One phase of `src/bench/dashboardReads.ts` (one rate of submissions). */
export interface DashboardPhase {
  submitRatePerSec: number;
  seconds: number;
  jobsSubmitted: number;
  engineThroughputPerMin: number | null;
  readsPerMinByPage: Record<string, number>;
  changedDocsPerMinByPage: Record<string, Record<string, number>>;
}

/** What `src/bench/dashboardReads.ts` prints for one fleet size. */
export interface DashboardReadsOutput {
  bench: string;
  pages: string[];
  workers: number;
  phaseSeconds: number;
  jobId: string;
  phases: DashboardPhase[];
}

export type PhaseName = 'idle' | 'load';

/**
 * Every page's reads per minute next to the goal, as `workers<N>.<idle|load>.<page>`, and the
 * figures that miss it, in words. A page that was not measured (no phase, or the page missing
 * from it) is a failure too: the scenario must not pass on what it did not see.
 */
export function dashboardFigures(runs: readonly DashboardReadsOutput[], loadRatePerSec: number): { figures: Record<string, Record<PhaseName, Record<string, Figure>>>; failures: string[] } {
  const figures: Record<string, Record<PhaseName, Record<string, Figure>>> = {};
  const failures: string[] = [];
  for (const run of runs) {
    const fleet = `workers${run.workers}`;
    const phases: Record<PhaseName, DashboardPhase | undefined> = {
      idle: run.phases.find((p) => p.submitRatePerSec === 0),
      load: run.phases.find((p) => p.submitRatePerSec === loadRatePerSec),
    };
    figures[fleet] = { idle: {}, load: {} };
    for (const phase of ['idle', 'load'] as const) {
      for (const page of run.pages) {
        const value = phases[phase]?.readsPerMinByPage[page];
        const figure = atMost(value ?? null, READS_PER_MINUTE_GOAL, 'reads/min');
        figures[fleet][phase][page] = figure;
        if (figure.met !== true) failures.push(`${fleet}.${phase}.${page}: ${value ?? 'not measured'} reads/min (goal <= ${READS_PER_MINUTE_GOAL})`);
      }
    }
  }
  return { figures, failures };
}

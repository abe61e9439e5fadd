import { describe, expect, it } from 'vitest';
import { dashboardFigures, type DashboardPhase, type DashboardReadsOutput } from './dashboard-figures.js';

const phase = (rate: number, reads: Record<string, number>): DashboardPhase => ({
  submitRatePerSec: rate,
  seconds: 60,
  jobsSubmitted: rate * 60,
  engineThroughputPerMin: null,
  readsPerMinByPage: reads,
  changedDocsPerMinByPage: {},
});
const run = (workers: number, phases: DashboardPhase[]): DashboardReadsOutput => ({ bench: 'dashboard-reads', pages: ['overview', 'servers'], workers, phaseSeconds: 60, jobId: 'j', phases });

describe('dashboard figures', () => {
  it('puts every page of every fleet and phase next to the goal, and passes when all are within it', () => {
    const { figures, failures } = dashboardFigures([run(3, [phase(0, { overview: 4, servers: 2 }), phase(4, { overview: 60, servers: 31 })])], 4);
    expect(figures.workers3!.load.overview).toEqual({ value: 60, goal: '<= 60', met: true, unit: 'reads/min' });
    expect(figures.workers3!.idle.servers).toMatchObject({ value: 2, met: true });
    expect(failures).toEqual([]);
  });

  it('fails on any page above 60 a minute, and on a page or phase not measured', () => {
    const { figures, failures } = dashboardFigures(
      [run(3, [phase(0, { overview: 4, servers: 2 }), phase(4, { overview: 12, servers: 30 })]), run(10, [phase(4, { overview: 14, servers: 131 })])],
      4,
    );
    expect(figures.workers10!.load.servers).toMatchObject({ value: 131, met: false });
    expect(failures).toEqual([
      'workers10.idle.overview: not measured reads/min (goal <= 60)',
      'workers10.idle.servers: not measured reads/min (goal <= 60)',
      'workers10.load.servers: 131 reads/min (goal <= 60)',
    ]);
  });
});

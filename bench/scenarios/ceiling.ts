import { atLeast, atMost, describeFigure, reported, type Figure } from '../lib/goals.js';
import { makeJobSet } from '../lib/job-set.js';
import { childPids, cpuWindow } from '../lib/proc-cpu.js';
import { startRig } from '../lib/rig.js';
import type { Scenario } from '../lib/scenario.js';
import { distribution, round } from '../lib/stats.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';

/**
 * Ceiling: how many jobs per second the queue machinery itself completes when the upstream
 * answers instantly (fake latency 0, unlimited capacity) with 4 worker processes: the cost
 * of claims, heartbeats, payload reads and completion transactions on the emulator.
 * CPU per job: utime + stime of the worker processes and of the emulator process
 * (/proc/<pid>/stat) from just before the release until every job is terminal, divided by
 * the jobs that succeeded; the harness's own CPU (enqueue excluded, polling included) too.
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
  cpu: {
    windowSec: number | null;
    workersMs: number | null;
    emulatorMs: number | null;
    harnessMs: number | null;
    /** Processes sampled (a worker that restarted in the window is left out). */
    workerProcesses: number;
    emulatorProcesses: number;
  };
  figures: {
    jobsPerSec: Figure;
    workerCpuMsPerJob: Figure;
    emulatorCpuMsPerJob: Figure;
    totalCpuMsPerJob: Figure;
  };
}

/** CPU of the rig's worker processes, its emulator process and this process over a window. */
function cpuSampler(workerPids: readonly number[], emulatorPids: readonly number[]) {
  let workers: ReturnType<typeof cpuWindow> | null = null;
  let emulator: ReturnType<typeof cpuWindow> | null = null;
  let harness: NodeJS.CpuUsage | null = null;
  let startedAt = 0;
  let result: CeilingResult['cpu'] = { windowSec: null, workersMs: null, emulatorMs: null, harnessMs: null, workerProcesses: 0, emulatorProcesses: 0 };
  return {
    start() {
      startedAt = Date.now();
      harness = process.cpuUsage();
      workers = cpuWindow(workerPids);
      emulator = cpuWindow(emulatorPids);
    },
    stop() {
      if (!workers || !emulator || !harness) return;
      const w = workers.stop();
      const e = emulator.stop();
      const h = process.cpuUsage(harness);
      result = {
        windowSec: round((Date.now() - startedAt) / 1000, 2),
        workersMs: w.cpuMs === null ? null : round(w.cpuMs, 0),
        emulatorMs: e.cpuMs === null ? null : round(e.cpuMs, 0),
        harnessMs: round((h.user + h.system) / 1000, 0),
        workerProcesses: w.processes,
        emulatorProcesses: e.processes,
      };
    },
    result: () => result,
  };
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
    const workerPids = (await rig.system.workers()).map((w) => w.pid).filter((pid) => pid > 0);
    // Our emulator runs as a child of this process (system/components/firestore.ts: the
    // built CLI, bin/fq-firestore-emulator.mjs); an external one (FIRESTORE_EMULATOR_HOST)
    // is not ours to sample.
    const emulatorPids = rig.system.info.firestore.embedded ? childPids('fq-firestore-emulator') : [];
    const sampler = cpuSampler(workerPids, emulatorPids);
    const drained = await drainBacklog(rig, jobs, { model, timeoutMs: 600_000, what: 'ceiling', log, window: sampler });
    const drainSec = drained.drainMs / 1000;
    const cpu = sampler.result();
    const succeeded = drained.statuses.succeeded ?? 0;
    const perJob = (ms: number | null) => (ms === null || !succeeded ? null : round(ms / succeeded, 2));
    const jobsPerSec = round(succeeded / drainSec, 2);
    return {
      options,
      drainSec: round(drainSec, 1),
      jobsPerSec,
      statuses: drained.statuses,
      upstreamCalls: drained.upstream.calls,
      adaptiveLimitAtEnd: drained.adaptiveLimitAtEnd,
      completionSec: distribution(drained.completionMs.map((ms) => ms / 1000)),
      cpu,
      figures: {
        jobsPerSec: atLeast(jobsPerSec, 150, 'jobs/s'),
        workerCpuMsPerJob: reported(perJob(cpu.workersMs), 'ms'),
        emulatorCpuMsPerJob: reported(perJob(cpu.emulatorMs), 'ms'),
        totalCpuMsPerJob: atMost(perJob(cpu.workersMs === null || cpu.emulatorMs === null ? null : cpu.workersMs + cpu.emulatorMs), 5, 'ms'),
      },
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
          ['jobs/s (succeeded / drain time)', describeFigure(result.figures.jobsPerSec)],
          ['worker CPU per job (all worker processes)', describeFigure(result.figures.workerCpuMsPerJob)],
          ['emulator CPU per job', describeFigure(result.figures.emulatorCpuMsPerJob)],
          ['workers + emulator CPU per job', describeFigure(result.figures.totalCpuMsPerJob)],
          ['harness CPU in the window (ms, polling)', result.cpu.harnessMs],
          ['time to drain (s)', result.drainSec],
          ['jobs succeeded', result.statuses.succeeded ?? 0],
          ['upstream calls', result.upstreamCalls],
          ['fleet concurrency limit at end', result.adaptiveLimitAtEnd],
        ],
        notes: [
          'the emulator, the 4 workers and the harness share the machine\'s cores: this is the ceiling of this machine, not of Firestore',
          `CPU: utime + stime from /proc of ${result.cpu.workerProcesses} worker and ${result.cpu.emulatorProcesses} emulator process(es), release until every job is terminal (${result.cpu.windowSec} s), / jobs succeeded`,
        ],
      },
    ],
  };
};

import { describe, expect, it } from 'vitest';
import { measureCeiling } from '../scenarios/ceiling.js';
import { FLEETS, measureCostFleets } from '../scenarios/cost.js';
import { measureOverload, overloadDefaults } from '../scenarios/overload.js';

/**
 * Smoke versions of `npm run bench` (overload, cost with idle and contention, ceiling; few
 * jobs) on real worker processes. They assert what must hold on any machine, however
 * loaded: no job lost, the fleet wastes fewer upstream calls per success than the naive
 * baseline, every figure the issue sets a goal for is present with its goal. Whether a goal
 * is met, speeds and CPU are printed, never asserted.
 */
const log = (m: string) => console.log(`[bench smoke] ${m}`);

describe('bench smoke', () => {
  it('overload: the fleet drains every job and wastes fewer upstream calls per success than blind retries', async () => {
    const result = await measureOverload(
      { quick: true, seed: 11, log },
      {
        ...overloadDefaults(true),
        jobs: 16,
        capacity: 2,
        baseLatencyMs: 600,
        latencyMsPerAudioSecond: 400,
        workers: 2,
        concurrencyPerWorker: 4,
        naive: { baseMs: 500, maxMs: 4_000 },
        timeoutMs: 240_000,
      },
    );
    console.log(`overload smoke ${JSON.stringify({ fleet: result.fleet, naive: result.naive, ratios: result.ratios })}`);
    expect(result.fleet.succeeded).toBe(16);
    expect(result.fleet.statuses).toEqual({ succeeded: 16 });
    expect(result.naive.succeeded + result.naive.failed).toBe(16);
    // Both sides hit the same fake: it never served more than its capacity at once.
    expect(result.fleet.peakConcurrent).toBeLessThanOrEqual(2);
    expect(result.fleet.upstreamSuccesses).toBe(16);
    expect(result.naive.wastedCallsPerSuccess).not.toBeNull();
    expect(result.fleet.wastedCallsPerSuccess!).toBeLessThan(result.naive.wastedCallsPerSuccess!);
  }, 360_000);

  it('cost, idle and contention with 3 and 12 workers: every figure present with its goal', async () => {
    const result = await measureCostFleets({ jobs: 16, idleMs: 4_000, concurrency: 4, fleets: FLEETS }, log);
    console.log(`cost smoke ${JSON.stringify(result.figures)}`);
    for (const n of FLEETS) {
      const run = result.runs[`workers${n}`]!;
      expect(run.raw.jobs).toBe(16);
      const a = run.amortisedPerJob;
      // Every job is written at least at enqueue and completion; its 2 s of audio is inline
      // (under the default payload.inlineMaxBytes), so there is no chunk to delete.
      expect(run.raw.payload).toMatchObject({ inlineJobs: 16, chunkedJobs: 0 });
      expect(a.writes).toBeGreaterThanOrEqual(2);
      expect(a.deletes).toBeLessThan(1);
      expect(a.reads).toBeGreaterThan(0);
      // A regression guard, far above today's figures: a per-job listener or polling loop would cross it.
      expect(a.total).toBeLessThan(200);
      // Every job was claimed once, and the workers' /metrics say so.
      expect(run.claims?.claimed).toBeGreaterThanOrEqual(16);
    }
    // The same jobs with their audio in chunks (inlining off): each chunk is written, read and deleted.
    const chunked = result.chunkedRuns.workers3!;
    expect(chunked.raw.payload).toMatchObject({ inlineMaxBytes: 0, inlineJobs: 0, chunkedJobs: 16 });
    expect(chunked.amortisedPerJob.deletes).toBeGreaterThanOrEqual(1);
    expect(chunked.raw.perJob.enqueue.writes).toBeGreaterThan(result.runs.workers3!.raw.perJob.enqueue.writes);
    for (const key of ['opsPerJobWorkers3', 'opsPerJobWorkers12', 'ratio12to3', 'opsPerJobChunkedWorkers3']) expect(result.figures.cost[key]).toMatchObject({ goal: expect.any(String) });
    for (const key of ['opsPerMinuteWorkers3', 'opsPerMinuteWorkers12', 'ratio12to3', 'perIdleServerPerMinute']) expect(result.figures.idle).toHaveProperty(key);
    expect(result.figures.contention.conflictsPerClaimWorkers12).toMatchObject({ goal: '<= 0.2' });
    expect(result.figures.contention.conflictsPerClaimWorkers12!.value).not.toBeNull();
  }, 600_000);

  it('ceiling: jobs/s and CPU per job of the workers and of the emulator', async () => {
    const result = await measureCeiling({ jobs: 40, workers: 4, concurrency: 8 }, 5, log);
    console.log(`ceiling smoke ${JSON.stringify({ figures: result.figures, cpu: result.cpu })}`);
    expect(result.statuses).toEqual({ succeeded: 40 });
    expect(result.figures.jobsPerSec).toMatchObject({ goal: '>= 150' });
    expect(result.figures.totalCpuMsPerJob).toMatchObject({ goal: '<= 5' });
    if (process.platform === 'linux') {
      expect(result.cpu.workerProcesses).toBe(4);
      expect(result.cpu.emulatorProcesses).toBe(1);
      expect(result.figures.workerCpuMsPerJob.value).toBeGreaterThan(0);
      expect(result.figures.emulatorCpuMsPerJob.value).toBeGreaterThan(0);
    }
  }, 300_000);
});

import { describe, expect, it } from 'vitest';
import { measureCost } from '../scenarios/cost.js';
import { measureOverload, overloadDefaults } from '../scenarios/overload.js';

/**
 * Smoke versions of `npm run bench` (overload and cost, few jobs) on real worker processes.
 * They assert what must hold on any machine, however loaded: no job lost, and the fleet
 * wastes fewer upstream calls per success than the naive baseline. Speeds are printed,
 * never asserted.
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

  it('cost: reads, writes and deletes per completed job from the emulator meter', async () => {
    const result = await measureCost({ jobs: 12, workers: 1, idleMs: 3_000, concurrency: 4 }, log);
    console.log(`cost smoke ${JSON.stringify({ amortised: result.amortisedPerJob, marginal: result.marginalPerJob, idlePerMinute: result.idlePerMinute })}`);
    expect(result.raw.jobs).toBe(12);
    const a = result.amortisedPerJob;
    // Every job is written at least at enqueue, claim and completion, and its audio deleted.
    expect(a.writes).toBeGreaterThanOrEqual(3);
    expect(a.deletes).toBeGreaterThanOrEqual(1);
    expect(a.reads).toBeGreaterThan(0);
    // A regression guard, far above today's figures: a per-job listener or polling loop would cross it.
    expect(a.total).toBeLessThan(200);
  }, 300_000);
});

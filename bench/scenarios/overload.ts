import type { FakeGeminiStats } from '@fq/fake-gemini';
import { makeJobSet } from '../lib/job-set.js';
import { startRig } from '../lib/rig.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { atLeast, atMost, reported, type Figure } from '../lib/goals.js';
import { distribution, ratio, round } from '../lib/stats.js';
import { benchConfig, drainBacklog, type FleetOverloadResult } from './overload-fleet.js';
import { runNaiveBaseline, type NaiveResult, type NaiveRetryPolicy } from './naive-baseline.js';

/**
 * Overload: the fake Gemini serves C calls at once and answers 503/429 above that. Both
 * sides drain the same N jobs against the same fake settings, one after the other in one
 * run, and are compared as ratios (the machine is shared and noisy; ratios travel better
 * than absolute times).
 */
export interface OverloadOptions {
  jobs: number;
  capacity: number;
  baseLatencyMs: number;
  latencyMsPerAudioSecond: number;
  audioSeconds: number;
  overloadResponse: '503' | '429' | 'mixed';
  retryDelayMs: number;
  workers: number;
  concurrencyPerWorker: number;
  maxAttempts: number;
  naive: Partial<NaiveRetryPolicy>;
  model: string;
  timeoutMs: number;
}

export function overloadDefaults(quick: boolean): OverloadOptions {
  return {
    jobs: quick ? 32 : 120,
    capacity: 4,
    // 1.5 s per call: the upstream, not the queue machinery, is the bottleneck on 2 cores.
    baseLatencyMs: 1_000,
    latencyMsPerAudioSecond: 500,
    audioSeconds: 1,
    overloadResponse: 'mixed',
    retryDelayMs: 1_000,
    workers: 3,
    concurrencyPerWorker: 8,
    maxAttempts: 10,
    naive: {},
    model: 'gemini-2.5-flash',
    timeoutMs: quick ? 240_000 : 600_000,
  };
}

interface Side {
  succeeded: number;
  failed: number;
  drainSec: number;
  goodputPerSec: number;
  goodputShareOfCapacity: number | null;
  upstreamCalls: number;
  upstreamSuccesses: number;
  wastedCallsPerSuccess: number | null;
  rejections: Record<string, number>;
  clientAborts: number;
  peakConcurrent: number;
  completionSec: ReturnType<typeof distribution>;
}

function side(succeeded: number, failed: number, drainMs: number, completionMs: number[], up: FakeGeminiStats, capacityRate: number): Side {
  const drainSec = drainMs / 1000;
  const goodput = succeeded / drainSec;
  return {
    succeeded,
    failed,
    drainSec: round(drainSec, 1),
    goodputPerSec: round(goodput, 3),
    goodputShareOfCapacity: ratio(goodput, capacityRate, 3),
    upstreamCalls: up.calls,
    upstreamSuccesses: up.successes,
    wastedCallsPerSuccess: ratio(up.calls - up.successes, up.successes, 3),
    rejections: up.rejectionsByStatus,
    clientAborts: up.aborted,
    peakConcurrent: up.maxConcurrent,
    completionSec: distribution(completionMs.map((ms) => ms / 1000), 1),
  };
}

export interface OverloadResult {
  options: OverloadOptions;
  serviceTimeSec: number;
  capacityRatePerSec: number;
  fleet: Side & { workers: number; concurrencyPerWorker: number; adaptiveLimitAtEnd: number | null; breakerTransitions: number; statuses: Record<string, number> };
  naive: Side & { policy: NaiveRetryPolicy };
  /** fleet / naive; above 1 is better for goodput, below 1 better for waste and drain time. */
  ratios: { goodput: number | null; wastedCallsPerSuccess: number | null; drainTime: number | null; upstreamCalls: number | null };
  /** The goals for the fleet; the naive side for the record. */
  figures: {
    fleet: { goodputShareOfCapacity: Figure; wastedCallsPerSuccess: Figure; failed: Figure };
    naive: { goodputShareOfCapacity: Figure; wastedCallsPerSuccess: Figure; failed: Figure };
  };
}

export async function measureOverload(ctx: ScenarioContext, options: OverloadOptions): Promise<OverloadResult> {
  const serviceMs = options.baseLatencyMs + options.latencyMsPerAudioSecond * options.audioSeconds;
  const capacityRate = options.capacity / (serviceMs / 1000);
  const jobs = makeJobSet({ count: options.jobs, seed: ctx.seed, tag: 'ov', durations: [options.audioSeconds] });
  const config = benchConfig(options.model, options.maxAttempts);
  ctx.log(`overload/fleet: starting ${options.workers} worker processes`);
  const rig = await startRig({
    tag: 'ov',
    projectId: 'demo-fq-bench-overload',
    fake: {
      capacity: options.capacity,
      overloadResponse: options.overloadResponse,
      retryDelayMs: options.retryDelayMs,
      baseLatencyMs: options.baseLatencyMs,
      latencyMsPerAudioSecond: options.latencyMsPerAudioSecond,
      latencyJitter: 0,
      loadLatencyFactor: 0,
      rejectLatencyMs: 2,
      seed: ctx.seed,
    },
    config,
    workers: options.workers,
    concurrency: options.concurrencyPerWorker,
    log: ctx.log,
  });
  let fleet: FleetOverloadResult;
  let naive: NaiveResult;
  let naiveUpstream: FakeGeminiStats;
  try {
    fleet = await drainBacklog(rig, jobs, { model: options.model, timeoutMs: options.timeoutMs, what: 'overload/fleet', log: ctx.log });
    ctx.log(`overload/fleet: drained in ${(fleet.drainMs / 1000).toFixed(1)} s`);
    // The workers stay up but idle: same background as during the fleet's run.
    await rig.fake.reset({ stats: true, failures: true });
    const policy = { concurrency: options.workers * options.concurrencyPerWorker, maxAttempts: options.maxAttempts, ...options.naive };
    ctx.log(`overload/naive: ${jobs.length} jobs, ${policy.concurrency} in flight, blind exponential retries`);
    naive = await runNaiveBaseline({ upstreamUrl: rig.fakeUrl, jobs, model: options.model, policy });
    naiveUpstream = await rig.fake.stats();
    ctx.log(`overload/naive: drained in ${(naive.drainMs / 1000).toFixed(1)} s`);
  } finally {
    await rig.stop();
  }
  const succeeded = fleet.statuses.succeeded ?? 0;
  const f = side(succeeded, options.jobs - succeeded, fleet.drainMs, fleet.completionMs, fleet.upstream, capacityRate);
  const n = side(naive.succeeded, naive.failed, naive.drainMs, naive.completionMs, naiveUpstream, capacityRate);
  return {
    options,
    serviceTimeSec: serviceMs / 1000,
    capacityRatePerSec: round(capacityRate, 3),
    fleet: {
      ...f,
      workers: options.workers,
      concurrencyPerWorker: options.concurrencyPerWorker,
      adaptiveLimitAtEnd: fleet.adaptiveLimitAtEnd,
      breakerTransitions: fleet.breakerTransitions,
      statuses: fleet.statuses,
    },
    naive: { ...n, policy: naive.policy },
    ratios: {
      goodput: ratio(f.goodputPerSec, n.goodputPerSec),
      wastedCallsPerSuccess: ratio(f.wastedCallsPerSuccess, n.wastedCallsPerSuccess),
      drainTime: ratio(f.drainSec, n.drainSec),
      upstreamCalls: ratio(f.upstreamCalls, n.upstreamCalls),
    },
    figures: {
      fleet: {
        goodputShareOfCapacity: atLeast(f.goodputShareOfCapacity, 0.95),
        wastedCallsPerSuccess: atMost(f.wastedCallsPerSuccess, 0.05),
        failed: atMost(f.failed, 0, 'jobs'),
      },
      naive: {
        goodputShareOfCapacity: reported(n.goodputShareOfCapacity),
        wastedCallsPerSuccess: reported(n.wastedCallsPerSuccess),
        failed: reported(n.failed, 'jobs'),
      },
    },
  };
}

export const overloadScenario: Scenario<OverloadResult> = async (ctx) => {
  const result = await measureOverload(ctx, overloadDefaults(ctx.quick));
  const { fleet: f, naive: n, ratios: r } = result;
  const rej = (s: Side, code: string) => s.rejections[code] ?? 0;
  return {
    result,
    tables: [
      {
        title: `overload (seed ${ctx.seed}): ${result.options.jobs} jobs, fake capacity ${result.options.capacity} concurrent x ${result.serviceTimeSec} s = ${result.capacityRatePerSec} jobs/s`,
        headers: ['metric', 'fleet', 'naive', 'fleet/naive'],
        rows: [
          ['jobs succeeded', f.succeeded, n.succeeded, null],
          ['jobs failed (out of attempts)', f.failed, n.failed, null],
          ['time to drain (s)', f.drainSec, n.drainSec, r.drainTime],
          ['goodput (jobs/s)', f.goodputPerSec, n.goodputPerSec, r.goodput],
          ['goodput / capacity rate', f.goodputShareOfCapacity, n.goodputShareOfCapacity, null],
          ['upstream calls', f.upstreamCalls, n.upstreamCalls, r.upstreamCalls],
          ['wasted calls per success', f.wastedCallsPerSuccess, n.wastedCallsPerSuccess, r.wastedCallsPerSuccess],
          ['503 answers', rej(f, '503'), rej(n, '503'), null],
          ['429 answers', rej(f, '429'), rej(n, '429'), null],
          ['peak concurrent calls at the fake', f.peakConcurrent, n.peakConcurrent, null],
          ['job done after release p50 (s)', f.completionSec.p50, n.completionSec.p50, null],
          ['job done after release p95 (s)', f.completionSec.p95, n.completionSec.p95, null],
        ],
        notes: [
          `fleet: ${f.workers} worker processes x ${f.concurrencyPerWorker} slots, fleet flow control; adaptive limit at end ${f.adaptiveLimitAtEnd ?? '-'}, breaker transitions ${f.breakerTransitions}`,
          `naive: @google/genai direct, ${n.policy.concurrency} in flight, retry every error after ${n.policy.baseMs} ms x ${n.policy.multiplier}^n (max ${n.policy.maxMs} ms, ${n.policy.maxAttempts} attempts), no jitter, retryDelay ignored`,
          'capacity rate = C / service time; goodput = succeeded jobs / time to drain; wasted = (calls - successes) / successes',
        ],
      },
    ],
  };
};

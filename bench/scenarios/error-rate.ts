import { atLeast, atMost, reported, type Figure } from '../lib/goals.js';
import { openings } from '../lib/breaker-timeline.js';
import { makeJobSet } from '../lib/job-set.js';
import { startRig } from '../lib/rig.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { errorRateSide, type ErrorRateSide } from './error-rate-figures.js';
import type { NaiveRetryPolicy } from './naive-baseline.js';
import { runNaiveSide } from './naive-side.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';
import { fakeOptionsFor, FLEET, serviceMs, STEADY_UPSTREAM } from './upstream-shape.js';

/**
 * Error rate: the fake answers a steady share r of the calls it serves with 503 (drawn from
 * its seeded random; the call holds its slot for the service time first), for r = 10 % and
 * 30 %, on one rig: the fleet drains a backlog, then the naive baseline the same jobs.
 * 1.0 = the non-failing capacity (1 - r) x C / service time. Workers keep the production
 * attempt budget (maxAttempts 5): a 503 that spends an attempt shows up as dead letters.
 */
export interface ErrorRateOptions {
  rates: number[];
  jobs: number;
  maxAttempts: number;
  naive: Partial<NaiveRetryPolicy>;
  model: string;
  timeoutMs: number;
}

export function errorRateDefaults(quick: boolean): ErrorRateOptions {
  return { rates: [0.1, 0.3], jobs: quick ? 40 : 120, maxAttempts: 5, naive: {}, model: 'gemini-2.5-flash', timeoutMs: quick ? 300_000 : 600_000 };
}

interface RateRun {
  rate: number;
  fleet: ErrorRateSide & { statuses: Record<string, number>; breakerOpenings: number; breakerStateAtEnd: string | null; drainSec: number };
  naive: ErrorRateSide & { failed: number; drainSec: number };
}

export interface ErrorRateResult {
  options: ErrorRateOptions;
  capacity: number;
  serviceTimeSec: number;
  naivePolicy: NaiveRetryPolicy | null;
  runs: RateRun[];
  figures: Record<string, { goodputShareOfLimit: Figure; breakerOpenings: Figure; deadLettered: Figure; naiveGoodputShareOfLimit: Figure; naiveFailed: Figure }>;
}

export async function measureErrorRate(ctx: ScenarioContext, options: ErrorRateOptions): Promise<ErrorRateResult> {
  const shape = STEADY_UPSTREAM;
  const service = serviceMs(shape);
  const capacity = shape.capacity ?? 0;
  ctx.log(`error-rate: starting ${FLEET.workers} worker processes`);
  const rig = await startRig({
    tag: 'er',
    projectId: 'demo-fq-bench-error-rate',
    fake: fakeOptionsFor(shape, ctx.seed),
    config: benchConfig(options.model, options.maxAttempts),
    workers: FLEET.workers,
    concurrency: FLEET.concurrencyPerWorker,
    log: ctx.log,
  });
  const runs: RateRun[] = [];
  let naivePolicy: NaiveRetryPolicy | null = null;
  try {
    for (const rate of options.rates) {
      const tag = `er${Math.round(rate * 100)}`;
      const jobs = makeJobSet({ count: options.jobs, seed: ctx.seed, tag, durations: [shape.audioSeconds] });
      await rig.fake.configure({ errorRate: rate });
      const what = `error-rate ${rate}`;
      const fleet = await drainBacklog(rig, jobs, { model: options.model, timeoutMs: options.timeoutMs, what: `${what}/fleet`, log: ctx.log });
      const fleetCalls = await rig.fake.calls();
      const breaker = (await rig.store.get('breakers', options.model)).doc;
      ctx.log(`${what}/fleet: drained in ${(fleet.drainMs / 1000).toFixed(1)} s`);
      const policy = { concurrency: FLEET.workers * FLEET.concurrencyPerWorker, maxAttempts: options.maxAttempts, ...options.naive };
      const { naive, calls: naiveCalls } = await runNaiveSide(rig, jobs, { model: options.model, policy, what: `${what}/naive`, log: ctx.log });
      naivePolicy = naive.policy;
      runs.push({
        rate,
        fleet: {
          ...errorRateSide(fleetCalls, rate, capacity, service),
          statuses: fleet.statuses,
          breakerOpenings: openings(breaker?.history ?? [], fleet.releasedAt),
          breakerStateAtEnd: breaker?.state ?? null,
          drainSec: round(fleet.drainMs / 1000, 1),
        },
        naive: { ...errorRateSide(naiveCalls, rate, capacity, service), failed: naive.failed, drainSec: round(naive.drainMs / 1000, 1) },
      });
    }
  } finally {
    await rig.stop();
  }
  const figures: ErrorRateResult['figures'] = {};
  for (const r of runs) {
    figures[`rate${Math.round(r.rate * 100)}`] = {
      goodputShareOfLimit: atLeast(r.fleet.goodputShareOfLimit, 0.9),
      breakerOpenings: atMost(r.fleet.breakerOpenings, 0),
      deadLettered: atMost(r.fleet.statuses.dead_lettered ?? 0, 0, 'jobs'),
      naiveGoodputShareOfLimit: reported(r.naive.goodputShareOfLimit),
      naiveFailed: reported(r.naive.failed, 'jobs'),
    };
  }
  return { options, capacity, serviceTimeSec: service / 1000, naivePolicy, runs, figures };
}

export const errorRateScenario: Scenario<ErrorRateResult> = async (ctx) => {
  const result = await measureErrorRate(ctx, errorRateDefaults(ctx.quick));
  return {
    result,
    tables: result.runs.map((r) => ({
      title: `error-rate ${Math.round(r.rate * 100)} % (seed ${ctx.seed}): ${result.options.jobs} jobs, capacity ${result.capacity} x ${result.serviceTimeSec} s, non-failing capacity ${r.fleet.limitPerSec} jobs/s`,
      headers: ['metric', 'fleet', 'naive'],
      rows: [
        ['goodput / non-failing capacity (goal >= 0.9)', r.fleet.goodputShareOfLimit, r.naive.goodputShareOfLimit],
        ['breaker openings (goal 0)', r.fleet.breakerOpenings, null],
        ['jobs dead-lettered / failed (goal 0)', r.fleet.statuses.dead_lettered ?? 0, r.naive.failed],
        ['goodput (jobs/s)', r.fleet.goodputPerSec, r.naive.goodputPerSec],
        ['final statuses', JSON.stringify(r.fleet.statuses), null],
        ['upstream calls / successes', `${r.fleet.calls} / ${r.fleet.successes}`, `${r.naive.calls} / ${r.naive.successes}`],
        ['wasted calls per success', r.fleet.wastedCallsPerSuccess, r.naive.wastedCallsPerSuccess],
        ['rejections by reason', JSON.stringify(r.fleet.rejectionsByReason), JSON.stringify(r.naive.rejectionsByReason)],
        ['breaker state at the end', r.fleet.breakerStateAtEnd, null],
        ['release -> last success at the fake (s)', r.fleet.windowSec, r.naive.windowSec],
      ],
      notes: [
        `fleet: ${FLEET.workers} worker processes x ${FLEET.concurrencyPerWorker} slots, maxAttempts ${result.options.maxAttempts}; naive: ${result.naivePolicy?.concurrency ?? '-'} in flight, ${result.naivePolicy?.maxAttempts ?? '-'} attempts`,
        'error-rate answers hold their slot for the service time: 1.0 = (1 - r) x capacity / service time; goodput = successes / (release -> last success, fake clock)',
      ],
    })),
  };
};

import type { CapacityStep } from '@fq/fake-gemini';
import { atLeast, atMost, reported, type Figure } from '../lib/goals.js';
import { makeJobSet } from '../lib/job-set.js';
import { startRig } from '../lib/rig.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { ratio, round } from '../lib/stats.js';
import { capacityStepSide, type CapacityStepSide } from './capacity-step-figures.js';
import type { NaiveRetryPolicy } from './naive-baseline.js';
import { runNaiveSide } from './naive-side.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';
import { fakeOptionsFor, FLEET, serviceMs, STEADY_UPSTREAM } from './upstream-shape.js';

/**
 * Capacity step: the fake serves 6 concurrent calls, then 2, then 6 again (a schedule counted
 * from the release), while the fleet and then the naive baseline drain the same backlog.
 * 1.0 = the capacity integral: sum over phases of capacity x phase length / service time,
 * from the release to the last success.
 */
export interface CapacityStepOptions {
  jobs: number;
  schedule: CapacityStep[];
  maxAttempts: number;
  naive: Partial<NaiveRetryPolicy>;
  model: string;
  timeoutMs: number;
}

export function capacityStepDefaults(quick: boolean): CapacityStepOptions {
  return {
    // About 20 s at 6, 30 s at 2, then the rest at 6 (quick: 10 s, 15 s, rest).
    jobs: quick ? 100 : 200,
    schedule: quick
      ? [
          { atMs: 0, capacity: 6 },
          { atMs: 10_000, capacity: 2 },
          { atMs: 25_000, capacity: 6 },
        ]
      : [
          { atMs: 0, capacity: 6 },
          { atMs: 20_000, capacity: 2 },
          { atMs: 50_000, capacity: 6 },
        ],
    maxAttempts: 10,
    naive: {},
    model: 'gemini-2.5-flash',
    timeoutMs: quick ? 300_000 : 600_000,
  };
}

export interface CapacityStepResult {
  options: CapacityStepOptions;
  serviceTimeSec: number;
  fleet: CapacityStepSide & { statuses: Record<string, number>; drainSec: number; adaptiveLimitAtEnd: number | null };
  naive: CapacityStepSide & { failed: number; drainSec: number; policy: NaiveRetryPolicy };
  figures: {
    fleet: { goodputShareOfIntegral: Figure; wastedCallsPerSuccess: Figure; failed: Figure };
    naive: { goodputShareOfIntegral: Figure; wastedCallsPerSuccess: Figure };
    ratios: { goodput: Figure; wastedCallsPerSuccess: Figure };
  };
}

export async function measureCapacityStep(ctx: ScenarioContext, options: CapacityStepOptions): Promise<CapacityStepResult> {
  const shape = { ...STEADY_UPSTREAM, capacity: options.schedule[0]?.capacity ?? 6 };
  const service = serviceMs(shape);
  const initial = shape.capacity ?? 0;
  const jobs = makeJobSet({ count: options.jobs, seed: ctx.seed, tag: 'cs', durations: [shape.audioSeconds] });
  ctx.log(`capacity-step/fleet: starting ${FLEET.workers} worker processes`);
  const rig = await startRig({
    tag: 'cs',
    projectId: 'demo-fq-bench-capacity-step',
    fake: fakeOptionsFor(shape, ctx.seed, { capacitySchedule: options.schedule }),
    config: benchConfig(options.model, options.maxAttempts),
    workers: FLEET.workers,
    concurrency: FLEET.concurrencyPerWorker,
    log: ctx.log,
  });
  try {
    const fleet = await drainBacklog(rig, jobs, { model: options.model, timeoutMs: options.timeoutMs, what: 'capacity-step/fleet', log: ctx.log });
    const fleetCalls = await rig.fake.calls();
    ctx.log(`capacity-step/fleet: drained in ${(fleet.drainMs / 1000).toFixed(1)} s`);
    const policy = { concurrency: FLEET.workers * FLEET.concurrencyPerWorker, maxAttempts: options.maxAttempts, ...options.naive };
    const { naive, calls: naiveCalls } = await runNaiveSide(rig, jobs, { model: options.model, policy, what: 'capacity-step/naive', log: ctx.log });
    const f = capacityStepSide(fleetCalls, options.schedule, initial, service);
    const n = capacityStepSide(naiveCalls, options.schedule, initial, service);
    const failed = options.jobs - (fleet.statuses.succeeded ?? 0);
    return {
      options,
      serviceTimeSec: service / 1000,
      fleet: { ...f, statuses: fleet.statuses, drainSec: round(fleet.drainMs / 1000, 1), adaptiveLimitAtEnd: fleet.adaptiveLimitAtEnd },
      naive: { ...n, failed: naive.failed, drainSec: round(naive.drainMs / 1000, 1), policy: naive.policy },
      figures: {
        fleet: {
          goodputShareOfIntegral: atLeast(f.goodputShareOfIntegral, 0.9),
          wastedCallsPerSuccess: atMost(f.wastedCallsPerSuccess, 0.1),
          failed: atMost(failed, 0, 'jobs'),
        },
        naive: { goodputShareOfIntegral: reported(n.goodputShareOfIntegral), wastedCallsPerSuccess: reported(n.wastedCallsPerSuccess) },
        ratios: {
          goodput: reported(ratio(f.goodputShareOfIntegral, n.goodputShareOfIntegral, 3)),
          wastedCallsPerSuccess: reported(ratio(f.wastedCallsPerSuccess, n.wastedCallsPerSuccess, 3)),
        },
      },
    };
  } finally {
    await rig.stop();
  }
}

export const capacityStepScenario: Scenario<CapacityStepResult> = async (ctx) => {
  const result = await measureCapacityStep(ctx, capacityStepDefaults(ctx.quick));
  const { fleet: f, naive: n } = result;
  const steps = result.options.schedule.map((s) => `${s.capacity ?? 'unlimited'} from ${s.atMs / 1000} s`).join(', ');
  const phaseRows = f.phases.map((p, i) => [
    `phase ${p.fromSec}-${p.toSec} s (capacity ${p.capacity}): successes / possible`,
    p.shareOfCapacity,
    n.phases[i] ? `${n.phases[i]!.shareOfCapacity ?? '-'} (${n.phases[i]!.fromSec}-${n.phases[i]!.toSec} s)` : null,
  ]);
  return {
    result,
    tables: [
      {
        title: `capacity-step (seed ${ctx.seed}): ${result.options.jobs} jobs, capacity ${steps}, ${result.serviceTimeSec} s per call`,
        headers: ['metric', 'fleet', 'naive'],
        rows: [
          ['goodput / capacity integral (goal >= 0.9)', f.goodputShareOfIntegral, n.goodputShareOfIntegral],
          ['wasted calls per success (goal <= 0.1)', f.wastedCallsPerSuccess, n.wastedCallsPerSuccess],
          ['jobs succeeded / failed', `${f.statuses.succeeded ?? 0} / ${result.options.jobs - (f.statuses.succeeded ?? 0)}`, `${n.successes} / ${n.failed}`],
          ['release -> last success at the fake (s)', f.windowSec, n.windowSec],
          ['capacity integral (jobs possible in that time)', f.capacityIntegralJobs, n.capacityIntegralJobs],
          ['upstream calls', f.calls, n.calls],
          ['rejections by status', JSON.stringify(f.rejections), JSON.stringify(n.rejections)],
          ...phaseRows,
        ],
        notes: [
          `fleet: ${FLEET.workers} worker processes x ${FLEET.concurrencyPerWorker} slots; adaptive limit at end ${f.adaptiveLimitAtEnd ?? '-'}`,
          'capacity integral = sum over phases of capacity x phase length / service time, release to last success (fake clock); waste = (calls - successes) / successes',
        ],
      },
    ],
  };
};

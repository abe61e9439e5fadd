import { atLeast, atMost, never, reported, type Figure } from '../lib/goals.js';
import { makeJobSet } from '../lib/job-set.js';
import { startRig } from '../lib/rig.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';
import { quotaSide, type QuotaSide } from './quota-figures.js';
import { fakeOptionsFor, FLEET, STEADY_UPSTREAM } from './upstream-shape.js';

/**
 * Quota: the fake admits N calls per sliding minute per model and answers the rest 429 with
 * a RetryInfo delay until the window admits the next (no concurrency limit). The same
 * backlog is drained twice, each on a fresh rig: (a) workers configured with
 * upstream.requestsPerMinute = N, (b) not configured (they must learn the quota from the
 * 429s). 1.0 = N successes per minute. Production attempt budget (maxAttempts 5).
 */
export interface QuotaOptions {
  requestsPerMinute: number;
  jobs: number;
  maxAttempts: number;
  model: string;
  timeoutMs: number;
}

export function quotaDefaults(quick: boolean): QuotaOptions {
  // About 4 minutes of quota (quick: 2.5) on each side.
  return quick
    ? { requestsPerMinute: 30, jobs: 75, maxAttempts: 5, model: 'gemini-2.5-flash', timeoutMs: 600_000 }
    : { requestsPerMinute: 60, jobs: 240, maxAttempts: 5, model: 'gemini-2.5-flash', timeoutMs: 1_200_000 };
}

type Side = QuotaSide & { statuses: Record<string, number>; drainSec: number };

export interface QuotaResult {
  options: QuotaOptions;
  configured: Side;
  unconfigured: Side;
  figures: {
    configured: { meanMinuteShareOfQuota: Figure; share429: Figure; deadLettered: Figure };
    unconfigured: { reachedNinetyPercentSec: Figure; meanMinuteShareOfQuota: Figure; share429: Figure; deadLettered: Figure };
  };
}

async function drainSide(ctx: ScenarioContext, options: QuotaOptions, configured: boolean): Promise<Side> {
  const name = configured ? 'configured' : 'unconfigured';
  const shape = { ...STEADY_UPSTREAM, capacity: null };
  const jobs = makeJobSet({ count: options.jobs, seed: ctx.seed, tag: `qu${configured ? 'c' : 'u'}`, durations: [shape.audioSeconds] });
  ctx.log(`quota/${name}: starting ${FLEET.workers} worker processes`);
  const rig = await startRig({
    tag: configured ? 'quc' : 'quu',
    projectId: 'demo-fq-bench-quota',
    fake: fakeOptionsFor(shape, ctx.seed, { requestsPerMinute: options.requestsPerMinute }),
    config: benchConfig(options.model, options.maxAttempts, configured ? { upstream: { model: options.model, requestsPerMinute: options.requestsPerMinute } } : {}),
    workers: FLEET.workers,
    concurrency: FLEET.concurrencyPerWorker,
    log: ctx.log,
  });
  try {
    const drained = await drainBacklog(rig, jobs, { model: options.model, timeoutMs: options.timeoutMs, what: `quota/${name}`, log: ctx.log });
    ctx.log(`quota/${name}: drained in ${(drained.drainMs / 1000).toFixed(1)} s`);
    return { ...quotaSide(await rig.fake.calls(), options.requestsPerMinute), statuses: drained.statuses, drainSec: round(drained.drainMs / 1000, 1) };
  } finally {
    await rig.stop();
  }
}

export async function measureQuota(ctx: ScenarioContext, options: QuotaOptions): Promise<QuotaResult> {
  const configured = await drainSide(ctx, options, true);
  const unconfigured = await drainSide(ctx, options, false);
  const reach = unconfigured.reachedNinetyPercentSec;
  return {
    options,
    configured,
    unconfigured,
    figures: {
      configured: {
        meanMinuteShareOfQuota: atLeast(configured.meanMinuteShareOfQuota, 0.95),
        share429: atMost(configured.share429, 0.02),
        deadLettered: atMost(configured.statuses.dead_lettered ?? 0, 0, 'jobs'),
      },
      unconfigured: {
        reachedNinetyPercentSec: reach === null ? never('<= 120', 's') : atMost(reach, 120, 's'),
        meanMinuteShareOfQuota: reported(unconfigured.meanMinuteShareOfQuota),
        share429: reported(unconfigured.share429),
        deadLettered: atMost(unconfigured.statuses.dead_lettered ?? 0, 0, 'jobs'),
      },
    },
  };
}

export const quotaScenario: Scenario<QuotaResult> = async (ctx) => {
  const result = await measureQuota(ctx, quotaDefaults(ctx.quick));
  const { configured: c, unconfigured: u, options: o } = result;
  return {
    result,
    tables: [
      {
        title: `quota (seed ${ctx.seed}): ${o.jobs} jobs, the fake admits ${o.requestsPerMinute} calls per sliding minute (429 + RetryInfo beyond), no concurrency limit`,
        headers: ['metric', 'configured rpm = N', 'not configured'],
        rows: [
          ['mean successes per sliding minute / N (goal >= 0.95 configured)', c.meanMinuteShareOfQuota, u.meanMinuteShareOfQuota],
          ['429 answers / calls (goal <= 0.02 configured)', c.share429, u.share429],
          ['release -> trailing minute (averaged over a minute) stays >= 0.9 N (s) (goal <= 120 not configured)', c.reachedNinetyPercentSec ?? 'never', u.reachedNinetyPercentSec ?? 'never'],
          ['mean successes per sliding minute', c.meanPerMinute, u.meanPerMinute],
          ['successes per minute over the drain (first minute free)', c.drainPerMin, u.drainPerMin],
          ['most successes in any sliding minute', c.maxSuccessesPerMinute, u.maxSuccessesPerMinute],
          ['upstream calls / successes', `${c.calls} / ${c.successes}`, `${u.calls} / ${u.successes}`],
          ['final statuses', JSON.stringify(c.statuses), JSON.stringify(u.statuses)],
          ['time to drain (s)', c.drainSec, u.drainSec],
        ],
        notes: [
          `fleet: ${FLEET.workers} worker processes x ${FLEET.concurrencyPerWorker} slots, maxAttempts ${o.maxAttempts}; configured = upstream.requestsPerMinute ${o.requestsPerMinute}`,
          'mean over every full trailing minute from the first success to the last (sampled each second) of the successes it holds: pacing N evenly and bursting N each minute both reach 1.0; the reach time samples trailing minutes from the release',
        ],
      },
    ],
  };
};

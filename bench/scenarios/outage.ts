import { sleepUnlessAborted } from '../lib/abortable-sleep.js';
import { atMost, never, reported, type Figure } from '../lib/goals.js';
import { makeJobSet } from '../lib/job-set.js';
import { allJobs } from '../lib/queue-driver.js';
import { startRig } from '../lib/rig.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { perSecond, summarizeCalls, type PerSecond } from '../lib/call-log-figures.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';
import { outageFigures, type OutageFigures } from './outage-figures.js';
import { fakeOptionsFor, FLEET, STEADY_UPSTREAM } from './upstream-shape.js';

/**
 * Outage: while the fleet drains a backlog, the fake answers every call 503 for 30 s, then
 * recovers. Read from the breaker document's history (Firestore time), the fake's call log
 * and the jobs: how soon the breaker opened, how many calls went out while it was open (one
 * probe at a time), how soon it closed after the first good probe, what the outage cost the
 * jobs (dead letters, attempts). Production worker settings (maxAttempts 5, breaker defaults).
 * Rejections take 250 ms here, so two probes sent together overlap at the fake.
 */
export interface OutageOptions {
  jobs: number;
  outageAtMs: number;
  outageMs: number;
  maxAttempts: number;
  model: string;
  timeoutMs: number;
}

export function outageDefaults(quick: boolean): OutageOptions {
  return { jobs: quick ? 50 : 100, outageAtMs: quick ? 8_000 : 10_000, outageMs: 30_000, maxAttempts: 5, model: 'gemini-2.5-flash', timeoutMs: 900_000 };
}

export interface OutageResult {
  options: OutageOptions;
  outage: { startOffsetSec: number; endOffsetSec: number };
  statuses: Record<string, number>;
  drainAfterOutageSec: number | null;
  upstream: ReturnType<typeof summarizeCalls>;
  /** Calls per second by arrival, from the release (JSON only). */
  perSecond: PerSecond;
  breaker: { state: string | null; history: { from: string; to: string; atOffsetSec: number; reason: string }[] };
  measured: OutageFigures;
  figures: { openAfterSec: Figure; deadLettered: Figure; probesInFlightMax: Figure; closedAfterProbeSec: Figure; notClosedSec: Figure; drained: Figure };
}

export async function measureOutage(ctx: ScenarioContext, options: OutageOptions): Promise<OutageResult> {
  const shape = STEADY_UPSTREAM;
  const jobs = makeJobSet({ count: options.jobs, seed: ctx.seed, tag: 'ou', durations: [shape.audioSeconds] });
  ctx.log(`outage: starting ${FLEET.workers} worker processes`);
  const rig = await startRig({
    tag: 'ou',
    projectId: 'demo-fq-bench-outage',
    fake: fakeOptionsFor(shape, ctx.seed, { rejectLatencyMs: 250 }),
    config: benchConfig(options.model, options.maxAttempts),
    workers: FLEET.workers,
    concurrency: FLEET.concurrencyPerWorker,
    log: ctx.log,
  });
  let outageStart = 0;
  let outageEnd = 0;
  try {
    const drained = await drainBacklog(rig, jobs, {
      model: options.model,
      timeoutMs: options.timeoutMs,
      what: 'outage',
      log: ctx.log,
      during: async (signal) => {
        if (!(await sleepUnlessAborted(options.outageAtMs, signal))) throw new Error('outage: the backlog drained before the outage began; give it more jobs');
        outageStart = Date.now();
        await rig.fake.configure({ outage: { kind: 'status', status: 503 } });
        ctx.log(`outage: upstream down (503) for ${options.outageMs / 1000} s`);
        await sleepUnlessAborted(options.outageMs, signal);
        outageEnd = Date.now();
        await rig.fake.configure({ outage: null });
        ctx.log('outage: upstream back');
      },
    });
    const calls = await rig.fake.calls();
    const breaker = (await rig.store.get('breakers', options.model)).doc;
    const ids = new Set(jobs.map((j) => j.id));
    const finished = (await allJobs(rig.store)).filter((j) => ids.has(j.id));
    const history = breaker?.history ?? [];
    const measured = outageFigures({ outageStart, outageEnd, history, log: calls, jobErrors: finished.flatMap((j) => j.errors) });
    const lastDone = Math.max(...finished.map((j) => j.completedAt ?? 0));
    const drainAfter = lastDone > outageEnd ? round((lastDone - outageEnd) / 1000, 1) : null;
    const at = (t: number) => round((t - drained.releasedWall) / 1000, 2);
    return {
      options,
      outage: { startOffsetSec: at(outageStart), endOffsetSec: at(outageEnd) },
      statuses: drained.statuses,
      drainAfterOutageSec: drainAfter,
      upstream: summarizeCalls(calls),
      perSecond: perSecond(calls),
      breaker: { state: breaker?.state ?? null, history: history.map((h) => ({ from: h.from, to: h.to, atOffsetSec: at(h.at), reason: h.reason })) },
      measured,
      figures: {
        openAfterSec: measured.openAfterSec === null ? never('<= 5', 's') : atMost(measured.openAfterSec, 5, 's'),
        deadLettered: atMost(drained.statuses.dead_lettered ?? 0, 0, 'jobs'),
        probesInFlightMax: atMost(measured.probesInFlightMax, 1),
        closedAfterProbeSec: measured.closedAfterProbeSec === null ? never('<= 2', 's') : atMost(measured.closedAfterProbeSec, 2, 's'),
        notClosedSec: reported(measured.notClosedSec, 's'),
        drained: atMost(options.jobs - Object.values(drained.statuses).reduce((a, b) => a + b, 0), 0, 'jobs not terminal'),
      },
    };
  } finally {
    await rig.stop();
  }
}

export const outageScenario: Scenario<OutageResult> = async (ctx) => {
  const result = await measureOutage(ctx, outageDefaults(ctx.quick));
  const m = result.measured;
  return {
    result,
    tables: [
      {
        title: `outage (seed ${ctx.seed}): ${result.options.jobs} jobs, every call 503 from ${result.outage.startOffsetSec} s to ${result.outage.endOffsetSec} s after the release`,
        headers: ['metric', 'value', 'goal'],
        rows: [
          ['outage start -> breaker open (s)', m.openAfterSec ?? 'never opened', '<= 5'],
          ['jobs dead-lettered', result.statuses.dead_lettered ?? 0, '0'],
          ['calls in flight at once while not closed (probes)', m.probesInFlightMax, '<= 1'],
          ['first successful probe -> closed (s)', m.closedAfterProbeSec ?? '-', '<= 2'],
          ['outage start -> closed again (s)', m.notClosedSec ?? '-', 'outage + probe'],
          ['calls while open or half-open', m.callsWhileNotClosed, null],
          ['job errors during the outage by charge', JSON.stringify(m.errorsDuringOutageByCharge), null],
          ['outage end -> last job done (s)', result.drainAfterOutageSec, null],
          ['final statuses', JSON.stringify(result.statuses), `${result.options.jobs} terminal`],
          ['upstream calls / successes', `${result.upstream.calls} / ${result.upstream.successes}`, null],
          ['upstream rejections by reason', JSON.stringify(result.upstream.byReason), null],
          ['breaker transitions (s after release)', result.breaker.history.map((h) => `${h.to}@${h.atOffsetSec}`).join(' ') || '-', null],
        ],
        notes: [`fleet: ${FLEET.workers} worker processes x ${FLEET.concurrencyPerWorker} slots, maxAttempts ${result.options.maxAttempts}, breaker defaults; rejections take 250 ms`],
      },
    ],
  };
};

import { SINGLETON_IDS } from '@fq/worker';
import { sleepUnlessAborted } from '../lib/abortable-sleep.js';
import { atMost, reported, type Figure } from '../lib/goals.js';
import { makeJobSet } from '../lib/job-set.js';
import type { Rig } from '../lib/rig.js';
import { startRig } from '../lib/rig.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { budgetSide, type BudgetSide } from './fleet-budget-figures.js';
import { benchConfig, drainBacklog } from './overload-fleet.js';
import { fakeOptionsFor, FLEET, STEADY_UPSTREAM } from './upstream-shape.js';

/**
 * Budget across the fleet: 3 worker processes share upstream.requestsPerMinute and
 * tokensPerMinute (the leader hands out slices); the fake has no quota and no concurrency
 * limit, so whatever the fleet sends is counted. During the drain the leader is killed
 * with kill -9 (its slot restarts). 1.0 = the configured limit in the busiest sliding minute.
 */
export interface FleetBudgetOptions {
  jobs: number;
  requestsPerMinute: number;
  tokensPerMinute: number;
  killLeaderAtMs: number;
  maxAttempts: number;
  model: string;
  timeoutMs: number;
}

export function fleetBudgetDefaults(quick: boolean): FleetBudgetOptions {
  // Audio of 1-3 s is ~75-105 tokens a call (~90 on average): 60 calls a minute would be
  // ~5,400 tokens, so the token limit binds a little before the request limit. See
  // CLAIM_ESTIMATE_AUDIO_SECONDS.
  return quick
    ? { jobs: 90, requestsPerMinute: 60, tokensPerMinute: 5_000, killLeaderAtMs: 30_000, maxAttempts: 5, model: 'gemini-2.5-flash', timeoutMs: 600_000 }
    : { jobs: 200, requestsPerMinute: 60, tokensPerMinute: 5_000, killLeaderAtMs: 60_000, maxAttempts: 5, model: 'gemini-2.5-flash', timeoutMs: 1_200_000 };
}

/**
 * A worker sizes its claims by the tokens of a job of unknown length
 * (fairScheduling.defaultAudioSeconds, 30 s by default: ~1,120 tokens), and each server's token
 * bucket holds rateBurstSeconds (5 s) of its share of tokensPerMinute: below ~40,000 tokens a
 * minute over 3 servers no claim ever fits and the fleet sends nothing (seen at 3,000 and
 * 6,000). The bench's jobs are 1-3 s, so the estimate is set to 2 s.
 */
const CLAIM_ESTIMATE_AUDIO_SECONDS = 2;

/** A fleet that sent nothing this long after the release is stalled, not slow. */
const STALL_AFTER_MS = 30_000;

export interface LeaderKill {
  killedServerId: string | null;
  killedAtSec: number | null;
  /** Kill -> a live server holds the lease again. */
  leaderlessSec: number | null;
  successor: string | null;
}

export interface FleetBudgetResult {
  options: FleetBudgetOptions;
  upstream: BudgetSide;
  kill: LeaderKill;
  statuses: Record<string, number>;
  drainSec: number;
  successesPerMinute: number | null;
  figures: { callsOvershoot: Figure; tokensOvershoot: Figure; callsShareOfLimit: Figure; tokensShareOfLimit: Figure; leaderlessSec: Figure };
}

async function killLeader(rig: Rig, releasedWall: () => number, signal: AbortSignal, log: (m: string) => void): Promise<LeaderKill> {
  const none: LeaderKill = { killedServerId: null, killedAtSec: null, leaderlessSec: null, successor: null };
  const lease = (await rig.store.get('leader', SINGLETON_IDS.leaderLease)).doc;
  const workers = await rig.system.workers();
  const victim = workers.find((w) => w.serverId === lease?.holder && w.state === 'running');
  if (!victim) {
    log('fleet-budget: no live leader to kill');
    return none;
  }
  const killedAt = Date.now();
  await rig.system.killWorker(victim.serverId, 'SIGKILL');
  log(`fleet-budget: kill -9 the leader ${victim.serverId} (pid ${victim.pid}); restarting its slot`);
  const restart = rig.system.restartWorker(victim.serverId).catch((error: unknown) => log(`fleet-budget: restart failed: ${String(error)}`));
  let successor: string | null = null;
  let leaderless: number | null = null;
  while (!signal.aborted) {
    const doc = (await rig.store.get('leader', SINGLETON_IDS.leaderLease)).doc;
    if (doc?.holder && doc.holder !== victim.serverId && doc.expiresAt > Date.now()) {
      successor = doc.holder;
      leaderless = Date.now() - killedAt;
      break;
    }
    await sleepUnlessAborted(250, signal);
  }
  await restart;
  return { killedServerId: victim.serverId, killedAtSec: round((killedAt - releasedWall()) / 1000, 1), leaderlessSec: leaderless === null ? null : round(leaderless / 1000, 1), successor };
}

export async function measureFleetBudget(ctx: ScenarioContext, options: FleetBudgetOptions): Promise<FleetBudgetResult> {
  const shape = { ...STEADY_UPSTREAM, capacity: null };
  const jobs = makeJobSet({ count: options.jobs, seed: ctx.seed, tag: 'fb', durations: [1, 2, 3] });
  ctx.log(`fleet-budget: starting ${FLEET.workers} worker processes`);
  const rig = await startRig({
    tag: 'fb',
    projectId: 'demo-fq-bench-fleet-budget',
    fake: fakeOptionsFor(shape, ctx.seed),
    config: benchConfig(options.model, options.maxAttempts, {
      upstream: { model: options.model, requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute },
      fairScheduling: { defaultAudioSeconds: CLAIM_ESTIMATE_AUDIO_SECONDS },
    }),
    workers: FLEET.workers,
    concurrency: FLEET.concurrencyPerWorker,
    log: ctx.log,
  });
  try {
    let kill: LeaderKill = { killedServerId: null, killedAtSec: null, leaderlessSec: null, successor: null };
    const started = Date.now();
    const drained = await drainBacklog(rig, jobs, {
      model: options.model,
      timeoutMs: options.timeoutMs,
      what: 'fleet-budget',
      log: ctx.log,
      during: async (signal) => {
        if (!(await sleepUnlessAborted(Math.min(STALL_AFTER_MS, options.killLeaderAtMs), signal))) return;
        if ((await rig.fake.stats()).calls === 0) {
          throw new Error(`fleet-budget: no call reached the fake ${Math.min(STALL_AFTER_MS, options.killLeaderAtMs) / 1000} s after the release (a per-server bucket smaller than one call?)`);
        }
        if (!(await sleepUnlessAborted(options.killLeaderAtMs - Math.min(STALL_AFTER_MS, options.killLeaderAtMs), signal))) return;
        kill = await killLeader(rig, () => started, signal, ctx.log);
      },
    });
    ctx.log(`fleet-budget: drained in ${(drained.drainMs / 1000).toFixed(1)} s`);
    const upstream = budgetSide(await rig.fake.calls(), options);
    const drainSec = round(drained.drainMs / 1000, 1);
    return {
      options,
      upstream,
      kill,
      statuses: drained.statuses,
      drainSec,
      successesPerMinute: drainSec > 0 ? round((upstream.successes / drainSec) * 60, 1) : null,
      figures: {
        callsOvershoot: atMost(upstream.callsOvershoot, 0, 'calls'),
        tokensOvershoot: atMost(upstream.tokensOvershoot, 0, 'tokens'),
        callsShareOfLimit: reported(upstream.callsShareOfLimit),
        tokensShareOfLimit: reported(upstream.tokensShareOfLimit),
        leaderlessSec: reported(kill.leaderlessSec, 's'),
      },
    };
  } finally {
    await rig.stop();
  }
}

export const fleetBudgetScenario: Scenario<FleetBudgetResult> = async (ctx) => {
  const result = await measureFleetBudget(ctx, fleetBudgetDefaults(ctx.quick));
  const { upstream: u, options: o, kill: k } = result;
  return {
    result,
    tables: [
      {
        title: `fleet-budget (seed ${ctx.seed}): ${o.jobs} jobs, ${FLEET.workers} workers sharing ${o.requestsPerMinute} requests and ${o.tokensPerMinute} tokens per minute; the leader killed -9 at ${k.killedAtSec ?? '-'} s`,
        headers: ['metric', 'calls', 'tokens'],
        rows: [
          ['overshoot in the busiest sliding minute (goal 0)', u.callsOvershoot, u.tokensOvershoot],
          ['busiest sliding minute at the fake', u.maxCallsPerMinute, u.maxTokensPerMinute],
          ['configured limit per minute', o.requestsPerMinute, o.tokensPerMinute],
          ['busiest minute / limit', u.callsShareOfLimit, u.tokensShareOfLimit],
          ['busiest window starts (s after release)', u.busiestCallsWindowAtSec, u.busiestTokensWindowAtSec],
          ['upstream calls / successes', `${u.calls} / ${u.successes}`, `${u.tokensPerSuccess ?? '-'} per success`],
          ['successes per minute over the drain', result.successesPerMinute, null],
          ['leader killed -> a live successor holds the lease (s)', k.leaderlessSec, `${k.killedServerId ?? '-'} -> ${k.successor ?? '-'}`],
          ['final statuses', JSON.stringify(result.statuses), null],
        ],
        notes: ['calls = every call that reached the fake, at its arrival; tokens = billed tokens of answered calls at their arrival; windows are [t, t + 60 s) from every call'],
      },
    ],
  };
};

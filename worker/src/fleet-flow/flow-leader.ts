import { z } from 'zod';
import type { WorkerConfig } from '../schema/config.js';
import type { ServerDoc, UpstreamWindow } from '../schema/coordination.js';
import type { BudgetDoc } from '../schema/flow.js';
import {
  allocateSlices,
  emptyHistory,
  evaluateBreaker,
  historyTotals,
  initialBreaker,
  initialFleetLimiter,
  pushDeltas,
  restartHistory,
  stepFleetLimiter,
  sliceDemand,
  splitAtFoundLevel,
  stableSplit,
  sumWindows,
  unacknowledgedCuts,
  foundLevel,
  windowDelta,
  type FleetHistory,
  type FleetLimiterState,
  type ServerDemand,
} from '../core/flow-policy/index.js';
import type { LeaderDuty } from '../ports/flow-control.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { at, type DocStore } from '../ports/store.js';
import { evaluateFenced } from './breaker-ops.js';
import { fleetHealth, outageRecheckInMs } from '../core/flow-policy/outage.js';
import { isServerStale } from '../core/coordination/server-liveness.js';
import type { BreakerDoc } from '../schema/flow.js';
import { checkLeader, LeadershipLostError } from './leader-fence.js';
import { LiveServers } from './live-servers.js';
import type { Clock, TimerHandle } from '../ports/clock.js';

/**
 * The leader's half of fleet flow control, run every `upstream.flowIntervalMs`:
 *  1. read the live servers' heartbeat documents (one query) and diff each server's
 *     upstream report against the previous one: what happened since the last tick;
 *  2. per model, judge the fleet's last `circuitBreaker.windowMs` of outcomes (since the
 *     breaker's last transition) and open the shared breaker, or fail an expired probe,
 *     in one fenced transaction; the window summary is written for the dashboard at most
 *     every few seconds;
 *  3. step the fleet's AIMD limit on this tick's overloads and latency, split it (and the
 *     requests/tokens per minute budget) into slices for live servers by demand, and write
 *     `transcription_budgets/{model}` when it changed or its slices near expiry.
 * All its memory is soft: a new leader starts over from the documents.
 *
 * Doing nothing when nothing changed: the split is stable (the same demand gives the same
 * slices, remainders stay where they were), so a quiet tick writes nothing; the breaker
 * document is read again only when the tick brought outcomes or the breaker is not closed
 * (open and half-open states move with time), otherwise the copy from the last read or write
 * stands (a closed breaker only opens on failures, which arrive as outcomes, or by a server's
 * own trip, whose failures arrive the same way). While the fleet is idle the leader does not
 * run this duty at all (see `engine/fleet-mode`).
 */
export interface FlowLeaderOptions {
  store: DocStore;
  serverId: string;
  config: WorkerConfig;
  logger?: Logger;
  /** Timers of the live-servers listener; without one the leader queries the servers each tick. */
  clock?: Clock;
}

const WINDOW_SUMMARY_EVERY_MS = 5_000;
const USAGE_WINDOW_MS = 60_000;
/** Tolerance between a server's estimate of store time and the transition's store time. */
const TRANSITION_SKEW_MS = 500;

const limiterStateSchema = z.object({
  limit: z.number().positive(),
  slowStart: z.boolean(),
  baselineLatency: z.number().positive().nullable(),
  lastDecreaseAt: z.number().nullable(),
  overloadAt: z.number().positive().nullable().default(null),
  overloadSeenAt: z.number().nullable().default(null),
  edgeAbove: z.number().positive().nullable().default(null),
  edgeAboveSeenAt: z.number().nullable().default(null),
  probeFailedAt: z.number().positive().nullable().default(null),
  noiseFloor: z.number().min(0).max(1).default(0),
  cutFrom: z.number().positive().nullable().default(null),
  cutShare: z.number().min(0).max(1).nullable().default(null),
  sinceCutCalls: z.number().nonnegative().default(0),
  sinceCutOverloads: z.number().nonnegative().default(0),
  probeEveryMs: z.number().positive().nullable().default(null),
  probeSince: z.number().nullable().default(null),
  stableSince: z.number().nullable().default(null),
  highWater: z.number().positive().nullable().default(null),
  highWaterAt: z.number().nullable().default(null),
});

/** Published to 0.05 steps: servers need its level, not its every move (each change is a budget write). */
function roundNoise(n: number): number {
  return Math.round(n * 20) / 20;
}

interface Delta {
  serverId: string;
  delta: UpstreamWindow;
  /** First report seen from this server in this term: history only, not a tick signal. */
  fresh: boolean;
}

export class FlowLeader {
  private term: number | null = null;
  private reports = new Map<string, Record<string, UpstreamWindow>>();
  private histories = new Map<string, FleetHistory>();
  private usage = new Map<string, { at: number; calls: number; tokens: number }[]>();
  private limiters = new Map<string, FleetLimiterState>();
  private budgets = new Map<string, BudgetDoc | null>();
  private windowWrittenAt = new Map<string, number>();
  /** Breaker generation last seen per model: a change is a transition, which restarts the window. */
  private generations = new Map<string, number>();
  /** Last breaker document read or written per model (see the class comment). */
  private breakers = new Map<string, BreakerDoc | null>();
  private readonly log: Logger;

  /** The servers' documents between ticks (see LiveServers); null without a clock. */
  private readonly live: LiveServers | null;
  /** A look at the outage rule before the next tick (see `outageRecheckInMs`). */
  private recheck: TimerHandle | null = null;
  /** That look while it runs: a tick waits for it (both judge the breaker and keep its copy). */
  private betweenTicks: Promise<void> | null = null;

  constructor(private readonly options: FlowLeaderOptions) {
    this.log = (options.logger ?? silentLogger).child({ component: 'flow-leader' });
    // Three missed ticks: the fleet went idle or this server no longer leads.
    this.live = options.clock ? new LiveServers(options.store, options.clock, this.log, 3 * options.config.upstream.flowIntervalMs) : null;
  }

  /** Closes the live-servers listener (the worker is stopping). */
  stop(): void {
    this.recheck?.cancel();
    this.recheck = null;
    this.live?.close();
  }

  duty(): LeaderDuty {
    return {
      name: 'flow-control',
      intervalMs: this.options.config.upstream.flowIntervalMs,
      run: async ({ term, signal }) => {
        try {
          await this.run(term, signal);
        } catch (error) {
          if (error instanceof LeadershipLostError) return;
          throw error;
        }
      },
    };
  }

  /** Last decisions, for tests and the metrics endpoint. */
  limiterState(model: string): FleetLimiterState | null {
    return this.limiters.get(model) ?? null;
  }

  private reset(term: number): void {
    this.term = term;
    this.reports.clear();
    this.histories.clear();
    this.usage.clear();
    this.limiters.clear();
    this.budgets.clear();
    this.windowWrittenAt.clear();
    this.generations.clear();
    this.breakers.clear();
  }

  async run(term: number, signal: AbortSignal): Promise<void> {
    this.recheck?.cancel();
    this.recheck = null;
    await this.betweenTicks;
    if (term !== this.term) this.reset(term);
    const fleet = await this.fleet(signal, true);
    if (!fleet) return;
    const { now, servers, models } = fleet;
    let recheckIn: number | null = null;
    for (const model of models) {
      if (signal.aborted) return;
      const deltas = this.collect(model, servers, now);
      recheckIn = sooner(recheckIn, await this.judgeBreaker(model, deltas, now, term, servers));
      if (signal.aborted) return;
      await this.allocate(model, servers, deltas, now, term);
    }
    for (const id of [...this.reports.keys()]) if (!servers.some((s) => s.serverId === id)) this.reports.delete(id);
    this.scheduleRecheck(recheckIn, term, signal);
  }

  /**
   * The outage rule judged between ticks, on the listener's copy of the servers and no new
   * deltas (those stay for the tick's limiter): when the evidence could complete before the next
   * tick (see `outageRecheckInMs`). Without a listener each look would be a query: ticks only.
   */
  private scheduleRecheck(inMs: number | null, term: number, signal: AbortSignal): void {
    this.recheck?.cancel();
    this.recheck = null;
    const clock = this.options.clock;
    if (inMs === null || !this.live || !clock || signal.aborted) return;
    this.recheck = clock.setTimer(() => {
      this.recheck = null;
      const judged = this.judgeBetweenTicks(term, signal)
        .catch((error: unknown) => {
          if (!(error instanceof LeadershipLostError) && !signal.aborted) this.log.warn({ err: error }, 'outage check between ticks failed');
        })
        .finally(() => {
          if (this.betweenTicks === judged) this.betweenTicks = null;
        });
      this.betweenTicks = judged;
    }, Math.max(1, inMs));
  }

  private async judgeBetweenTicks(term: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || term !== this.term) return;
    const fleet = await this.fleet(signal, false);
    if (!fleet) return;
    const { now, servers, models } = fleet;
    let recheckIn: number | null = null;
    for (const model of models) {
      if (signal.aborted) return;
      recheckIn = sooner(recheckIn, await this.judgeBreaker(model, [], now, term, servers));
    }
    this.scheduleRecheck(recheckIn, term, signal);
  }

  /**
   * The live servers (store time) and the models they report on; without the listener's copy
   * at hand, a query (`query`) or nothing.
   */
  private async fleet(signal: AbortSignal, query: boolean): Promise<{ now: number; servers: ServerDoc[]; models: Set<string> } | null> {
    const { store, config } = this.options;
    const liveness = config.serverCoordination;
    // Servers on the idle heartbeat cadence are alive for longer (see heartbeatDeadline).
    const slowest = Math.max(liveness.heartbeatIntervalMs, liveness.idleHeartbeatIntervalMs ?? 0);
    const live = await this.live?.current(signal);
    let now: number;
    let registered: ServerDoc[];
    if (live) {
      now = store.now();
      registered = live;
    } else if (!query) {
      return null;
    } else {
      const result = await store.query({
        collection: 'servers',
        where: [{ field: 'heartbeatAt', op: '>=', value: at(store.now() - liveness.serverTimeoutMs - (slowest - liveness.heartbeatIntervalMs)) }],
      });
      now = result.readTime;
      registered = result.docs.map((d) => d.data);
    }
    const servers = registered.filter((s) => (s.state === 'active' || s.state === 'draining') && !isServerStale(s, liveness, now));
    const models = new Set<string>([config.upstream.model]);
    if (config.upstream.fallbackModel) models.add(config.upstream.fallbackModel);
    for (const s of servers) for (const m of Object.keys(s.upstream)) models.add(m);
    return { now, servers, models };
  }

  private collect(model: string, servers: readonly ServerDoc[], now: number): Delta[] {
    const out: Delta[] = [];
    for (const s of servers) {
      const current = s.upstream[model];
      if (!current) continue;
      const seen = this.reports.get(s.serverId) ?? {};
      const previous = seen[model] ?? null;
      const delta = windowDelta(previous, current);
      seen[model] = current;
      this.reports.set(s.serverId, seen);
      out.push({ serverId: s.serverId, delta, fresh: previous === null });
      const key = `${s.serverId}\u0000${model}`;
      const entries = (this.usage.get(key) ?? []).filter((e) => e.at > now - USAGE_WINDOW_MS);
      if (delta.calls > 0) entries.push({ at: now, calls: delta.calls, tokens: delta.tokens });
      this.usage.set(key, entries);
    }
    return out;
  }

  private usageOf(serverId: string, model: string, now: number): { calls: number; tokens: number } {
    const entries = (this.usage.get(`${serverId}\u0000${model}`) ?? []).filter((e) => e.at > now - USAGE_WINDOW_MS);
    return entries.reduce((sum, e) => ({ calls: sum.calls + e.calls, tokens: sum.tokens + e.tokens }), { calls: 0, tokens: 0 });
  }

  /** Judges the model's breaker; returns when to look again before the next tick (null: the tick). */
  private async judgeBreaker(model: string, deltas: readonly Delta[], now: number, term: number, servers: readonly ServerDoc[]): Promise<number | null> {
    const { store, config, serverId } = this.options;
    const windowMs = config.circuitBreaker.windowMs;
    const cached = this.breakers.get(model);
    const fresh = deltas.some((d) => d.delta.calls > 0 || d.delta.successes > 0 || Object.keys(d.delta.failuresByClass).length > 0);
    const doc = cached === undefined || fresh || (cached !== null && cached.state !== 'closed') ? (await store.get('breakers', model)).doc : cached;
    this.breakers.set(model, doc);
    // A new leader has seen nothing before its first tick: its window starts there.
    let history = this.histories.get(model) ?? emptyHistory(now);
    const generation = doc?.generation ?? 0;
    const known = this.generations.get(model);
    if (doc && known !== undefined && generation !== known) history = restartHistory(history, doc.since);
    this.generations.set(model, generation);
    // A report whose window began before the last transition still carries outcomes from the
    // previous state (the server has not seen the transition yet): it must not judge this one.
    const transitionAt = doc && doc.generation > 0 ? doc.since : 0;
    const current = deltas.filter((d) => d.delta.windowStart >= transitionAt - TRANSITION_SKEW_MS).map((d) => d.delta);
    history = pushDeltas(history, now, current, windowMs);
    this.histories.set(model, history);
    const totals = historyTotals(history, now, windowMs);
    // The servers' latest outage evidence (state, not counters): see core/flow-policy/outage.
    const health = fleetHealth(
      servers.map((s) => ({ health: s.upstream[model]?.health, reportedAt: s.heartbeatAt })),
      { now, since: transitionAt },
    );
    // The live servers judge a half-open probe's holder (a holder gone releases it).
    const liveServers = servers.map((s) => s.serverId);
    const counts = { start: totals.windowStart, successes: totals.successes, failuresByClass: totals.failuresByClass, health, liveServers };
    const preview = evaluateBreaker(doc ?? initialBreaker(model, now), counts, { now, config: config.circuitBreaker, by: serverId });
    const summaryChanged = JSON.stringify(preview.doc.window) !== JSON.stringify(doc?.window ?? null);
    const summaryDue =
      summaryChanged && (doc !== null || totals.calls > 0) && now - (this.windowWrittenAt.get(model) ?? 0) >= WINDOW_SUMMARY_EVERY_MS;
    const closed = doc === null || (doc.state === 'closed' && doc.override === null);
    const recheckIn = closed && !preview.changed ? outageRecheckInMs(health, config.circuitBreaker, config.upstream.flowIntervalMs) : null;
    if (!preview.changed && !summaryDue) return recheckIn;
    const step = await evaluateFenced(store, model, counts, { serverId, term }, config.circuitBreaker, summaryDue);
    this.windowWrittenAt.set(model, now);
    // What the transaction read (and maybe wrote) is the freshest copy.
    this.breakers.set(model, step.doc);
    if (!step.transition && doc?.probe && step.doc.probe === null && step.doc.state === 'half_open') {
      this.log.warn({ model, holder: doc.probe.holder, token: doc.probe.token }, 'probe released: its holder is no longer live');
    }
    if (step.transition) {
      this.histories.set(model, restartHistory(history, step.doc.since));
      this.generations.set(model, step.doc.generation);
      this.log.warn({ model, from: step.transition.from, to: step.transition.to, reason: step.transition.reason }, 'breaker transition');
    }
    return step.transition ? null : recheckIn;
  }

  private async allocate(model: string, servers: readonly ServerDoc[], deltas: readonly Delta[], now: number, term: number): Promise<void> {
    const { store, config, serverId } = this.options;
    const up = config.upstream;
    if (!this.budgets.has(model)) this.budgets.set(model, (await store.get('budgets', model)).doc);
    const previous = this.budgets.get(model) ?? null;
    let limiter = this.limiters.get(model);
    if (!limiter) {
      const stored = limiterStateSchema.safeParse(previous?.limiterState);
      limiter = stored.success ? stored.data : initialFleetLimiter(up.adaptive);
    }
    const active = servers.filter((s) => s.state === 'active');
    const tick = sumWindows(deltas.filter((d) => !d.fresh).map((d) => d.delta), now);
    const inFlight = active.reduce((n, s) => n + s.inFlight, 0);
    const ids = active.map((s) => s.serverId);
    const previousSlices = previous?.slices ?? {};
    const cuts = unacknowledgedCuts(
      active.map((s) => ({ serverId: s.serverId, cuts: s.upstream[model]?.cuts, limit: s.upstream[model]?.found ?? s.budget[model]?.concurrency })),
      previousSlices,
    );
    const found = Object.keys(cuts).length > 0 ? foundLevel(ids, previousSlices, cuts) : null;
    let reason = 'static';
    if (up.adaptive.enabled) {
      const stepped = stepFleetLimiter(
        limiter,
        {
          now,
          calls: tick.calls,
          // Late overload answers were admitted calls: concurrency did not refuse them.
          overloads: Math.max(0, (tick.failuresByClass.overloaded ?? 0) + (tick.failuresByClass.quota ?? 0) - (tick.lateOverloads ?? 0)),
          successes: tick.successes,
          latencyPerAudioSec: tick.successes > 0 ? tick.latencyPerAudioSecMsSum / tick.successes : null,
          inFlight,
          reportedLimit: found,
          cooldownMs: config.serverCoordination.heartbeatIntervalMs + up.flowIntervalMs,
        },
        up.adaptive,
      );
      limiter = stepped.state;
      reason = stepped.reason;
      // Every tick's inputs, for "why did the limit (not) move" (debug level: free when off).
      this.log.debug(
        { model, limit: limiter.limit, reason, calls: tick.calls, overloads: tick.failuresByClass.overloaded ?? 0, quota: tick.failuresByClass.quota ?? 0, inFlight, found, servers: ids.length },
        'flow tick',
      );
      if (stepped.state.limit !== (this.limiters.get(model)?.limit ?? previous?.adaptiveLimit)) {
        this.log.info({ model, limit: stepped.state.limit, reason }, 'fleet limit changed');
      }
    }
    this.limiters.set(model, limiter);
    const concurrency = up.adaptive.enabled ? limiter.limit : active.reduce((n, s) => n + s.maxConcurrency, 0);
    const demands: ServerDemand[] = active.map((s) => {
      const used = this.usageOf(s.serverId, model, now);
      return {
        serverId: s.serverId,
        inFlight: s.inFlight,
        concurrencyLimit: s.concurrencyLimit,
        maxConcurrency: s.maxConcurrency,
        requestsLastMinute: used.calls,
        tokensLastMinute: used.tokens,
        slice: previous?.slices[s.serverId] ?? null,
      };
    });
    const alloc = allocateSlices(demands, { concurrency, requestsPerMinute: up.requestsPerMinute, tokensPerMinute: up.tokensPerMinute });
    // A cut where the servers found the edge: each keeps where it stopped (found-capacity).
    // Any other change moves no unit a server may be using (stableSplit). A cut a server makes
    // while the fleet holds after its own (the cooldown) is not acknowledged here: splitting at
    // it trims the busiest slices and the next split hands those units to other servers, whose
    // calls then overlap the first ones' (the capacity step lost 1-2 % of its goodput that way).
    // The server's hold lapses on its own (a heartbeat and two ticks; see ModelFlow.holdEndsAt).
    const splitAtFound = reason === 'overload' && found !== null && (limiter.noiseFloor ?? 0) === 0;
    if (splitAtFound) {
      alloc.concurrency = splitAtFoundLevel(ids, previousSlices, cuts, concurrency);
    } else if (up.adaptive.enabled && previous !== null) {
      alloc.concurrency = stableSplit(demands.map((d) => ({ serverId: d.serverId, wants: sliceDemand(d) })), previousSlices, concurrency);
    }
    const slices: BudgetDoc['slices'] = Object.fromEntries(
      active.map((s) => [
        s.serverId,
        {
          requestsPerMinute: alloc.requestsPerMinute[s.serverId] ?? 0,
          tokensPerMinute: alloc.tokensPerMinute[s.serverId] ?? 0,
          concurrency: alloc.concurrency[s.serverId] ?? 0,
          // Echo the cuts this allocation was made from: it ends the server's hold, which
          // puts the server at its slice (localCeiling). Only a split at the found level is
          // made from them; any other allocation echoes what the previous one knew, and the
          // servers hold their cut limits until the next cut reaches them.
          ...echoedCuts(s, model, splitAtFound ? null : previousSlices[s.serverId]),
        },
      ]),
    );
    const used = servers.reduce(
      (sum, s) => {
        const u = this.usageOf(s.serverId, model, now);
        return { calls: sum.calls + u.calls, tokens: sum.tokens + u.tokens };
      },
      { calls: 0, tokens: 0 },
    );
    const ttl = up.sliceTtlMs;
    const next: BudgetDoc = {
      model,
      requestsPerMinute: up.requestsPerMinute,
      tokensPerMinute: up.tokensPerMinute,
      usedRequests: used.calls,
      usedTokens: used.tokens,
      adaptiveLimit: concurrency,
      overloadNoise: roundNoise(limiter.noiseFloor ?? 0),
      limiterState: { ...limiter, lastReason: reason },
      slices,
      term,
      updatedAt: now,
      slicesExpireAt: now + ttl,
      servers: active.length,
      inFlight,
    };
    const due =
      previous === null ||
      previous.term !== term ||
      previous.adaptiveLimit !== next.adaptiveLimit ||
      previous.overloadNoise !== next.overloadNoise ||
      previous.servers !== next.servers ||
      slicesDiffer(previous.slices, slices) ||
      now >= (previous.slicesExpireAt ?? 0) - ttl / 2;
    if (!due) return;
    // The leader is the budget's only writer: a fenced blind write, no transaction (a leader
    // killed inside one locked the lease, stalling the next election; see checkLeader). A
    // deposed leader's late write lives one tick at most: its successor's term differs from
    // the stored one, so it rewrites the budget on its first tick.
    const readTime = await checkLeader(store, serverId, term);
    await store.commit([{ op: 'set', collection: 'budgets', id: model, data: { ...next, updatedAt: readTime, slicesExpireAt: readTime + ttl } }]);
    this.budgets.set(model, next);
  }
}

/** Slices worth rewriting: any concurrency change, or a rate that moved by more than 10%. */
function slicesDiffer(a: BudgetDoc['slices'], b: BudgetDoc['slices']): boolean {
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  const far = (x: number, y: number) => Math.abs(x - y) > 0.1 * Math.max(Math.abs(x), Math.abs(y), 1e-9);
  for (const id of ids) {
    const x = a[id];
    const y = b[id];
    if (!x || !y) return true;
    if (x.concurrency !== y.concurrency || (x.cuts ?? 0) !== (y.cuts ?? 0) || far(x.requestsPerMinute, y.requestsPerMinute) || far(x.tokensPerMinute, y.tokensPerMinute)) return true;
  }
  return false;
}


/** The `cuts` field of a server's slice: its reported count, or (`kept`) the previous slice's. */
function echoedCuts(server: ServerDoc, model: string, kept: { cuts?: number | undefined } | undefined | null): { cuts?: number } {
  if (kept !== null) return kept?.cuts !== undefined ? { cuts: kept.cuts } : {};
  const cuts = server.upstream[model]?.cuts;
  return cuts !== undefined ? { cuts } : {};
}

function sooner(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

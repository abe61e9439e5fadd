import type { WorkerConfig } from '../../schema/config.js';

/**
 * Adaptive concurrency against an upstream whose capacity is unknown and changes.
 *
 * Two levels, both AIMD (additive increase, multiplicative decrease):
 *
 * FLEET (the leader, once per flow tick, from the servers' reported deltas): the fleet limit
 * whose shares become servers' concurrency slices. Slow start (x1.5 per tick) until the first
 * overload, then +additiveIncrease per tick. It grows only while it is used (fleet in-flight
 * >= 3/4 of the limit) and healthy; it shrinks by decreaseFactor when the tick's overload
 * answers (503/429) reach overloadRateThreshold of its calls, or when latency per audio second
 * exceeds twice `latencyTolerance` times its best recent level (a gradient guard: an upstream
 * that slows down is queueing). One cut per cooldown (reports lag by up to one heartbeat).
 *
 * The fleet limit also remembers where overload began (`overloadAt`, the limit that drew it):
 * - growth stops one below that level for `ceilingProbeMs` after it was seen, so a limit that
 *   found the upstream's capacity sits there instead of probing above it every tick (each
 *   probe above capacity is paid for in wasted calls), and probes again only after that
 *   quiet time, to follow capacity that grew;
 * - a cut near that level with few overload answers is one step (limit - 1): the edge was
 *   touched, not crossed by far. A cut far above it, or with many overload answers (capacity
 *   dropped), is multiplicative, rounded to the nearest step and always at least one.
 *
 * Refusals that concurrency does not cause. An upstream may refuse a steady share of calls
 * whatever we send (a shared model's global load; the fake's `errorRate`). Read as overload,
 * that share would cut the limit every cooldown down to its minimum and hold it there (the
 * chaos run with a 20 % error rate drained at one call at a time). Overload caused by our
 * concurrency falls when concurrency falls; noise does not. So each cut is judged at the next
 * chance to cut again: if the refusal share since the cut is still about what drew the cut
 * (>= NOISE_SAME_SHARE of it) at a share below MAX_NOISE_SHARE, the cut bought nothing: it
 * is undone and that share becomes the fleet's `noiseFloor`. From then on a tick counts as
 * overloaded only when its refusals exceed what the floor explains, with a statistical
 * margin (NOISE_Z standard deviations of a binomial count), and the floor follows the share
 * seen in the ticks that are not overloaded (it fades when the noise stops). Why the cap at
 * MAX_NOISE_SHARE: far above capacity, fast refusals make the share high and slow to fall
 * (it barely moves from 86 % to 75 % on a cut from 8 to 6 at capacity 4 with rejections six
 * times faster than calls); a share that high is never taken for noise, and an upstream that
 * refuses more than half of everything at random is the breaker's business.
 *
 * LOCAL (each server, per call, no I/O): reacts between ticks. A cut on the first overload
 * answer of a congestion episode: answers from calls started before the last cut belong to
 * the same episode and do not cut again (TCP's "one decrease per window", without a clock).
 * +1/cap per success (one per round trip), +1 per success in slow start; never above the
 * slice the leader granted.
 */
export type AdaptiveConfig = WorkerConfig['upstream']['adaptive'];

export interface FleetLimiterState {
  limit: number;
  slowStart: boolean;
  /** Best recent latency per audio second (ms), drifting up slowly so it can follow a slower model. */
  baselineLatency: number | null;
  lastDecreaseAt: number | null;
  /** The limit at which overload was last seen, and when (null: not seen, or grown past it). */
  overloadAt?: number | null;
  overloadSeenAt?: number | null;
  /** Share of calls the upstream refuses whatever the concurrency (0: none learned). */
  noiseFloor?: number;
  /** The last cut, to judge whether it helped: the limit it cut from, the refusal share that
   *  drew it, and the calls and refusals counted since. */
  cutFrom?: number | null;
  cutShare?: number | null;
  sinceCutCalls?: number;
  sinceCutOverloads?: number;
}

/** A cut is judged on at least this many calls counted since it. */
const NOISE_MIN_CALLS = 6;
/** The refusal share since a cut at or above this fraction of the share that drew it: the cut bought nothing. */
const NOISE_SAME_SHARE = 0.75;
/** A refusal share above this is never taken for noise (see above). */
const MAX_NOISE_SHARE = 0.5;
/** Margin over the noise floor, in standard deviations of the tick's expected refusal count. */
export const NOISE_Z = 2.5;
/** Weight of one tick in the floor's moving average; below NOISE_FORGET the floor is gone. */
const NOISE_ALPHA = 0.2;
const NOISE_FORGET = 0.005;

/**
 * Refusals among `calls` beyond what a noise floor explains: true when `overloads` exceeds
 * the floor's expected count plus `threshold` of the calls plus NOISE_Z binomial standard
 * deviations. With no floor this is today's rule: at least `threshold` of the calls.
 */
export function exceedsNoise(overloads: number, calls: number, noise: number, threshold: number): boolean {
  if (overloads <= 0 || calls <= 0) return false;
  const margin = noise > 0 ? NOISE_Z * Math.sqrt(noise * (1 - noise) * calls) : 0;
  return overloads >= (noise + threshold) * calls + margin;
}

/** Share of a tick's calls answered overloaded above which a cut is always multiplicative. */
const STEEP_OVERLOAD_RATE = 0.25;

export interface FleetTick {
  now: number;
  /** New outcomes since the previous tick. */
  calls: number;
  overloads: number;
  successes: number;
  /** Mean latency per audio second over the new successes, if any. */
  latencyPerAudioSec: number | null;
  /** Fleet in-flight calls (sum of heartbeats). */
  inFlight: number;
  /** No second cut before this much time passed since the last one. */
  cooldownMs: number;
}

export type FleetLimitReason =
  | 'overload'
  | 'latency'
  | 'slow_start'
  | 'increase'
  | 'hold'
  | 'latency_hold'
  | 'ceiling_hold'
  | 'idle'
  | 'noise'
  | 'no_data';

/** The baseline may rise this much per tick, so a model that got slower for good is relearned. */
const BASELINE_DRIFT = 0.02;

export function initialFleetLimiter(config: AdaptiveConfig): FleetLimiterState {
  return {
    limit: clamp(config.initialLimit, config.minLimit, config.maxLimit),
    slowStart: true,
    baselineLatency: null,
    lastDecreaseAt: null,
    overloadAt: null,
    overloadSeenAt: null,
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), Math.max(lo, hi));
}

export function stepFleetLimiter(
  state: FleetLimiterState,
  tick: FleetTick,
  config: AdaptiveConfig,
): { state: FleetLimiterState; reason: FleetLimitReason } {
  if (tick.calls <= 0) return { state, reason: 'no_data' };
  let baseline = state.baselineLatency;
  let ratio = 1;
  if (tick.latencyPerAudioSec !== null && tick.latencyPerAudioSec > 0) {
    baseline = baseline === null ? tick.latencyPerAudioSec : Math.min(tick.latencyPerAudioSec, baseline * (1 + BASELINE_DRIFT));
    ratio = tick.latencyPerAudioSec / baseline;
  }
  const cooling = state.lastDecreaseAt !== null && tick.now - state.lastDecreaseAt < tick.cooldownMs;
  const noise = state.noiseFloor ?? 0;
  const share = tick.overloads / tick.calls;
  const overloaded = exceedsNoise(tick.overloads, tick.calls, noise, config.overloadRateThreshold);
  const slow = ratio > 2 * config.latencyTolerance;
  const overloadAt = state.overloadAt ?? null;
  // Outcomes since the last cut, to judge it (see "Refusals that concurrency does not cause").
  const sinceCutCalls = (state.sinceCutCalls ?? 0) + tick.calls;
  const sinceCutOverloads = (state.sinceCutOverloads ?? 0) + tick.overloads;
  const counted = { ...state, baselineLatency: baseline, sinceCutCalls, sinceCutOverloads };
  if (overloaded || slow) {
    if (cooling) return { state: counted, reason: 'hold' };
    if (overloaded && cutBoughtNothing(state, sinceCutCalls, sinceCutOverloads, config)) {
      const learned = sinceCutOverloads / sinceCutCalls;
      return {
        state: {
          ...counted,
          // Undo the cut; the refusals that drew it do not mark a ceiling either.
          limit: clamp(Math.max(state.limit, state.cutFrom ?? state.limit), config.minLimit, config.maxLimit),
          noiseFloor: Math.max(noise, learned),
          overloadAt: null,
          overloadSeenAt: null,
          cutFrom: null,
          cutShare: null,
        },
        reason: 'noise',
      };
    }
    const atEdge = overloaded && overloadAt !== null && state.limit <= overloadAt + 1 && share < STEEP_OVERLOAD_RATE;
    const cut = atEdge ? state.limit - 1 : Math.min(state.limit - 1, Math.round(state.limit * config.decreaseFactor));
    return {
      state: {
        ...state,
        limit: clamp(cut, config.minLimit, config.maxLimit),
        slowStart: false,
        baselineLatency: baseline,
        lastDecreaseAt: tick.now,
        overloadAt: overloaded ? state.limit : overloadAt,
        overloadSeenAt: overloaded ? tick.now : (state.overloadSeenAt ?? null),
        cutFrom: overloaded ? state.limit : null,
        cutShare: overloaded ? share : null,
        sinceCutCalls: 0,
        sinceCutOverloads: 0,
      },
      reason: overloaded ? 'overload' : 'latency',
    };
  }
  // Not overloaded: the floor follows what these ticks see, and fades when the noise stops.
  const followed = noise > 0 && tick.calls >= NOISE_MIN_CALLS ? noise + NOISE_ALPHA * (share - noise) : noise;
  const calm = { ...counted, noiseFloor: followed < NOISE_FORGET ? 0 : followed };
  if (ratio > config.latencyTolerance) return { state: calm, reason: 'latency_hold' };
  if (tick.inFlight < state.limit * 0.75) return { state: calm, reason: 'idle' };
  const recent = overloadAt !== null && tick.now - (state.overloadSeenAt ?? 0) < config.ceilingProbeMs;
  if (recent && state.limit + 1 >= overloadAt) return { state: calm, reason: 'ceiling_hold' };
  let grown = state.slowStart ? Math.ceil(state.limit * 1.5) : state.limit + config.additiveIncrease;
  if (recent) grown = Math.min(grown, overloadAt - 1);
  const limit = clamp(grown, config.minLimit, config.maxLimit);
  return {
    state: {
      ...calm,
      limit,
      // Grown past the remembered level without overload: capacity moved up; forget it.
      overloadAt: overloadAt !== null && limit > overloadAt ? null : overloadAt,
    },
    reason: state.slowStart ? 'slow_start' : 'increase',
  };
}

/**
 * The last cut was drawn by refusals and the share since it stayed about the same, on enough
 * calls, at a share noise can explain: lowering concurrency did not lower refusals. At the
 * minimum limit, where a cut changes nothing and lowering cannot help, refusals that persist
 * at a share noise can explain are noise (else a noisy upstream pins the fleet at its minimum
 * for good; there the drawing tick's share is no yardstick: with one or two calls a tick it is
 * 50 % or 100 % by construction).
 */
function cutBoughtNothing(state: FleetLimiterState, calls: number, overloads: number, config: AdaptiveConfig): boolean {
  const from = state.cutFrom ?? null;
  const drew = state.cutShare ?? null;
  if (from === null || drew === null || calls < NOISE_MIN_CALLS) return false;
  const since = overloads / calls;
  if (since > MAX_NOISE_SHARE) return false;
  if (state.limit <= config.minLimit) return true;
  return state.limit < from && since >= NOISE_SAME_SHARE * drew;
}

export interface LocalLimiterState {
  /** Fractional window; the usable limit is floor(cap) within [1, ceiling]. */
  cap: number;
  slowStart: boolean;
  /** Sequence number given to the next call. */
  nextSeq: number;
  /** Calls numbered below this started before the last cut. */
  cutSeq: number;
  ceiling: number;
  /** Outcomes of calls started since the last cut (judged against the fleet's noise floor). */
  sinceCutCalls?: number;
  sinceCutOverloads?: number;
}

/** Outcomes since a local cut are weighed over about this many calls (older ones fade). */
const LOCAL_NOISE_WINDOW = 20;

function countSinceCut(state: LocalLimiterState, seq: number, overload: boolean): LocalLimiterState {
  if (seq < state.cutSeq) return state;
  let calls = (state.sinceCutCalls ?? 0) + 1;
  let overloads = (state.sinceCutOverloads ?? 0) + (overload ? 1 : 0);
  if (calls > LOCAL_NOISE_WINDOW) {
    overloads *= LOCAL_NOISE_WINDOW / calls;
    calls = LOCAL_NOISE_WINDOW;
  }
  return { ...state, sinceCutCalls: calls, sinceCutOverloads: overloads };
}

export function initialLocalLimiter(ceiling: number): LocalLimiterState {
  const c = Math.max(1, ceiling);
  return { cap: c, slowStart: true, nextSeq: 0, cutSeq: 0, ceiling: c };
}

export function localLimit(state: LocalLimiterState): number {
  return Math.max(0, Math.min(state.ceiling, Math.max(1, Math.floor(state.cap))));
}

/** A call starts: returns its sequence number. */
export function localStart(state: LocalLimiterState): { state: LocalLimiterState; seq: number } {
  return { state: { ...state, nextSeq: state.nextSeq + 1 }, seq: state.nextSeq };
}

/** A call answered. `seq` (its number from localStart) lets it count toward judging refusals. */
export function localSuccess(state: LocalLimiterState, seq = -1): LocalLimiterState {
  const cap = Math.min(state.ceiling, state.cap + (state.slowStart ? 1 : 1 / Math.max(1, state.cap)));
  return { ...countSinceCut(state, seq, false), cap };
}

/**
 * A call was refused as overloaded (503/429). The first refusal of an episode cuts, unless the
 * fleet has learned that the upstream refuses a share `noise` of calls whatever we send: then
 * only refusals beyond what that share explains, counted since the last cut, cut (the same
 * test as the fleet limiter's, `exceedsNoise`). With no noise this is the first refusal.
 */
export function localOverload(state: LocalLimiterState, seq: number, config: AdaptiveConfig, noise = 0): LocalLimiterState {
  if (seq < state.cutSeq) return state;
  const counted = countSinceCut(state, seq, true);
  if (!exceedsNoise(counted.sinceCutOverloads ?? 0, counted.sinceCutCalls ?? 0, noise, 0)) return counted;
  return {
    ...state,
    cap: Math.max(config.minLimit, Math.min(state.cap, state.ceiling) * config.decreaseFactor),
    slowStart: false,
    cutSeq: state.nextSeq,
    sinceCutCalls: 0,
    sinceCutOverloads: 0,
  };
}

/** The leader changed this server's slice. A raise re-enables slow start up to the new ceiling. */
export function localCeiling(state: LocalLimiterState, ceiling: number): LocalLimiterState {
  const c = Math.max(0, ceiling);
  if (c === state.ceiling) return state;
  return { ...state, ceiling: c, cap: Math.min(state.cap, Math.max(1, c)), slowStart: c > state.ceiling ? true : state.slowStart };
}

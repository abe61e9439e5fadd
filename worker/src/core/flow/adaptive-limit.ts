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
  const overloaded = tick.overloads > 0 && tick.overloads / tick.calls >= config.overloadRateThreshold;
  const slow = ratio > 2 * config.latencyTolerance;
  const overloadAt = state.overloadAt ?? null;
  if (overloaded || slow) {
    if (cooling) return { state: { ...state, baselineLatency: baseline }, reason: 'hold' };
    const rate = tick.overloads / tick.calls;
    const atEdge = overloaded && overloadAt !== null && state.limit <= overloadAt + 1 && rate < STEEP_OVERLOAD_RATE;
    const cut = atEdge ? state.limit - 1 : Math.min(state.limit - 1, Math.round(state.limit * config.decreaseFactor));
    return {
      state: {
        limit: clamp(cut, config.minLimit, config.maxLimit),
        slowStart: false,
        baselineLatency: baseline,
        lastDecreaseAt: tick.now,
        overloadAt: overloaded ? state.limit : overloadAt,
        overloadSeenAt: overloaded ? tick.now : (state.overloadSeenAt ?? null),
      },
      reason: overloaded ? 'overload' : 'latency',
    };
  }
  if (ratio > config.latencyTolerance) return { state: { ...state, baselineLatency: baseline }, reason: 'latency_hold' };
  if (tick.inFlight < state.limit * 0.75) return { state: { ...state, baselineLatency: baseline }, reason: 'idle' };
  const recent = overloadAt !== null && tick.now - (state.overloadSeenAt ?? 0) < config.ceilingProbeMs;
  if (recent && state.limit + 1 >= overloadAt) return { state: { ...state, baselineLatency: baseline }, reason: 'ceiling_hold' };
  let grown = state.slowStart ? Math.ceil(state.limit * 1.5) : state.limit + config.additiveIncrease;
  if (recent) grown = Math.min(grown, overloadAt - 1);
  const limit = clamp(grown, config.minLimit, config.maxLimit);
  return {
    state: {
      ...state,
      limit,
      baselineLatency: baseline,
      // Grown past the remembered level without overload: capacity moved up; forget it.
      overloadAt: overloadAt !== null && limit > overloadAt ? null : overloadAt,
    },
    reason: state.slowStart ? 'slow_start' : 'increase',
  };
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

export function localSuccess(state: LocalLimiterState): LocalLimiterState {
  const cap = Math.min(state.ceiling, state.cap + (state.slowStart ? 1 : 1 / Math.max(1, state.cap)));
  return { ...state, cap };
}

export function localOverload(state: LocalLimiterState, seq: number, config: AdaptiveConfig): LocalLimiterState {
  if (seq < state.cutSeq) return state;
  return {
    ...state,
    cap: Math.max(config.minLimit, Math.min(state.cap, state.ceiling) * config.decreaseFactor),
    slowStart: false,
    cutSeq: state.nextSeq,
  };
}

/** The leader changed this server's slice. A raise re-enables slow start up to the new ceiling. */
export function localCeiling(state: LocalLimiterState, ceiling: number): LocalLimiterState {
  const c = Math.max(0, ceiling);
  if (c === state.ceiling) return state;
  return { ...state, ceiling: c, cap: Math.min(state.cap, Math.max(1, c)), slowStart: c > state.ceiling ? true : state.slowStart };
}

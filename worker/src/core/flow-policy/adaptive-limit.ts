import type { WorkerConfig } from '../../schema/config.js';

/**
 * Adaptive concurrency against an upstream whose capacity is unknown and changes.
 *
 * The upstream says where its capacity is each time it refuses a call: it had taken every
 * call then in flight and not this one. So a refusal is not a reason to back off by a factor
 * (AIMD's sawtooth spends half its time below capacity and every climb above it in wasted
 * calls); it is a measurement. Two levels use it:
 *
 * LOCAL (each server, per call, no I/O). A refusal for capacity drops the server's cap to the
 * calls of its own the upstream had taken (`found`, see `localOverload`), holds it there (no
 * regrowth: that would re-probe the level just refused) and reports the cut at once. Answers
 * from calls started before the cut belong to the same episode: they only bring the cap down
 * to what is still in flight. The hold ends when an allocation that knew the cut arrives (the
 * leader echoes the server's cut count), which puts the server at its new slice, or after a
 * while with no leader (`localCeiling`). Refused with nothing of its own taken, a server sends
 * nothing until then: the upstream was full without it.
 *
 * FLEET (the leader, once per flow tick). The fleet limit is split into the servers' slices.
 * After refusals it drops at once to where the servers stopped (`reportedLimit`: the cut
 * servers' found levels plus everyone else's slice, see found-capacity) and the split keeps
 * every server where it stopped; the edge (`overloadAt`) is remembered one above. Slow start
 * (x1.5 a tick) until the first refusal, then +additiveIncrease a tick while the fleet uses
 * the limit (in-flight >= 3/4 of it) and is healthy, up to one below the edge. Above the edge
 * it probes (see "Probing" below): one step, judged PROBE_CONFIRM_MS later. Latency per audio
 * second above twice `latencyTolerance` times its best recent level cuts too (a gradient guard:
 * an upstream that slows down is queueing). One cut per cooldown, but within it the limit
 * follows servers that went lower still (capacity falling).
 *
 * Answers that are not refusals. An overload answer that came only after the upstream served
 * the call about as long as a success takes was admitted and failed (FleetFlowControl counts it
 * as `lateOverloads`): a failure for the breaker, not a signal to send less. And an upstream
 * may refuse a steady share of calls fast whatever we send (a shared model's global load).
 * Overload caused by our concurrency falls when concurrency falls; noise does not. So each cut
 * is judged at the next chance to cut again: if the refusal share between the cut and now
 * stayed about what drew the cut (>= NOISE_SAME_SHARE of it) at a share below
 * MAX_NOISE_SHARE, the cut bought nothing: it is undone and that share becomes the fleet's
 * `noiseFloor`. From then on a tick counts as overloaded only when its refusals exceed what
 * the floor explains, with a statistical margin (NOISE_Z standard deviations of a binomial
 * count), and the floor follows the share seen in the ticks that are not overloaded (it fades
 * when the noise stops). Under a floor a refusal does not locate the edge: cuts are
 * multiplicative (decreaseFactor) and regrow locally (+1/cap per success) as in plain AIMD.
 * Why the cap at MAX_NOISE_SHARE: far above capacity, fast refusals make the share high and
 * slow to fall; a share that high is never taken for noise, and an upstream that refuses more
 * than half of everything at random is the breaker's business.
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
  /**
   * The edge before a lower one replaced it (capacity fell, or the servers went lower still
   * within one episode), and when it was seen: a probe that holds at the lower edge finds the
   * upstream served up to here before, so this is the edge it probes next, not nothing (the
   * limit would climb into a level refused seconds ago).
   */
  edgeAbove?: number | null;
  edgeAboveSeenAt?: number | null;
  /**
   * The lowest level a probe was refused at since the limit last climbed past it or returned to
   * a level served before (null: none). A probe that holds below it says the cut that led
   * there went too low (a found level adds per-server counts taken at different moments: a
   * call that moved between servers is counted by neither), not that capacity came back: the
   * return to `highWater` waits for a probe at this level to hold.
   */
  probeFailedAt?: number | null;
  /** Share of calls the upstream refuses whatever the concurrency (0: none learned). */
  noiseFloor?: number;
  /** The last cut, to judge whether it helped: the limit it cut from, the refusal share that
   *  drew it, and the calls and refusals counted since. */
  cutFrom?: number | null;
  cutShare?: number | null;
  sinceCutCalls?: number;
  sinceCutOverloads?: number;
  /** How long the limit waits below the remembered edge before it probes one step above. */
  probeEveryMs?: number | null;
  /** When the limit reached the probe level (a probe holds after PROBE_CONFIRM_MS without refusals). */
  probeSince?: number | null;
  /** When the limit last changed: a level held STABLE_MS without refusals was the upstream's. */
  stableSince?: number | null;
  /**
   * The highest level the upstream served without refusals for STABLE_MS, and when it last
   * did (see probing): after capacity falls, the level to return to.
   */
  highWater?: number | null;
  highWaterAt?: number | null;
}

/**
 * Probing above the edge. A probe is one call above the level the upstream refused; when the
 * capacity has not moved it costs exactly that call (the servers cut back at its refusal). So
 * probes start PROBE_BASE_MS after a refusal and back off (x2, up to `ceilingProbeMs`) while
 * they keep failing: an upstream that stays where it is costs a few calls a minute, not one
 * per tick. Below a level the upstream served for STABLE_MS within the last HIGH_WATER_MS
 * (`highWater`: its capacity fell since), capacity is likely to come back: probes come every
 * RECOVERY_PROBE_MS, and once one holds the limit returns to that level at once (`recover`;
 * if capacity came back only part way, the servers' refusals find the edge again); with no
 * edge known it climbs back half a level a tick.
 */
const PROBE_BASE_MS = 10_000;
const RECOVERY_PROBE_MS = 2_000;
/**
 * A probe held when no refusal came this long after it was published: a server takes the new
 * unit within a listener's latency, the upstream refuses at once, and the refusal's report is
 * written within a second (the registry spaces early reports a second apart). So the first
 * tick after the probe judges it (ticks are 2 s apart by default); waiting a second tick
 * (3 s, before) cost a return to restored capacity two more seconds.
 */
const PROBE_CONFIRM_MS = 1_800;
const STABLE_MS = 6_000;
const HIGH_WATER_MS = 300_000;

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

/**
 * The fleet uses its limit when its calls in flight reach this share of it: only then does the
 * limit grow (a limit nobody fills says nothing about the upstream). A server reports early
 * when work waits on its own limit while its last report said less (FleetFlowControl).
 */
export const IN_USE_SHARE = 0.75;

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
  /**
   * The servers' own limits summed, as their latest reports give them (null: unknown). A server
   * that was refused cuts its limit to the calls the upstream had taken from it, so after a
   * refusal this sum is where the upstream's capacity was found.
   */
  reportedLimit?: number | null;
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
  | 'probe'
  | 'recover'
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
  // No outcome reached the leader this tick (reports come with heartbeats, every few seconds;
  // refusals at once): nothing to judge, but a busy fleet may still slow-start, confirm a
  // probe or climb back (see probing). Waiting for a heartbeat to grow would take one step per
  // heartbeat instead of one per tick.
  if (tick.calls <= 0 && tick.inFlight < state.limit * IN_USE_SHARE) return { state, reason: 'no_data' };
  let baseline = state.baselineLatency;
  let ratio = 1;
  if (tick.latencyPerAudioSec !== null && tick.latencyPerAudioSec > 0) {
    baseline = baseline === null ? tick.latencyPerAudioSec : Math.min(tick.latencyPerAudioSec, baseline * (1 + BASELINE_DRIFT));
    ratio = tick.latencyPerAudioSec / baseline;
  }
  const cooling = state.lastDecreaseAt !== null && tick.now - state.lastDecreaseAt < tick.cooldownMs;
  const noise = state.noiseFloor ?? 0;
  const share = tick.calls > 0 ? tick.overloads / tick.calls : 0;
  const overloaded = exceedsNoise(tick.overloads, tick.calls, noise, config.overloadRateThreshold);
  const slow = ratio > 2 * config.latencyTolerance;
  const overloadAt = state.overloadAt ?? null;
  // Outcomes since the last cut, to judge it (see "Refusals that concurrency does not cause").
  const sinceCutCalls = (state.sinceCutCalls ?? 0) + tick.calls;
  const sinceCutOverloads = (state.sinceCutOverloads ?? 0) + tick.overloads;
  const counted = { ...state, baselineLatency: baseline, sinceCutCalls, sinceCutOverloads };
  const reported = overloaded && noise === 0 && tick.reportedLimit !== undefined && tick.reportedLimit !== null ? Math.max(config.minLimit, tick.reportedLimit) : null;
  if (overloaded || slow) {
    // Refused at or above the edge: a probe failed (recovery probes come every other tick, so
    // also within the cooldown of the cut before it).
    const failedProbe = overloaded && overloadAt !== null && state.limit >= overloadAt;
    const probeFailedAt = failedProbe ? Math.min(state.probeFailedAt ?? Infinity, state.limit) : (state.probeFailedAt ?? null);
    if (cooling) {
      // The servers went lower still within one episode (capacity fell): follow them down.
      // A cut like any other for judging noise: the outcomes after it are counted afresh.
      if (reported !== null && reported < state.limit) {
        const lowered = Math.min(overloadAt ?? Infinity, reported + 1);
        return {
          state: {
            ...counted,
            limit: reported,
            overloadAt: lowered,
            ...keepEdgeAbove(state, lowered),
            probeFailedAt,
            sinceCutCalls: 0,
            sinceCutOverloads: 0,
          },
          reason: 'overload',
        };
      }
      return { state: counted, reason: 'hold' };
    }
    // Judged on the outcomes between the cut and this tick: refusals that went on after the cut
    // at the share that drew it are noise; a quiet stretch then a burst is a new event (the
    // capacity fell), which must be followed, not learned as noise.
    if (overloaded && cutBoughtNothing(state, state.sinceCutCalls ?? 0, state.sinceCutOverloads ?? 0, config)) {
      const learned = sinceCutOverloads / Math.max(1, sinceCutCalls);
      return {
        state: {
          ...counted,
          // Undo the cut; the refusals that drew it do not mark a ceiling either.
          limit: clamp(Math.max(state.limit, state.cutFrom ?? state.limit), config.minLimit, config.maxLimit),
          noiseFloor: Math.max(noise, learned),
          overloadAt: null,
          overloadSeenAt: null,
          edgeAbove: null,
          edgeAboveSeenAt: null,
          probeFailedAt: null,
          cutFrom: null,
          cutShare: null,
        },
        reason: 'noise',
      };
    }
    const atEdge = overloaded && overloadAt !== null && state.limit <= overloadAt + 1 && share < STEEP_OVERLOAD_RATE;
    let cut = atEdge ? state.limit - 1 : Math.min(state.limit - 1, Math.round(state.limit * config.decreaseFactor));
    // Where the servers found the edge: the refused call was one above what they had running.
    if (reported !== null) cut = Math.min(state.limit - 1, reported);
    const base = Math.min(PROBE_BASE_MS, config.ceilingProbeMs);
    const probeEveryMs = failedProbe ? Math.min(config.ceilingProbeMs, 2 * (state.probeEveryMs ?? base)) : (state.probeEveryMs ?? base);
    const edgeNow = overloaded ? (reported !== null ? Math.min(state.limit, reported + 1) : state.limit) : overloadAt;
    return {
      state: {
        ...state,
        limit: clamp(cut, config.minLimit, config.maxLimit),
        probeEveryMs,
        probeSince: null,
        stableSince: tick.now,
        slowStart: false,
        baselineLatency: baseline,
        lastDecreaseAt: tick.now,
        overloadAt: edgeNow,
        overloadSeenAt: overloaded ? tick.now : (state.overloadSeenAt ?? null),
        ...(edgeNow === null ? {} : keepEdgeAbove(state, edgeNow)),
        probeFailedAt,
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
  if (tick.calls <= 0 && !state.slowStart && state.overloadAt == null && freshHighWater(state, tick.now) === null) return { state, reason: 'no_data' };
  const calm = { ...counted, noiseFloor: followed < NOISE_FORGET ? 0 : followed };
  if (ratio > config.latencyTolerance) return { state: calm, reason: 'latency_hold' };
  if (tick.inFlight < state.limit * IN_USE_SHARE) return { state: calm, reason: 'idle' };
  // The level held STABLE_MS without refusals: the upstream served it.
  let high = freshHighWater(state, tick.now);
  let highAt = state.highWaterAt ?? null;
  if (state.stableSince != null && tick.now - state.stableSince >= STABLE_MS && state.limit >= (high ?? 0)) {
    high = state.limit;
    highAt = tick.now;
  }
  const below = high !== null && state.limit < high;
  const base = Math.min(PROBE_BASE_MS, config.ceilingProbeMs);
  let edge = overloadAt;
  // The edge was set this tick (`edgeSetNow`); `restored`: to the one kept above, which also
  // clears what was kept for it.
  let restored = false;
  let edgeSetNow = false;
  let probeEveryMs = state.probeEveryMs ?? base;
  let probeSince = state.probeSince ?? null;
  if (edge !== null && state.limit >= edge) {
    // At a probe level and calm: after PROBE_CONFIRM_MS the probe held; the edge moved up.
    probeSince ??= tick.now;
    if (tick.now - probeSince < PROBE_CONFIRM_MS) return { state: { ...calm, probeSince }, reason: 'probe' };
    probeSince = null;
    // The upstream served this level: as good a witness as STABLE_MS at it (a limit that keeps
    // moving, as it does while the edge is found, may never sit still that long).
    if (state.limit > (high ?? 0)) {
      high = state.limit;
      highAt = tick.now;
    }
    const failedAt = state.probeFailedAt ?? null;
    if (failedAt !== null && state.limit < failedAt) {
      // Held below a level a probe was refused at: the cut that led here went too low, and
      // nothing says capacity came back. That level is the edge again, probed at the usual
      // cadence; the return to `highWater` waits for it to hold.
      edge = failedAt;
      edgeSetNow = true;
    } else {
      probeEveryMs = base;
      // Capacity came back above where it fell: return to the level it served before at once
      // (if it came back only part way, the servers' refusals find the edge again).
      const back = high !== null && state.limit < high ? high : state.limit;
      // The edge moved up: to the one refused before a lower one replaced it, if that is above
      // where the limit now stands (probed again after the quiet time), else unknown.
      const above = state.edgeAbove ?? null;
      edge = above !== null && above > back && tick.now - (state.edgeAboveSeenAt ?? -Infinity) < HIGH_WATER_MS ? above : null;
      restored = edge !== null;
      edgeSetNow = restored;
      if (back > state.limit) {
        return {
          state: {
            ...calm,
            limit: back,
            overloadAt: edge,
            overloadSeenAt: edge !== null ? tick.now : (state.overloadSeenAt ?? null),
            edgeAbove: null,
            edgeAboveSeenAt: null,
            probeFailedAt: null,
            probeEveryMs,
            probeSince,
            highWater: high,
            highWaterAt: highAt,
            stableSince: tick.now,
          },
          reason: 'recover',
        };
      }
    }
  }
  const waitMs = below ? Math.min(RECOVERY_PROBE_MS, probeEveryMs) : probeEveryMs;
  const seenAt = edgeSetNow ? tick.now : (state.overloadSeenAt ?? 0);
  const recent = edge !== null && tick.now - seenAt < waitMs;
  const settled = {
    ...calm,
    overloadAt: edge,
    ...(edgeSetNow ? { overloadSeenAt: seenAt } : {}),
    ...(restored ? { edgeAbove: null, edgeAboveSeenAt: null, probeFailedAt: null } : {}),
    probeEveryMs,
    probeSince,
    highWater: high,
    highWaterAt: high === null ? null : highAt,
  };
  if (recent && edge !== null && state.limit + 1 >= edge) return { state: settled, reason: 'ceiling_hold' };
  let grown = state.slowStart ? Math.ceil(state.limit * 1.5) : state.limit + config.additiveIncrease;
  // Back toward a level the upstream served before it fell, half a level a tick.
  if (below && high !== null && edge === null) grown = Math.max(grown, Math.min(high, Math.ceil(state.limit * 1.5)));
  // Below the edge: up to one under it. A probe: exactly the edge.
  if (edge !== null) grown = Math.min(grown, recent ? edge - 1 : edge);
  const limit = clamp(grown, config.minLimit, config.maxLimit);
  return {
    state: {
      ...settled,
      limit,
      stableSince: limit !== state.limit ? tick.now : (state.stableSince ?? tick.now),
      // A probe is judged from the tick it was published.
      probeSince: edge !== null && limit >= edge ? tick.now : null,
      // Grown past the remembered level without overload: capacity moved up; forget it.
      overloadAt: edge !== null && limit > edge ? null : edge,
      ...(edge === null && (state.edgeAbove ?? Infinity) <= limit ? { edgeAbove: null, edgeAboveSeenAt: null } : {}),
      ...((state.probeFailedAt ?? Infinity) < limit ? { probeFailedAt: null } : {}),
    },
    reason: state.slowStart ? 'slow_start' : edge !== null && limit >= edge ? 'probe' : 'increase',
  };
}

/**
 * `edgeAbove` when the edge falls to `lowered`: the higher of the old edge and the one kept
 * before it, if above. The higher one: as capacity falls the edge steps down through levels
 * (6 to 4 to 3) that held only during the fall; the level to return below is the one refused
 * before it (7), and a lower one kept instead sends a recovered fleet straight into 7.
 */
function keepEdgeAbove(state: FleetLimiterState, lowered: number): Pick<FleetLimiterState, 'edgeAbove' | 'edgeAboveSeenAt'> {
  const old = state.overloadAt ?? null;
  const kept = state.edgeAbove ?? null;
  if (kept !== null && kept > lowered && (old === null || kept >= old)) return { edgeAbove: kept, edgeAboveSeenAt: state.edgeAboveSeenAt ?? null };
  if (old !== null && old > lowered) return { edgeAbove: old, edgeAboveSeenAt: state.overloadSeenAt ?? null };
  return { edgeAbove: null, edgeAboveSeenAt: null };
}

/** The level the upstream served before its capacity last fell, while it is worth returning to. */
function freshHighWater(state: FleetLimiterState, now: number): number | null {
  const h = state.highWater ?? null;
  return h !== null && state.highWaterAt != null && now - state.highWaterAt < HIGH_WATER_MS ? h : null;
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
  /**
   * Cuts made so far (reported to the leader in the heartbeat). While the leader has not
   * acknowledged the last one (`held`), the cap does not grow back: the leader decides the
   * fleet's next level knowing the cut, and growing locally before that re-probes the very
   * level that was just refused (one wasted call per round trip).
   */
  cuts?: number;
  held?: boolean;
  /** When the last cut was made (local clock), to release a hold no leader answers. */
  heldSince?: number | null;
  /**
   * The calls the upstream had taken from this server when it was refused (the lowest count
   * seen in the episode), not clamped to the minimum limit: 0 says the upstream was full
   * without us. Reported while held; the leader splits the fleet's level from it.
   */
  found?: number | null;
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
  return { cap: c, slowStart: true, nextSeq: 0, cutSeq: 0, ceiling: c, cuts: 0, held: false, heldSince: null };
}

export function localLimit(state: LocalLimiterState): number {
  // Refused with nothing of ours taken: the upstream is full without us. Wait for the leader
  // (it knows where the others stopped) instead of knocking at the minimum.
  if (state.held && state.found === 0) return 0;
  return Math.max(0, Math.min(state.ceiling, Math.max(1, Math.floor(state.cap))));
}

/** A call starts: returns its sequence number. */
export function localStart(state: LocalLimiterState): { state: LocalLimiterState; seq: number } {
  return { state: { ...state, nextSeq: state.nextSeq + 1 }, seq: state.nextSeq };
}

/** A call answered. `seq` (its number from localStart) lets it count toward judging refusals. */
export function localSuccess(state: LocalLimiterState, seq = -1): LocalLimiterState {
  const counted = countSinceCut(state, seq, false);
  if (state.held) return counted;
  const cap = Math.min(state.ceiling, state.cap + (state.slowStart ? 1 : 1 / Math.max(1, state.cap)));
  return { ...counted, cap };
}

/**
 * A call was refused as overloaded (503/429) while `accepted` other calls of this server were
 * still in flight (the upstream took those). Where the refusal came from is known: the
 * upstream was full at this server's `accepted + 1`-th call, so the cap drops to `accepted`
 * (at least one below the cap, never below the minimum): one refusal finds the level, where a
 * multiplicative cut would land below it (x0.7 turns 4 into 2) or, after a burst far above
 * capacity, still above it. Later refusals of calls started before the cut belong to the same
 * episode: they only bring the cap down to what is still in flight (calls refused together
 * were counted as in flight by the first). Unless the fleet has learned that the upstream
 * refuses a share `noise` of calls whatever we send: then only refusals beyond what that share
 * explains, counted since the last cut, cut (the fleet limiter's test, `exceedsNoise`).
 */
export function localOverload(
  state: LocalLimiterState,
  seq: number,
  config: AdaptiveConfig,
  noise = 0,
  accepted: number | null = null,
  now: number | null = null,
): LocalLimiterState {
  if (seq < state.cutSeq) {
    if (accepted === null || noise > 0 || accepted >= (state.found ?? state.cap)) return state;
    return { ...state, cap: Math.max(config.minLimit, Math.min(state.cap, accepted)), found: accepted };
  }
  const counted = countSinceCut(state, seq, true);
  if (!exceedsNoise(counted.sinceCutOverloads ?? 0, counted.sinceCutCalls ?? 0, noise, 0)) return counted;
  const current = Math.min(state.cap, state.ceiling);
  // Under a noise floor a refusal does not say where the edge is: the old multiplicative cut,
  // regrown locally (no hold).
  const located = accepted !== null && noise === 0;
  const found = located ? Math.max(0, Math.min(Math.floor(current) - 1, accepted)) : null;
  const target = found ?? current * config.decreaseFactor;
  return {
    ...state,
    cap: Math.max(config.minLimit, target),
    slowStart: false,
    cutSeq: state.nextSeq,
    sinceCutCalls: 0,
    sinceCutOverloads: 0,
    cuts: (state.cuts ?? 0) + 1,
    held: located,
    heldSince: located ? now : null,
    found,
  };
}

/**
 * The leader's allocation for this server: its slice (`ceiling`) and how many of this server's
 * cuts it had seen when it made it (`acknowledged`; null when unknown, e.g. an older leader).
 * An allocation that knows every cut replaces the cap: the leader set the fleet's level from
 * the cut caps. One that does not yet only lowers the ceiling. A raise moves a cap that stood
 * at the old slice to the new one. A hold no allocation acknowledges ends after `holdMs` (no
 * leader).
 */
export function localCeiling(
  state: LocalLimiterState,
  ceiling: number,
  acknowledged: number | null = null,
  now: number | null = null,
  holdMs = Infinity,
): LocalLimiterState {
  const c = Math.max(0, ceiling);
  const acked = acknowledged !== null && acknowledged >= (state.cuts ?? 0);
  const stale = state.held === true && now !== null && state.heldSince !== null && state.heldSince !== undefined && now - state.heldSince >= holdMs;
  if (state.held && (acked || stale)) {
    return { ...state, ceiling: c, cap: acked ? Math.max(1, c) : Math.min(state.cap, Math.max(1, c)), held: false, heldSince: null, found: null, slowStart: false };
  }
  if (c === state.ceiling) return state;
  // A raise is the fleet's step (its slow start, a probe, a return to a level the upstream
  // served): a server at its old slice takes it at once. Growing toward it here as well (a
  // second slow start, one unit per success) delayed every raise by a round trip of the
  // upstream, and a return after an outage by several. A cap below its slice after a local cut
  // (under a noise floor: not held) regrows on its own.
  const atSlice = !state.held && Math.floor(state.cap) >= state.ceiling;
  return { ...state, ceiling: c, cap: c > state.ceiling && atSlice ? c : Math.min(state.cap, Math.max(1, c)) };
}

import type { UpstreamWindow } from '../../schema/coordination.js';
import type { BreakerConfig } from './breaker-rules.js';
import { extendsStreak, isCounted, streakTripReason } from './breaker-rules.js';

/**
 * One server's upstream accounting for one model: a tumbling reporting window (cumulative
 * counts since `windowStart`, published in the server's heartbeat document, so the leader can
 * diff successive reports) and the current failure streak (the breaker's count window; only
 * classes that `extendsStreak` count, a success clears it).
 *
 * The window restarts every `windowMs` and whenever the model's breaker changes state, so
 * outcomes from before a transition never count against the new state.
 */
export interface LocalOutcomes {
  windowStart: number;
  calls: number;
  successes: number;
  failuresByClass: Record<string, number>;
  latencyPerAudioSecMsSum: number;
  tokens: number;
  /**
   * Overload answers (503/429) that came only after the upstream had served the call for a
   * while (see FleetFlowControl): the call was admitted, so concurrency did not refuse it.
   * They count as failures like any other; the adaptive limit leaves them out.
   */
  lateOverloads: number;
  /** Counted failures in a row, by class; a success clears it. */
  streak: Record<string, number>;
  /**
   * Outage evidence for the leader (see `core/flow-policy/outage`): this server's last success, and
   * since when (and how often) its calls have failed with no success in between. Quota
   * answers are left out: an exhausted quota waits for its window, it is not an outage.
   */
  lastSuccessAt: number | null;
  /**
   * When the latest-started successful call began (its answer time less its latency). A success
   * proves the upstream up only from when its call was admitted: the calls admitted just before
   * an outage still end well a latency later, and must not clear the failures that came after
   * their start (optional for states built before it existed).
   */
  lastSuccessStartedAt?: number | null;
  failingSince: number | null;
  failingCount: number;
  /** The run's latest failure (null with no run; optional for states built before it existed). */
  lastFailureAt?: number | null;
}

export type Outcome =
  | { ok: true; latencyMs: number; audioSeconds: number | null; tokens: number | null }
  | { ok: false; errorClass: string; latencyMs: number; late?: boolean };
/** When the outcome arrived (for the outage evidence; omitted, it leaves those fields alone). */
type Timed = { at?: number };

export function emptyOutcomes(now: number): LocalOutcomes {
  return {
    windowStart: now,
    calls: 0,
    successes: 0,
    failuresByClass: {},
    latencyPerAudioSecMsSum: 0,
    tokens: 0,
    lateOverloads: 0,
    streak: {},
    lastSuccessAt: null,
    lastSuccessStartedAt: null,
    failingSince: null,
    failingCount: 0,
    lastFailureAt: null,
  };
}

/** Start a new reporting window (the streak survives a roll, not a breaker transition). */
export function rollOutcomes(state: LocalOutcomes, now: number, windowMs: number): LocalOutcomes {
  if (now - state.windowStart < windowMs) return state;
  return {
    ...emptyOutcomes(now),
    streak: state.streak,
    lastSuccessAt: state.lastSuccessAt,
    lastSuccessStartedAt: state.lastSuccessStartedAt ?? null,
    failingSince: state.failingSince,
    failingCount: state.failingCount,
    lastFailureAt: state.lastFailureAt ?? null,
  };
}

export interface RecordOptions {
  breaker: BreakerConfig;
  /** Audio length assumed for the latency average when a success has none. */
  assumeAudioSeconds: number;
  /** Token estimate when the upstream reported none. */
  estimateTokens: (audioSeconds: number | null) => number;
}

export function recordOutcome(state: LocalOutcomes, outcome: Outcome & Timed, options: RecordOptions): LocalOutcomes {
  const next: LocalOutcomes = { ...state, calls: state.calls + 1 };
  if (outcome.ok) {
    const seconds = outcome.audioSeconds && outcome.audioSeconds > 0 ? outcome.audioSeconds : options.assumeAudioSeconds;
    next.successes += 1;
    next.latencyPerAudioSecMsSum += seconds > 0 ? outcome.latencyMs / seconds : 0;
    next.tokens += outcome.tokens ?? options.estimateTokens(outcome.audioSeconds);
    next.streak = {};
    if (outcome.at !== undefined) {
      const startedAt = outcome.at - Math.max(0, outcome.latencyMs);
      next.lastSuccessAt = outcome.at;
      next.lastSuccessStartedAt = Math.max(state.lastSuccessStartedAt ?? Number.NEGATIVE_INFINITY, startedAt);
      // Admitted before the run's first failure: the tail of the time before it, not a sign the
      // upstream takes calls again. Only a call admitted after the run began ends it.
      if (state.failingSince === null || startedAt >= state.failingSince) {
        next.failingSince = null;
        next.failingCount = 0;
        next.lastFailureAt = null;
      }
    }
    return next;
  }
  if (outcome.at !== undefined && isCounted(outcome.errorClass, options.breaker) && outcome.errorClass !== 'quota') {
    next.failingSince = state.failingSince ?? outcome.at;
    next.failingCount = state.failingCount + 1;
    next.lastFailureAt = outcome.at;
  }
  next.failuresByClass = { ...state.failuresByClass, [outcome.errorClass]: (state.failuresByClass[outcome.errorClass] ?? 0) + 1 };
  if (outcome.late) next.lateOverloads = (state.lateOverloads ?? 0) + 1;
  if (extendsStreak(outcome.errorClass, options.breaker)) {
    next.streak = { ...state.streak, [outcome.errorClass]: (state.streak[outcome.errorClass] ?? 0) + 1 };
  }
  return next;
}

/** Trip reason when this server's streak alone proves an outage. */
export function localTripReason(state: LocalOutcomes, config: BreakerConfig): string | null {
  return streakTripReason(state.streak, config);
}

/** `running`: calls this server has in flight against the model now. */
export function toUpstreamWindow(state: LocalOutcomes, running = 0): UpstreamWindow {
  return {
    health: {
      lastSuccessAt: state.lastSuccessAt,
      lastSuccessStartedAt: state.lastSuccessStartedAt ?? null,
      failingSince: state.failingSince,
      failingCount: state.failingCount,
      lastFailureAt: state.lastFailureAt ?? null,
      running,
    },
    windowStart: state.windowStart,
    calls: state.calls,
    successes: state.successes,
    failuresByClass: { ...state.failuresByClass },
    latencyPerAudioSecMsSum: state.latencyPerAudioSecMsSum,
    tokens: Math.round(state.tokens),
    lateOverloads: state.lateOverloads ?? 0,
  };
}

/** Fleet-side: what one server reported since the leader's previous look at it. */
export function windowDelta(previous: UpstreamWindow | null, current: UpstreamWindow): UpstreamWindow {
  // A new window (roll or transition) restarts the counters: all of it is new.
  if (previous === null || previous.windowStart !== current.windowStart || current.calls < previous.calls) return current;
  const failuresByClass: Record<string, number> = {};
  for (const [k, v] of Object.entries(current.failuresByClass)) {
    const d = v - (previous.failuresByClass[k] ?? 0);
    if (d > 0) failuresByClass[k] = d;
  }
  return {
    windowStart: current.windowStart,
    calls: current.calls - previous.calls,
    successes: Math.max(0, current.successes - previous.successes),
    failuresByClass,
    latencyPerAudioSecMsSum: Math.max(0, current.latencyPerAudioSecMsSum - previous.latencyPerAudioSecMsSum),
    tokens: Math.max(0, current.tokens - previous.tokens),
    lateOverloads: Math.max(0, (current.lateOverloads ?? 0) - (previous.lateOverloads ?? 0)),
  };
}

export function sumWindows(windows: readonly UpstreamWindow[], start: number): UpstreamWindow {
  const total: UpstreamWindow = { windowStart: start, calls: 0, successes: 0, failuresByClass: {}, latencyPerAudioSecMsSum: 0, tokens: 0, lateOverloads: 0 };
  for (const w of windows) {
    total.calls += w.calls;
    total.successes += w.successes;
    total.latencyPerAudioSecMsSum += w.latencyPerAudioSecMsSum;
    total.tokens += w.tokens;
    total.lateOverloads = (total.lateOverloads ?? 0) + (w.lateOverloads ?? 0);
    for (const [k, v] of Object.entries(w.failuresByClass)) total.failuresByClass[k] = (total.failuresByClass[k] ?? 0) + v;
  }
  return total;
}

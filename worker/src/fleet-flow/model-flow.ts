import type { WorkerConfig } from '../schema/config.js';
import type { BudgetSlice } from '../schema/coordination.js';
import type { BreakerDoc, BudgetDoc } from '../schema/flow.js';
import {
  bucketFor,
  breakerGate,
  emptyOutcomes,
  estimateCallTokens,
  initialLocalLimiter,
  localCeiling,
  localLimit,
  rollOutcomes,
  type BreakerGate,
  type LocalLimiterState,
  type LocalOutcomes,
  type RateBucket,
} from '../core/flow-policy/index.js';

/**
 * Everything one server knows and holds about one upstream model: the shared breaker and
 * budget documents (kept current by listeners), its own slice of the budget, the local AIMD
 * limiter, token buckets and outcome counts. No I/O here; `FleetFlowControl` drives it.
 */
export interface EffectiveSlice {
  concurrency: number;
  requestsPerMinute: number;
  tokensPerMinute: number;
  /** Where the numbers come from (for logs, metrics and the heartbeat). */
  source: 'slice' | 'expired_slice' | 'bootstrap' | 'no_leader' | 'static';
  term: number;
  expiresAt: number | null;
}

const SUCCESS_LATENCIES_KEPT = 32;
const LATE_ANSWER_MIN_MS = 250;

/** Without any allocation yet a server spends this share of the global per-minute budget. */
const NO_LEADER_BUDGET_SHARE = 0.25;

export class ModelFlow {
  breaker: BreakerDoc | null = null;
  budget: BudgetDoc | null = null;
  limiter: LocalLimiterState;
  requests: RateBucket;
  tokens: RateBucket;
  outcomes: LocalOutcomes;
  /** Permits of this model currently held on this server. */
  inUse = 0;
  /** `inUse` as this server's last report (heartbeat) gave it to the leader. */
  reportedInUse = 0;
  /** This server holds (or is acquiring) the model's half-open probe. */
  probing = false;
  /** A local streak trip is being written. */
  tripping = false;
  /**
   * This server sends nothing to the model until then: after a 429 with a retry delay, or
   * after overload answers while already at the minimum concurrency (see `FleetFlowControl`).
   */
  pauseUntil = 0;
  pauseReason: 'quota_pause' | 'overload_pause' = 'quota_pause';
  /** Overload answers in a row received while at the minimum limit (drives the pause). */
  overloadsAtMinimum = 0;
  private seenGeneration: number | null = null;
  /** Latencies of the last successes (ms), to tell a refusal from a call served and failed. */
  private readonly successLatencies: number[] = [];
  private current: EffectiveSlice;

  constructor(
    readonly model: string,
    private readonly serverId: string,
    private readonly config: WorkerConfig,
    now: number,
  ) {
    this.current = this.computeSlice(now);
    this.limiter = initialLocalLimiter(this.current.concurrency);
    this.requests = bucketFor(this.current.requestsPerMinute, config.upstream.rateBurstSeconds, now);
    this.tokens = bucketFor(this.current.tokensPerMinute, config.upstream.rateBurstSeconds, now);
    this.outcomes = emptyOutcomes(now);
  }

  gate(now: number): BreakerGate {
    return this.breaker === null ? { allow: 'all' } : breakerGate(this.breaker, now, this.config.circuitBreaker);
  }

  /** Concurrency this server may use against the model right now. */
  limit(): number {
    if (!this.config.upstream.adaptive.enabled) return Math.min(this.current.concurrency, this.config.maxConcurrentRequests);
    return Math.min(localLimit(this.limiter), this.config.maxConcurrentRequests);
  }

  noteSuccessLatency(ms: number): void {
    this.successLatencies.push(ms);
    if (this.successLatencies.length > SUCCESS_LATENCIES_KEPT) this.successLatencies.shift();
  }

  /**
   * Whether an answer after `ms` came late: at least half the quickest recent success (and
   * LATE_ANSWER_MIN_MS). Without a success yet nothing is late: a refusal is the safe reading.
   */
  isLateAnswer(ms: number): boolean {
    if (this.successLatencies.length === 0) return false;
    return ms >= Math.max(LATE_ANSWER_MIN_MS, 0.5 * Math.min(...this.successLatencies));
  }

  slice(): EffectiveSlice {
    return this.current;
  }

  /** Estimated tokens of a call, for the token bucket. */
  estimateTokens(audioSeconds: number | null): number {
    return estimateCallTokens(audioSeconds, this.config.upstream.tokensPerAudioSecond, this.config.fairScheduling.defaultAudioSeconds);
  }

  /**
   * A new breaker document. Returns true when its generation moved (a transition happened):
   * the local outcome window then restarts so old outcomes never judge the new state.
   */
  setBreaker(doc: BreakerDoc | null, now: number): boolean {
    // A listener snapshot older than what a transaction of ours already returned: keep ours.
    const known = this.breaker;
    if (doc && known && doc.generation < known.generation && doc.updatedAt <= known.updatedAt) return false;
    this.breaker = doc;
    const generation = doc?.generation ?? 0;
    const first = this.seenGeneration === null;
    const moved = !first && generation !== this.seenGeneration;
    this.seenGeneration = generation;
    // The first snapshot also starts a fresh window (if nothing was counted yet), so the
    // window never begins before the breaker's current state: the leader ignores such reports.
    if (moved || (first && this.outcomes.calls === 0)) this.outcomes = emptyOutcomes(now);
    return moved;
  }

  /**
   * A new budget document (or time passed): re-derive the slice. Returns true if it grew, or if
   * the limit this server may use grew (a hold the allocation acknowledged, or one that went
   * stale): the claim loop sleeps until told, so a released hold it is not told of would
   * leave a server with work and room sending nothing.
   */
  refreshSlice(now: number, budget: BudgetDoc | null = this.budget): boolean {
    this.budget = budget;
    const before = this.current;
    const limitBefore = this.limit();
    this.current = this.computeSlice(now);
    const burst = this.config.upstream.rateBurstSeconds;
    if (this.current.requestsPerMinute !== before.requestsPerMinute) {
      this.requests = bucketFor(this.current.requestsPerMinute, burst, now, this.requests);
    }
    if (this.current.tokensPerMinute !== before.tokensPerMinute) {
      this.tokens = bucketFor(this.current.tokensPerMinute, burst, now, this.tokens);
    }
    const acknowledged = this.current.source === 'slice' ? (budget?.slices[this.serverId]?.cuts ?? null) : null;
    this.limiter = localCeiling(this.limiter, this.current.concurrency, acknowledged, now, this.holdMs());
    return (
      this.limit() > limitBefore ||
      this.current.concurrency > before.concurrency ||
      grew(this.current.requestsPerMinute, before.requestsPerMinute) ||
      grew(this.current.tokensPerMinute, before.tokensPerMinute)
    );
  }

  /** A hold no allocation acknowledges ends this long after the cut (no leader answered). */
  private holdMs(): number {
    return this.config.serverCoordination.heartbeatIntervalMs + 2 * this.config.upstream.flowIntervalMs;
  }

  /**
   * When a hold that keeps this server from calling at all ends on its own (null: none): the
   * claim loop must look again then, or a hold no allocation answers (a leader in its cooldown
   * does not echo cuts) would stop this server until some unrelated document changed.
   */
  holdEndsAt(): number | null {
    const { held, heldSince } = this.limiter;
    if (!held || heldSince === null || heldSince === undefined || this.limit() > 0) return null;
    return heldSince + this.holdMs();
  }

  rollWindow(now: number): void {
    this.outcomes = rollOutcomes(this.outcomes, now, this.config.circuitBreaker.windowMs);
  }

  /** The slice as it belongs in this server's heartbeat document. */
  heartbeatSlice(): BudgetSlice {
    return {
      model: this.model,
      requestsPerMinute: this.current.requestsPerMinute,
      tokensPerMinute: this.current.tokensPerMinute,
      concurrency: this.limit(),
      term: this.current.term,
      expiresAt: this.current.expiresAt ?? 0,
    };
  }

  private computeSlice(now: number): EffectiveSlice {
    const { upstream, maxConcurrentRequests } = this.config;
    const max = maxConcurrentRequests;
    const budget = this.budget;
    const mine = budget?.slices[this.serverId];
    if (!upstream.adaptive.enabled && upstream.requestsPerMinute === 0 && upstream.tokensPerMinute === 0) {
      return { concurrency: max, requestsPerMinute: 0, tokensPerMinute: 0, source: 'static', term: budget?.term ?? 0, expiresAt: null };
    }
    const concurrencyOf = (n: number) => (upstream.adaptive.enabled ? Math.min(max, n) : max);
    if (budget && mine) {
      const live = budget.slicesExpireAt !== null && budget.slicesExpireAt > now;
      // An expired slice means no leader has spoken for a while: keep working, at half speed.
      const factor = live ? 1 : 0.5;
      return {
        concurrency: concurrencyOf(Math.max(live ? 0 : 1, Math.floor(mine.concurrency * factor))),
        requestsPerMinute: limited(upstream.requestsPerMinute, mine.requestsPerMinute * factor),
        tokensPerMinute: limited(upstream.tokensPerMinute, mine.tokensPerMinute * factor),
        source: live ? 'slice' : 'expired_slice',
        term: budget.term,
        expiresAt: budget.slicesExpireAt,
      };
    }
    if (budget) {
      // A server the leader has not allocated to yet: an even share of the fleet as it stands.
      const share = 1 / (budget.servers + 1);
      return {
        concurrency: concurrencyOf(Math.max(1, Math.floor(budget.adaptiveLimit * share))),
        requestsPerMinute: upstream.requestsPerMinute * share,
        tokensPerMinute: upstream.tokensPerMinute * share,
        source: 'bootstrap',
        term: budget.term,
        expiresAt: null,
      };
    }
    return {
      concurrency: concurrencyOf(upstream.adaptive.initialLimit),
      requestsPerMinute: upstream.requestsPerMinute * NO_LEADER_BUDGET_SHARE,
      tokensPerMinute: upstream.tokensPerMinute * NO_LEADER_BUDGET_SHARE,
      source: 'no_leader',
      term: 0,
      expiresAt: null,
    };
  }
}

/** A slice of a limited budget is never 0, which the buckets read as "unlimited". */
function limited(global: number, slice: number): number {
  return global > 0 ? Math.max(slice, 1e-6) : 0;
}

function grew(after: number, before: number): boolean {
  // 0 = unlimited
  return (after === 0 && before !== 0) || (before !== 0 && after > before);
}

import type { RateLimitDoc } from '../../schema/flow.js';
import type { WorkerConfig } from '../../schema/config.js';

/**
 * Per-user admission limit: a sliding window with burst.
 *
 * Tier parameters: L = requestsPerMinute (sustained admissions per window), B = burstLimit
 * (extra admissions above the sustained rate), W = windowSizeMs.
 *
 * The promise, for every half-open span of time (s, s + d]:
 *
 *     d <= W:  at most L + B admissions              (a quiet user may send them all at once)
 *     d >  W:  at most L * d / W + B + 1 admissions  (long-run rate L per window)
 *
 * So the burst is credit, not a second permanent allowance: after spending L + B in one window
 * a user gets L per window again, not L + B. (The +1 is the usual sliding-window boundary
 * allowance: a user sending exactly L per window, evenly spaced, is never refused.)
 *
 * How it is checked exactly with small state: `recent` is the exact log of admissions in
 * (t - W, t]; admissions that left the window are folded, oldest first, into `carry`, a leaky
 * bucket draining at L per W (Lindley's recursion: carry = max(0, carry - drain) + 1), whose
 * level at t - W is the worst excess of any older span. An admission at t is allowed iff
 *
 *     count(t - W, t] + 1 <= L + B   and   count(t - W, t] + carry(t - W) <= L + B.
 *
 * L = 0 means "unlimited" (like the upstream budget's 0): always allowed, nothing logged.
 *
 * Reported numbers:
 *  - remaining: admissions allowed right now, back to back, after this one.
 *  - retryAfterMs (refusals only): the smallest wait after which an admission is allowed if the
 *    user sends nothing meanwhile; retrying at exactly now + retryAfterMs succeeds.
 *  - resetAt: when the full allowance (L + B at once) is back if the user sends nothing more.
 *
 * Clock skew between servers: log entries slightly in the future of `now` count as inside the
 * window; the bucket never drains over negative time.
 *
 * Deferral (the design document's "graceful queuing", `whenExceeded: 'defer'`): a request the
 * limit refuses at `now` is instead admitted to START at t = now + retryAfterMs, the first
 * moment the refusal names, when that is at most `maxDeferMs` away. t is booked by inserting
 * it into the log as it stands at `now` (entries up to now - W folded, nothing else): log
 * entries in the future of `now` already count as inside the window, so the next request's
 * retryAfter accounts for every booking, and a burst of deferrals is spaced at the user's
 * rate (L per window after the burst). It is NOT evaluated at t with the state folded as of t:
 * that would fold entries still inside the window at `now`, and a later request at some
 * now' < t would be judged against a log that forgot them. The promise above holds for the
 * booked start times, deferred or not (the property tests check it).
 * The log then holds entries up to maxDeferMs ahead (about L * maxDeferMs / W more); a
 * deferral that would grow it past MAX_RATE_LIMIT_LOG is refused instead.
 */

/** The log is stored in one document; keep it well inside the document size limit. */
export const MAX_RATE_LIMIT_LOG = 10_000;

export type RateLimitExceeded = 'defer' | 'reject';

export interface ResolvedRateLimitTier {
  /** Tier name as stored on the job; unknown names resolve to the defaults under this name. */
  name: string;
  limit: number;
  burst: number;
  windowMs: number;
  /** Fair-share weight. */
  weight: number;
  /** Over the limit: book the first admissible moment (within maxDeferMs) or refuse. */
  whenExceeded: RateLimitExceeded;
  maxDeferMs: number;
}

export class RateLimitConfigError extends Error {
  override readonly name = 'RateLimitConfigError';
}

export function resolveRateLimitTier(config: WorkerConfig['rateLimiting'], tier: string): ResolvedRateLimitTier {
  const named = Object.prototype.hasOwnProperty.call(config.tiers, tier) ? config.tiers[tier] : undefined;
  const limit = named?.requestsPerMinute ?? config.requestsPerMinute;
  const burst = named?.burstLimit ?? config.burstLimit;
  if (limit + burst > MAX_RATE_LIMIT_LOG) {
    throw new RateLimitConfigError(
      `rate limit tier "${tier}": requestsPerMinute + burstLimit = ${limit + burst} exceeds ${MAX_RATE_LIMIT_LOG}; ` +
        'use a shorter windowSizeMs with a proportionally smaller limit',
    );
  }
  return {
    name: tier,
    limit,
    burst,
    windowMs: config.windowSizeMs,
    weight: named?.weight ?? 1,
    whenExceeded: named?.whenExceeded ?? config.whenExceeded,
    maxDeferMs: named?.maxDeferMs ?? config.maxDeferMs,
  };
}

export type RateLimitState = RateLimitDoc;

export interface RateLimitDecision {
  /** Admitted: to start now, or (deferredUntil set) booked to start later. */
  allowed: boolean;
  /** A deferral: the booked start (> now), already in `next.recent`. Null when admitted now or refused. */
  deferredUntil: number | null;
  remaining: number;
  resetAt: number;
  /** 0 when allowed (deferred included). */
  retryAfterMs: number;
  /** The document to write (a refusal only bumps `rejected`/`updatedAt`; skipping that write is fine). */
  next: RateLimitState;
}

const EPSILON = 1e-9;

/** Leaky-bucket level at time `at` (never drains over negative time). */
interface Carry {
  level: number;
  at: number;
}

function drain(carry: Carry, until: number, perMs: number): number {
  return Math.max(0, carry.level - Math.max(0, until - carry.at) * perMs);
}

/** Fold the entry at time `e` (which just left the window) into the bucket. */
function fold(carry: Carry, e: number, perMs: number): Carry {
  const at = Math.max(carry.at, e);
  return { level: drain(carry, at, perMs) + 1, at };
}

/**
 * Smallest t >= now with count(t - W, t] + carry(t - W) <= target, given the sorted in-window
 * log and the bucket. Between expiries the bucket drains linearly; at an expiry the entry
 * moves from the window to the bucket, which leaves the sum unchanged, so the sum never
 * increases and one pass over the log finds the answer.
 */
function firstLoadAtMost(
  log: readonly number[],
  carry: Carry,
  now: number,
  windowMs: number,
  perMs: number,
  target: number,
): number {
  let bucket = carry;
  let u = now - windowMs; // t - W
  for (let i = 0; i <= log.length; i++) {
    const count = log.length - i;
    const nextExpiry = i < log.length ? (log[i] as number) : Infinity;
    const level = drain(bucket, u, perMs);
    if (count + level <= target + EPSILON) return u + windowMs;
    if (count <= target) {
      // The bucket drains linearly from max(u, bucket.at) (it never drains over negative time).
      const reach = Math.max(u, bucket.at) + (count + level - target) / perMs;
      if (reach <= nextExpiry) return reach + windowMs;
    }
    if (nextExpiry === Infinity) break;
    u = Math.max(u, nextExpiry);
    bucket = fold(bucket, nextExpiry, perMs);
  }
  // Unreachable when perMs > 0 and target >= 0: the bucket always drains to zero.
  throw new Error('rate limiter: no admission time found');
}

/** Smallest t >= now with count(t - W, t] <= target. */
function firstCountAtMost(log: readonly number[], now: number, windowMs: number, target: number): number {
  if (log.length <= target) return now;
  return Math.max(now, (log[log.length - target - 1] as number) + windowMs);
}

/**
 * Evaluate one admission for `userId` at `now` under `tier`, starting from the stored document
 * (`null` when the user has none yet). Pure: the caller writes `next` in its transaction.
 */
export function evaluateRateLimit(
  state: RateLimitState | null,
  now: number,
  tier: ResolvedRateLimitTier,
  userId: string,
): RateLimitDecision {
  const base: RateLimitState = {
    userId,
    tier: tier.name,
    recent: [],
    limit: tier.limit,
    burst: tier.burst,
    windowMs: tier.windowMs,
    count: 0,
    remaining: 0,
    resetAt: now,
    rejected: state?.rejected ?? 0,
    updatedAt: now,
    carry: 0,
    carryAt: null,
    virtualTime: state?.virtualTime ?? null,
    weight: state?.weight ?? tier.weight,
    admitted: state?.admitted ?? 0,
  };

  if (tier.limit === 0) {
    const remaining = Number.MAX_SAFE_INTEGER;
    return { allowed: true, deferredUntil: null, remaining, resetAt: now, retryAfterMs: 0, next: { ...base, remaining, admitted: base.admitted + 1 } };
  }

  const capacity = tier.limit + tier.burst;
  const perMs = tier.limit / tier.windowMs;
  const windowStart = now - tier.windowMs;
  // Sorted copy: written oldest first, but skew between servers must not break the fold order.
  const sorted = [...(state?.recent ?? [])].sort((a, b) => a - b);
  let carry: Carry = { level: state?.carry ?? 0, at: state?.carryAt ?? -Infinity };
  const inWindow: number[] = [];
  for (const e of sorted) {
    if (e > windowStart) inWindow.push(e);
    else carry = fold(carry, e, perMs);
  }
  const level = drain(carry, windowStart, perMs);
  const allowed = inWindow.length + 1 <= capacity && inWindow.length + level <= capacity + EPSILON;
  const stored = { carry: carry.level, carryAt: Number.isFinite(carry.at) ? carry.at : null };
  const resetAtFor = (log: readonly number[]) =>
    Math.ceil(
      Math.max(firstCountAtMost(log, now, tier.windowMs, 0), firstLoadAtMost(log, carry, now, tier.windowMs, perMs, 1)),
    );

  if (!allowed) {
    const retryAt = Math.max(
      firstCountAtMost(inWindow, now, tier.windowMs, capacity - 1),
      firstLoadAtMost(inWindow, carry, now, tier.windowMs, perMs, capacity),
    );
    const retryAfterMs = Math.max(1, Math.ceil(retryAt - now - EPSILON));
    if (tier.whenExceeded === 'defer' && retryAfterMs <= tier.maxDeferMs && inWindow.length < MAX_RATE_LIMIT_LOG) {
      // Booked into the log as of `now` (see the top of this file) at the first moment the
      // refusal names (now + retryAfterMs when `now` is whole), in whole milliseconds: store
      // clocks can be finer, the job's timestamps are not.
      const deferredUntil = Math.max(Math.ceil(retryAt - EPSILON), Math.floor(now) + 1);
      const recent = [...inWindow, deferredUntil].sort((a, b) => a - b);
      const resetAt = resetAtFor(recent);
      return {
        allowed: true,
        deferredUntil,
        remaining: 0,
        resetAt,
        retryAfterMs: 0,
        next: { ...base, ...stored, recent, count: recent.length, remaining: 0, resetAt, admitted: base.admitted + 1 },
      };
    }
    const resetAt = resetAtFor(inWindow);
    return {
      allowed: false,
      deferredUntil: null,
      remaining: 0,
      resetAt,
      retryAfterMs,
      next: {
        ...base,
        ...stored,
        recent: inWindow,
        count: inWindow.length,
        remaining: 0,
        resetAt,
        rejected: base.rejected + 1,
      },
    };
  }

  const recent = [...inWindow, now].sort((a, b) => a - b);
  // k more back to back need count + 1 + k <= L + B and count + k + level <= L + B.
  const remaining = Math.max(
    0,
    Math.min(capacity - inWindow.length - 1, Math.floor(capacity - inWindow.length - level + EPSILON)),
  );
  const resetAt = resetAtFor(recent);
  return {
    allowed: true,
    deferredUntil: null,
    remaining,
    resetAt,
    retryAfterMs: 0,
    next: {
      ...base,
      ...stored,
      recent,
      count: recent.length,
      remaining,
      resetAt,
      admitted: base.admitted + 1,
    },
  };
}

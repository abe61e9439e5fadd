import { describe, expect, it } from 'vitest';
import { rateLimitDocSchema } from '../../schema/flow.js';
import { resolveConfig } from '../../schema/config.js';
import {
  evaluateRateLimit,
  MAX_RATE_LIMIT_LOG,
  RateLimitConfigError,
  resolveRateLimitTier,
  type RateLimitState,
  type ResolvedRateLimitTier,
} from './rate-limit.js';
import { seededRandom } from '../ids.js';

const W = 60_000;
const tier: ResolvedRateLimitTier = { name: 'default', limit: 6, burst: 3, windowMs: W, weight: 1 };
const T0 = 1_700_000_000_000;

function run(state: RateLimitState | null, now: number, t = tier) {
  return evaluateRateLimit(state, now, t, 'u1');
}

/** Admit greedily: at each step, ask; on refusal jump to now + retryAfterMs. */
function greedy(t: ResolvedRateLimitTier, from: number, until: number, gapMs = 0): number[] {
  let state: RateLimitState | null = null;
  let now = from;
  const admitted: number[] = [];
  while (now < until) {
    const d = evaluateRateLimit(state, now, t, 'u1');
    state = d.next;
    if (d.allowed) {
      admitted.push(now);
      now += gapMs;
    } else {
      now += d.retryAfterMs;
    }
  }
  return admitted;
}

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[lo] as number) <= (times[hi] as number) - windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** A span just longer than d holds at most L + B (d < W) or L * d / W + B + 1 (d >= W). */
function expectPromiseHolds(times: readonly number[], t: ResolvedRateLimitTier): void {
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const d = (times[j] as number) - (times[i] as number);
      const bound = d < t.windowMs ? t.limit + t.burst : (t.limit * d) / t.windowMs + t.burst + 1;
      if (j - i + 1 > bound + 1e-6) throw new Error(`span ${d} ms holds ${j - i + 1} > ${bound}`);
    }
  }
}

describe('evaluateRateLimit', () => {
  it('lets a new user spend limit + burst back to back, then refuses with retry-after', () => {
    let state: RateLimitState | null = null;
    const remaining: number[] = [];
    for (let i = 0; i < 9; i++) {
      const d = run(state, T0);
      expect(d.allowed).toBe(true);
      remaining.push(d.remaining);
      state = d.next;
    }
    expect(remaining).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const refused = run(state, T0);
    expect(refused.allowed).toBe(false);
    expect(refused.remaining).toBe(0);
    // The window is full until T0 + W (half-open windows: T0 leaves at T0 + W).
    expect(refused.retryAfterMs).toBe(W);
    expect(refused.next.rejected).toBe(1);
    expect(refused.next.recent).toEqual(state?.recent);
    // 9 more at once at T0 + d needs 18 <= 6 * d / 60 + 3 + 1, d = 140 s.
    expect(refused.resetAt).toBe(T0 + 140_000);
  });

  it('after a burst, credit returns only at the sustained rate (long-run limit per window)', () => {
    const times = greedy(tier, T0, T0 + 20 * W);
    // First window: limit + burst; afterwards the bucket paces to `limit` per window.
    const firstWindow = times.filter((t) => t < T0 + W).length;
    expect(firstWindow).toBe(tier.limit + tier.burst);
    expect(times.length).toBeLessThanOrEqual(20 * tier.limit + tier.burst + 1);
    expect(times.length).toBeGreaterThanOrEqual(20 * tier.limit + tier.burst - 1);
    expect(maxInAnyWindow(times, W)).toBeLessThanOrEqual(tier.limit + tier.burst);
    expectPromiseHolds(times, tier);
  });

  it('a user sending exactly the sustained rate is never refused', () => {
    const t: ResolvedRateLimitTier = { ...tier, burst: 0 };
    let state: RateLimitState | null = null;
    for (let i = 0; i < 100; i++) {
      const d = run(state, T0 + i * (W / t.limit), t);
      expect(d.allowed).toBe(true);
      state = d.next;
    }
  });

  it('without burst the sliding window is exact: never more than limit in any window', () => {
    const t: ResolvedRateLimitTier = { ...tier, burst: 0 };
    const times = greedy(t, T0, T0 + 10 * W, 137);
    expect(maxInAnyWindow(times, W)).toBe(t.limit);
    expect(times.length).toBeGreaterThanOrEqual(10 * t.limit - 1);
  });

  it('a refusal names the earliest time that succeeds (seeded random traffic)', () => {
    const random = seededRandom(42);
    for (let trial = 0; trial < 30; trial++) {
      const t: ResolvedRateLimitTier = {
        name: 'x',
        limit: 1 + Math.floor(random() * 20),
        burst: Math.floor(random() * 10),
        windowMs: 1_000 + Math.floor(random() * 120_000),
        weight: 1,
      };
      let state: RateLimitState | null = null;
      let now = T0;
      let refusals = 0;
      const admitted: number[] = [];
      for (let step = 0; step < 300; step++) {
        now += Math.floor(random() * (t.windowMs / t.limit) * 0.5);
        const d = evaluateRateLimit(state, now, t, 'u');
        if (d.allowed) {
          admitted.push(now);
          state = d.next;
          continue;
        }
        refusals++;
        expect(d.retryAfterMs).toBeGreaterThan(0);
        // One millisecond early is still refused, exactly on time is admitted.
        if (d.retryAfterMs > 1) expect(evaluateRateLimit(d.next, now + d.retryAfterMs - 1, t, 'u').allowed).toBe(false);
        const onTime = evaluateRateLimit(d.next, now + d.retryAfterMs, t, 'u');
        expect(onTime.allowed).toBe(true);
        state = d.next;
      }
      expect(refusals).toBeGreaterThan(0);
      expect(maxInAnyWindow(admitted, t.windowMs)).toBeLessThanOrEqual(t.limit + t.burst);
      expectPromiseHolds(admitted, t);
    }
  });

  it('a quiet user gets the full allowance back at resetAt', () => {
    let state: RateLimitState | null = null;
    for (let i = 0; i < 4; i++) state = run(state, T0 + i * 1_000).next;
    const last = run(state, T0 + 4_000);
    expect(last.allowed).toBe(true);
    state = last.next;
    const resetAt = last.resetAt;
    expect(resetAt).toBeGreaterThanOrEqual(T0 + 4_000 + W);
    const before = run(state, resetAt - 1);
    expect(before.remaining).toBeLessThan(tier.limit + tier.burst - 1);
    const after = run(state, resetAt);
    expect(after.allowed).toBe(true);
    expect(after.remaining).toBe(tier.limit + tier.burst - 1);
  });

  it('limit 0 means unlimited and keeps no log', () => {
    const t: ResolvedRateLimitTier = { ...tier, limit: 0, burst: 0 };
    let state: RateLimitState | null = null;
    for (let i = 0; i < 1_000; i++) {
      const d = run(state, T0, t);
      expect(d.allowed).toBe(true);
      state = d.next;
    }
    expect(state?.recent).toEqual([]);
    expect(state?.admitted).toBe(1_000);
  });

  it('applies a changed tier at once: a smaller capacity clamps the stored credit', () => {
    let state: RateLimitState | null = null;
    for (let i = 0; i < 3; i++) state = run(state, T0).next;
    const small: ResolvedRateLimitTier = { ...tier, limit: 2, burst: 1 };
    const d = run(state, T0 + 1, small);
    expect(d.allowed).toBe(false);
    expect(d.next.limit).toBe(2);
    expect(d.next.burst).toBe(1);
    expect(d.retryAfterMs).toBeGreaterThan(0);
  });

  it('tolerates clock skew between servers', () => {
    // Another server with a clock 5 s ahead wrote the log.
    const ahead = run(null, T0 + 5_000).next;
    const d = run(ahead, T0);
    expect(d.allowed).toBe(true);
    expect(d.next.recent).toEqual([T0, T0 + 5_000]);
    expect(d.next.carry).toBe(0);
  });

  it('writes documents that the shared schema accepts', () => {
    let state: RateLimitState | null = null;
    for (let i = 0; i < 12; i++) {
      const d = run(state, T0 + i);
      state = rateLimitDocSchema.parse(d.next);
    }
    expect(state?.count).toBe(tier.limit + tier.burst);
    expect(state?.rejected).toBe(3);
  });
});

describe('resolveRateLimitTier', () => {
  const config = resolveConfig({
    rateLimiting: { requestsPerMinute: 10, burstLimit: 2, windowSizeMs: 30_000, tiers: { pro: { requestsPerMinute: 100, burstLimit: 20, weight: 3 } } },
  }).rateLimiting;

  it('uses a named tier and falls back to the defaults for unknown names', () => {
    expect(resolveRateLimitTier(config, 'pro')).toEqual({ name: 'pro', limit: 100, burst: 20, windowMs: 30_000, weight: 3 });
    expect(resolveRateLimitTier(config, 'nope')).toEqual({ name: 'nope', limit: 10, burst: 2, windowMs: 30_000, weight: 1 });
    expect(resolveRateLimitTier(config, 'constructor').limit).toBe(10);
  });

  it('refuses a tier whose log would not fit one document', () => {
    const big = resolveConfig({ rateLimiting: { requestsPerMinute: MAX_RATE_LIMIT_LOG, burstLimit: 1 } }).rateLimiting;
    expect(() => resolveRateLimitTier(big, 'default')).toThrow(RateLimitConfigError);
  });
});

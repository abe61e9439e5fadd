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
// Refusals keep their meaning here; the deferral tests below use `deferring`.
const tier: ResolvedRateLimitTier = { name: 'default', limit: 6, burst: 3, windowMs: W, weight: 1, whenExceeded: 'reject', maxDeferMs: 10 * W };
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
        whenExceeded: 'reject',
        maxDeferMs: 0,
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
    expect(resolveRateLimitTier(config, 'pro')).toEqual({ name: 'pro', limit: 100, burst: 20, windowMs: 30_000, weight: 3, whenExceeded: 'defer', maxDeferMs: 600_000 });
    expect(resolveRateLimitTier(config, 'nope')).toEqual({ name: 'nope', limit: 10, burst: 2, windowMs: 30_000, weight: 1, whenExceeded: 'defer', maxDeferMs: 600_000 });
    expect(resolveRateLimitTier(config, 'constructor').limit).toBe(10);
  });

  it('takes a tier\'s own over-limit choice and longest deferral, else the defaults', () => {
    const c = resolveConfig({
      rateLimiting: {
        whenExceeded: 'reject',
        maxDeferMs: 30_000,
        tiers: { patient: { requestsPerMinute: 5, burstLimit: 0, whenExceeded: 'defer', maxDeferMs: 3_600_000 }, strict: { requestsPerMinute: 5, burstLimit: 0 } },
      },
    }).rateLimiting;
    expect(resolveRateLimitTier(c, 'patient')).toMatchObject({ whenExceeded: 'defer', maxDeferMs: 3_600_000 });
    expect(resolveRateLimitTier(c, 'strict')).toMatchObject({ whenExceeded: 'reject', maxDeferMs: 30_000 });
    expect(resolveRateLimitTier(c, 'default')).toMatchObject({ whenExceeded: 'reject', maxDeferMs: 30_000 });
  });

  it('refuses a tier whose log would not fit one document', () => {
    const big = resolveConfig({ rateLimiting: { requestsPerMinute: MAX_RATE_LIMIT_LOG, burstLimit: 1 } }).rateLimiting;
    expect(() => resolveRateLimitTier(big, 'default')).toThrow(RateLimitConfigError);
  });
});

describe('evaluateRateLimit with deferral (graceful queuing)', () => {
  const deferring: ResolvedRateLimitTier = { ...tier, whenExceeded: 'defer', maxDeferMs: 10 * W };

  /** Sends at each time in `times`; returns each request's start (now or booked) or null when refused. */
  function send(t: ResolvedRateLimitTier, times: readonly number[], from: RateLimitState | null = null) {
    let state = from;
    const starts: (number | null)[] = [];
    for (const now of times) {
      const d = evaluateRateLimit(state, now, t, 'u1');
      state = d.next;
      starts.push(d.allowed ? (d.deferredUntil ?? now) : null);
    }
    return { starts, state };
  }

  it('books a burst past the limit at the user\'s rate: the first when the window allows, then L per window', () => {
    const { starts, state } = send(deferring, Array.from({ length: 9 + 12 }, () => T0));
    expect(starts.slice(0, 9)).toEqual(Array.from({ length: 9 }, () => T0));
    const booked = starts.slice(9) as number[];
    // The window is full until T0 + W; after the burst the bucket paces at W / L = 10 s.
    expect(booked[0]).toBe(T0 + W);
    for (let i = 1; i < booked.length; i++) expect((booked[i] as number) - (booked[i - 1] as number)).toBe(W / deferring.limit);
    // Bookings are in the log (the future counts as inside the window), not refusals.
    expect(state?.recent).toHaveLength(21);
    expect(state?.rejected).toBe(0);
    expect(state?.admitted).toBe(21);
    expect(state?.remaining).toBe(0);
    expect(rateLimitDocSchema.parse(state).recent.at(-1)).toBe(booked.at(-1));
  });

  it('books the moment a refusal would name: retrying then is admitted, a millisecond earlier is not', () => {
    const { state } = send(deferring, Array.from({ length: 9 }, (_, i) => T0 + i * 1_000));
    const asRefusal = evaluateRateLimit(state, T0 + 9_500, { ...deferring, whenExceeded: 'reject' }, 'u1');
    const deferred = evaluateRateLimit(state, T0 + 9_500, deferring, 'u1');
    expect(asRefusal.allowed).toBe(false);
    expect(deferred).toMatchObject({ allowed: true, deferredUntil: T0 + 9_500 + asRefusal.retryAfterMs, retryAfterMs: 0, remaining: 0 });
    expect(deferred.next.rejected).toBe(state?.rejected);
  });

  it('refuses as \'reject\' does when the wait would exceed maxDeferMs, and books nothing', () => {
    const short: ResolvedRateLimitTier = { ...deferring, maxDeferMs: 25_000 };
    // 9 at T0 fill the window until T0 + W: a request at T0 + 30 s would wait 30 s.
    const { state } = send(short, Array.from({ length: 9 }, () => T0));
    const refused = evaluateRateLimit(state, T0 + 30_000, short, 'u1');
    expect(refused).toMatchObject({ allowed: false, deferredUntil: null, retryAfterMs: 30_000 });
    expect(refused.next.recent).toEqual(state?.recent);
    expect(refused.next.rejected).toBe(1);
    // Within the limit it is booked.
    expect(evaluateRateLimit(state, T0 + 35_000, short, 'u1')).toMatchObject({ allowed: true, deferredUntil: T0 + W });
  });

  it('a booking counts for later requests at once: a second deferral waits behind the first', () => {
    const t: ResolvedRateLimitTier = { ...deferring, limit: 1, burst: 0 };
    const { starts } = send(t, [T0, T0 + 1, T0 + 2, T0 + 3]);
    expect(starts).toEqual([T0, T0 + W, T0 + 2 * W, T0 + 3 * W]);
  });

  it('never lets the log outgrow one document: a deferral past MAX_RATE_LIMIT_LOG entries is refused', () => {
    const big: ResolvedRateLimitTier = { ...deferring, limit: MAX_RATE_LIMIT_LOG / 2, burst: MAX_RATE_LIMIT_LOG / 2, maxDeferMs: 1e9 };
    const full = rateLimitDocSchema.parse({ ...evaluateRateLimit(null, T0, big, 'u1').next, recent: Array.from({ length: MAX_RATE_LIMIT_LOG }, () => T0) });
    const d = evaluateRateLimit(full, T0 + 1, big, 'u1');
    expect(d.allowed).toBe(false);
    expect(d.retryAfterMs).toBe(W - 1);
  });

  it('keeps the window promise for the booked starts and one user\'s order (seeded random traffic)', () => {
    const random = seededRandom(7);
    let deferrals = 0;
    let refusals = 0;
    for (let trial = 0; trial < 40; trial++) {
      const windowMs = 1_000 + Math.floor(random() * 120_000);
      const t: ResolvedRateLimitTier = {
        name: 'x',
        limit: 1 + Math.floor(random() * 12),
        burst: Math.floor(random() * 6),
        windowMs,
        weight: 1,
        whenExceeded: 'defer',
        maxDeferMs: Math.max(1, Math.floor(windowMs * [0.3, 1, 4][Math.floor(random() * 3)]!)),
      };
      let state: RateLimitState | null = null;
      let now = T0;
      let lastStart = -Infinity;
      const starts: number[] = [];
      for (let step = 0; step < 250; step++) {
        // Bursts and lulls: mostly faster than the sustained rate, sometimes a long pause.
        now += random() < 0.05 ? Math.floor(random() * 3 * windowMs) : Math.floor(random() * (windowMs / t.limit) * 0.4);
        const reject = evaluateRateLimit(state, now, { ...t, whenExceeded: 'reject' }, 'u');
        const d = evaluateRateLimit(state, now, t, 'u');
        state = d.next;
        if (!d.allowed) {
          refusals++;
          expect(reject.retryAfterMs).toBeGreaterThan(t.maxDeferMs);
          expect(d.retryAfterMs).toBe(reject.retryAfterMs);
          continue;
        }
        const start = d.deferredUntil ?? now;
        if (d.deferredUntil !== null) {
          deferrals++;
          // The first moment a refusal would have named, never more than maxDeferMs away.
          expect(d.deferredUntil).toBe(now + reject.retryAfterMs);
          expect(d.deferredUntil - now).toBeLessThanOrEqual(t.maxDeferMs);
        } else {
          expect(reject.allowed).toBe(true);
        }
        // One user's jobs start in the order they were sent.
        expect(start).toBeGreaterThanOrEqual(lastStart);
        lastStart = start;
        starts.push(start);
      }
      expectPromiseHolds(starts, t);
      expect(maxInAnyWindow(starts, t.windowMs)).toBeLessThanOrEqual(t.limit + t.burst);
    }
    expect(deferrals).toBeGreaterThan(100);
    expect(refusals).toBeGreaterThan(10);
  });

  it('unlimited tiers never defer', () => {
    const d = evaluateRateLimit(null, T0, { ...deferring, limit: 0, burst: 0 }, 'u1');
    expect(d).toMatchObject({ allowed: true, deferredUntil: null });
  });
});

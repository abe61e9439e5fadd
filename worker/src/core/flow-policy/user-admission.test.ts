import { describe, expect, it } from 'vitest';
import { rateLimitDocSchema } from '../../schema/flow.js';
import { resolveConfig } from '../../schema/config.js';
import { admitForUser } from './user-admission.js';
import type { RateLimitState } from './rate-limit.js';

const T0 = 1_700_000_000_000;
const config = resolveConfig({
  rateLimiting: { requestsPerMinute: 3, burstLimit: 1, whenExceeded: 'reject', tiers: { pro: { requestsPerMinute: 30, burstLimit: 0, weight: 4 } } },
  fairScheduling: { costMsPerJob: 1_000, costMsPerAudioSecond: 0 },
});
const deferring = resolveConfig({
  rateLimiting: { requestsPerMinute: 3, burstLimit: 1, tiers: { strict: { requestsPerMinute: 3, burstLimit: 1, whenExceeded: 'reject' } } },
  fairScheduling: { costMsPerJob: 1_000, costMsPerAudioSecond: 0, maxLagMs: 5_000 },
});

describe('admitForUser', () => {
  it('admits, ranks fairly, and refuses with retry-after once the limit is spent', () => {
    let state: RateLimitState | null = null;
    const ranks: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = admitForUser(state, T0, { userId: 'u', tier: 'free', priority: 'normal', audioSeconds: 10 }, config);
      expect(a.allowed).toBe(true);
      if (a.allowed) ranks.push(a.rank);
      state = rateLimitDocSchema.parse(a.next);
    }
    expect(ranks).toEqual([0, 1, 2, 3].map((i) => T0 + config.priorityAgingMs.normal + i * 1_000));
    const refused = admitForUser(state, T0 + 5, { userId: 'u', tier: 'free', priority: 'normal', audioSeconds: 10 }, config);
    expect(refused.allowed).toBe(false);
    expect(refused.rank).toBeNull();
    expect(refused.retryAfterMs).toBe(60_000 - 5);
    // A refusal does not move the user's virtual time.
    expect(refused.next.virtualTime).toBe(state?.virtualTime);
  });

  it('uses the tier weight for fair share and stores it', () => {
    const a = admitForUser(null, T0, { userId: 'p', tier: 'pro', priority: 'urgent', audioSeconds: null }, config);
    expect(a.allowed && a.next.virtualTime).toBe(T0 + 250);
    expect(a.next.weight).toBe(4);
    expect(a.next.limit).toBe(30);
  });

  it('falls back to plain aging ranks when fair scheduling is off', () => {
    const off = resolveConfig({ fairScheduling: { enabled: false } });
    let state: RateLimitState | null = null;
    for (let i = 0; i < 3; i++) {
      const a = admitForUser(state, T0 + i, { userId: 'u', tier: 'x', priority: 'low', audioSeconds: 5 }, off);
      expect(a.rank).toBe(T0 + i + off.priorityAgingMs.low);
      state = a.next;
    }
  });

  it('over the limit by default it defers: admitted to start when the window allows, ranked from then', () => {
    let state: RateLimitState | null = null;
    for (let i = 0; i < 4; i++) state = admitForUser(state, T0, { userId: 'u', tier: 'free', priority: 'normal', audioSeconds: 10 }, deferring).next;
    const queueHead = { rank: T0 - 60_000 + deferring.priorityAgingMs.normal, priority: 'normal' as const };
    const deferred = admitForUser(state, T0 + 5, { userId: 'u', tier: 'free', priority: 'normal', audioSeconds: 10 }, deferring, { head: queueHead });
    expect(deferred).toMatchObject({ allowed: true, deferredUntil: T0 + 60_000, retryAfterMs: 0, remaining: 0 });
    // Ranked as a job admitted at its start: a stale head cannot pull it ahead of the start's maxLag.
    expect(deferred.rank).toBe(T0 + 60_000 - 5_000 + deferring.priorityAgingMs.normal);
    expect(deferred.next.virtualTime).toBe(T0 + 60_000 - 5_000 + 1_000);
    expect(deferred.next.recent.at(-1)).toBe(T0 + 60_000);
    expect(deferred.next.rejected).toBe(0);
    // A tier may keep refusing.
    let strict: RateLimitState | null = null;
    for (let i = 0; i < 4; i++) strict = admitForUser(strict, T0, { userId: 's', tier: 'strict', priority: 'normal', audioSeconds: 10 }, deferring).next;
    expect(admitForUser(strict, T0, { userId: 's', tier: 'strict', priority: 'normal', audioSeconds: 10 }, deferring)).toMatchObject({ allowed: false, deferredUntil: null, retryAfterMs: 60_000 });
  });

  it('a deferred job without fair scheduling ranks at its start plus the aging offset', () => {
    const off = resolveConfig({ rateLimiting: { requestsPerMinute: 1, burstLimit: 0 }, fairScheduling: { enabled: false } });
    const first = admitForUser(null, T0, { userId: 'u', tier: 'x', priority: 'high', audioSeconds: 5 }, off);
    const second = admitForUser(first.next, T0 + 10, { userId: 'u', tier: 'x', priority: 'high', audioSeconds: 5 }, off);
    expect(second).toMatchObject({ allowed: true, deferredUntil: T0 + 60_000, rank: T0 + 60_000 + off.priorityAgingMs.high });
  });
});

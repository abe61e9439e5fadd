import type { WorkerConfig } from '../../schema/config.js';
import type { Priority } from '../../schema/job.js';
import { estimateJobCostMs, fairRank, plainRank, systemVirtualTime, type QueueHead } from './fair-share.js';
import { evaluateRateLimit, resolveRateLimitTier, type RateLimitState } from './rate-limit.js';

/**
 * The per-user part of the admission transaction in one pure call: rate limit first, then
 * (only for an admitted job) the fair-share rank. Read `transcription_rate_limits/{userId}`,
 * call this, write `next` (and the job with `rank`) in the same transaction.
 *
 * Over the limit under `whenExceeded: 'defer'` the job is admitted with `deferredUntil`: it
 * waits (status `waiting`, availableAt = deferredUntil) and is ranked as if admitted then, so
 * it does not jump ahead of the jobs others queue meanwhile.
 */
export interface UserAdmissionInput {
  userId: string;
  tier: string;
  priority: Priority;
  audioSeconds: number | null;
}

export type UserAdmission =
  | {
      allowed: true;
      rank: number;
      /** Booked start when the limit deferred the job (> now), else null: it is claimable now. */
      deferredUntil: number | null;
      remaining: number;
      resetAt: number;
      retryAfterMs: 0;
      next: RateLimitState;
    }
  | {
      allowed: false;
      rank: null;
      deferredUntil: null;
      remaining: number;
      resetAt: number;
      /** Wait before the same user can be admitted again (for the RATE_LIMITED rejection). */
      retryAfterMs: number;
      next: RateLimitState;
    };

export type UserAdmissionConfig = Pick<WorkerConfig, 'rateLimiting' | 'fairScheduling' | 'priorityAgingMs'>;

/**
 * `queue.head`: the lowest-ranked claimable job as last seen (a cached query is fine; null =
 * empty or unknown). It anchors a newcomer's fair-share start; see `fair-share`.
 */
export function admitForUser(
  state: RateLimitState | null,
  now: number,
  input: UserAdmissionInput,
  config: UserAdmissionConfig,
  queue: { head: QueueHead | null } = { head: null },
): UserAdmission {
  const tier = resolveRateLimitTier(config.rateLimiting, input.tier);
  const decision = evaluateRateLimit(state, now, tier, input.userId);
  if (!decision.allowed) {
    return {
      allowed: false,
      rank: null,
      deferredUntil: null,
      remaining: decision.remaining,
      resetAt: decision.resetAt,
      retryAfterMs: decision.retryAfterMs,
      next: decision.next,
    };
  }
  // A deferred job is ranked as a job admitted at its start.
  const startAt = decision.deferredUntil ?? now;
  if (!config.fairScheduling.enabled) {
    return {
      allowed: true,
      rank: plainRank(startAt, input.priority, config.priorityAgingMs),
      deferredUntil: decision.deferredUntil,
      remaining: decision.remaining,
      resetAt: decision.resetAt,
      retryAfterMs: 0,
      next: { ...decision.next, weight: tier.weight },
    };
  }
  const fair = fairRank(decision.next.virtualTime, {
    now: startAt,
    // For a deferral the head as seen now, clamped to the start's [t - maxLag, t].
    systemVirtualTime: systemVirtualTime(queue.head, startAt, config.priorityAgingMs, config.fairScheduling.maxLagMs),
    priority: input.priority,
    agingMs: config.priorityAgingMs,
    costMs: estimateJobCostMs(input.audioSeconds, config.fairScheduling),
    weight: tier.weight,
    maxLeadMs: config.fairScheduling.maxLeadMs,
  });
  return {
    allowed: true,
    rank: fair.rank,
    deferredUntil: decision.deferredUntil,
    remaining: decision.remaining,
    resetAt: decision.resetAt,
    retryAfterMs: 0,
    next: { ...decision.next, virtualTime: fair.virtualTime, weight: tier.weight },
  };
}

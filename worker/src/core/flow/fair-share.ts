import type { WorkerConfig } from '../../schema/config.js';
import type { Priority } from '../../schema/job.js';

/**
 * Fair scheduling by user, decided once at admission and carried in the job's `rank`.
 *
 * Start-time fair queuing on a virtual clock (VirtualClock / SFQ family): every user has a
 * virtual time V_u (epoch-ms scale, stored in their rate-limit document). A job admitted at
 * `now` starts at S = max(now, V_u), gets rank = S + agingOffset(priority), and advances
 * V_u to S + cost / weight.
 *
 * Why this shape:
 *  - Workers claim in ascending rank with a plain indexed query, so fairness needs no central
 *    scheduler and no hot document: the only write is to the submitting user's own document,
 *    which admission writes anyway for the rate limit.
 *  - A user who queues 1,000 jobs at once gets ranks spread over 1,000 x cost / weight of
 *    virtual time; a user arriving later starts at `now`, so their job overtakes the heavy
 *    user's backlog. With several backlogged users, ranks interleave in proportion to tier
 *    weights: each gets capacity in proportion to its weight.
 *  - Work-conserving: ranks only ORDER claims. Nothing ever waits for its virtual time; when
 *    only the heavy user has work, every free slot takes their next job.
 *  - max(now, V_u): an idle user does not bank credit for later bursts.
 *  - The VirtualClock weakness (a user who used idle capacity runs ahead of `now` and then
 *    yields to others) is bounded by `maxLeadMs`: V_u never starts more than that ahead of now.
 *    Jobs beyond the lead share the bound's rank and keep the claim query's tie-break order.
 *  - Priority keeps its meaning: the aging offsets still separate priorities by their offset,
 *    so an urgent job beats a normal job unless its user is more than (60 s - 0) of virtual
 *    cost ahead.
 */

export type FairShareConfig = WorkerConfig['fairScheduling'];

export interface FairRankInput {
  now: number;
  priority: Priority;
  /** Aging offsets per priority (config `priorityAgingMs`). */
  agingMs: Readonly<Record<Priority, number>>;
  /** Virtual cost of this job (see `estimateJobCostMs`). */
  costMs: number;
  /** Tier weight (> 0); a weight-2 user gets twice the share of a weight-1 user. */
  weight: number;
  maxLeadMs: number;
}

export interface FairRank {
  /** Claim order key: lower is claimed first. */
  rank: number;
  /** Virtual start time S of this job. */
  start: number;
  /** The user's new virtual time, to store in their rate-limit document. */
  virtualTime: number;
}

/** Virtual cost of a job: a fixed part plus a part proportional to its audio length. */
export function estimateJobCostMs(audioSeconds: number | null, config: FairShareConfig): number {
  const seconds = audioSeconds !== null && Number.isFinite(audioSeconds) && audioSeconds >= 0
    ? audioSeconds
    : config.defaultAudioSeconds;
  return config.costMsPerJob + config.costMsPerAudioSecond * seconds;
}

/**
 * Rank for one admitted job and the user's next virtual time. `virtualTime` is the user's
 * stored V_u (null for a first admission).
 */
export function fairRank(virtualTime: number | null, input: FairRankInput): FairRank {
  if (!(input.weight > 0) || !Number.isFinite(input.weight)) {
    throw new RangeError(`fair-share weight must be a positive number, got ${input.weight}`);
  }
  if (!(input.costMs >= 0) || !Number.isFinite(input.costMs)) {
    throw new RangeError(`fair-share cost must be a non-negative number, got ${input.costMs}`);
  }
  const current = virtualTime !== null && Number.isFinite(virtualTime) ? virtualTime : -Infinity;
  const start = Math.min(Math.max(input.now, current), input.now + input.maxLeadMs);
  return {
    rank: start + input.agingMs[input.priority],
    start,
    virtualTime: start + input.costMs / input.weight,
  };
}

/** Rank without fair sharing (fairness disabled): admission time + the aging offset. */
export function plainRank(now: number, priority: Priority, agingMs: Readonly<Record<Priority, number>>): number {
  return now + agingMs[priority];
}

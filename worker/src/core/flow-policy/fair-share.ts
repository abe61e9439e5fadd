import type { WorkerConfig } from '../../schema/config.js';
import type { Priority } from '../../schema/job.js';

/**
 * Fair scheduling by user, decided once at admission and carried in the job's `rank`.
 *
 * Start-time fair queuing (SFQ): every user has a virtual time V_u (epoch-ms scale, stored in
 * their rate-limit document). A job admitted at `now` starts at S = max(v, V_u), gets
 * rank = S + agingOffset(priority), and advances V_u to S + cost / weight. The system virtual
 * time v is the start tag of the job at the head of the queue (what the fleet serves next),
 * clamped to [now - maxLagMs, now]; with an empty queue, v = now.
 *
 * Why this shape:
 *  - Workers claim in ascending rank with a plain indexed query, so fairness needs no central
 *    scheduler and no hot document: the only write is to the submitting user's own document,
 *    which admission writes anyway for the rate limit.
 *  - A user who queues 1,000 jobs at once gets starts spread over 1,000 x cost / weight. A user
 *    arriving later starts at the head of the queue, so their job is next, and after that the
 *    two interleave in proportion to their tier weights: each backlogged user gets capacity in
 *    proportion to its weight.
 *  - Starting newcomers at the queue head (not at the wall clock) makes fairness independent of
 *    how well `cost` matches the fleet's real speed: if the fleet drains slower than the
 *    virtual clock runs, a wall-clock start would put a newcomer behind most of an old
 *    backlog. `cost` only sets the RATIO between users.
 *  - Work-conserving: ranks only ORDER claims. Nothing waits for its virtual time; when only
 *    one user has work, every free slot takes their next job.
 *  - max(v, V_u): an idle user banks no credit for later bursts.
 *  - Priority keeps its meaning through the aging offsets, and low priority cannot starve:
 *    v is never more than `maxLagMs` behind now, so after offset(low) + maxLagMs every new job
 *    ranks behind a waiting low job. A user far ahead (V_u beyond now + maxLeadMs) is clamped
 *    there, which bounds how long a user who used idle capacity yields to others.
 */

export type FairShareConfig = WorkerConfig['fairScheduling'];

/** The job at the head of the claimable queue (lowest rank), as admission last saw it. */
export interface QueueHead {
  rank: number;
  priority: Priority;
}

/** SFQ's system virtual time: the head's start tag, within [now - maxLagMs, now]. */
export function systemVirtualTime(
  head: QueueHead | null,
  now: number,
  agingMs: Readonly<Record<Priority, number>>,
  maxLagMs: number,
): number {
  if (!head || !Number.isFinite(head.rank)) return now;
  const headStart = head.rank - agingMs[head.priority];
  return Math.min(now, Math.max(now - maxLagMs, headStart));
}

export interface FairRankInput {
  now: number;
  /** System virtual time (see `systemVirtualTime`); defaults to `now`. */
  systemVirtualTime?: number;
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
  const base = input.systemVirtualTime ?? input.now;
  const start = Math.min(Math.max(base, current), input.now + input.maxLeadMs);
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

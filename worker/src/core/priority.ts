import type { Priority } from '../schema/job.js';

export type PriorityAging = Record<Priority, number>;

/**
 * Claim order key: workers take `queued` jobs in ascending rank. rank = admission time + the
 * priority's aging offset (+ the user's fair-share lead), so an urgent job admitted now
 * beats a low one admitted up to (offset(low) - offset(urgent)) ms ago, and any older low
 * job wins: priority rules while jobs are young, age afterwards, nothing starves.
 */
export function computeRank(args: { admittedAt: number; priority: Priority; aging: PriorityAging; fairShareLeadMs?: number }): number {
  return args.admittedAt + args.aging[args.priority] + (args.fairShareLeadMs ?? 0);
}

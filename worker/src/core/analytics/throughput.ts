import type { RollupCounters } from '../../schema/analytics.js';

/**
 * THE definition of throughput, used by every view that shows one (the console's Overview
 * and Analytics, the leader's stats document): completed jobs (succeeded + failed +
 * dead-lettered) per minute over a stated window [from, to).
 *
 * Two figures for "the same period" disagreed (Overview ~62/min, Analytics 28.87) because
 * each view had its own: the leader divided the last 5 minutes' jobs by the fleet's uptime,
 * Analytics divided 15 minutes' jobs by 15 whole minutes although its window ended in the
 * current, unfinished minute. Here the window is stated and the divisor is its real length.
 */
export interface ThroughputWindow {
  /** Inclusive start (ms), normally a bucket start. */
  from: number;
  /** Exclusive end (ms), normally "now": the current bucket counts for the part that has passed. */
  to: number;
}

export interface Throughput {
  /** Completed jobs in the window's buckets. */
  completed: number;
  /** Completed jobs per minute of the window; 0 for an empty or inverted window. */
  perMin: number;
  window: ThroughputWindow;
}

const MINUTE_MS = 60_000;

/** A window shorter than this is measured as this long (a rate over 50 ms would be noise). */
export const MIN_THROUGHPUT_SPAN_MS = 1_000;

/** Jobs that reached an end state (a cancel is an operator's decision, not work done). */
export function completedJobs(c: Pick<RollupCounters, 'succeeded' | 'failed' | 'deadLettered'>): number {
  return c.succeeded + c.failed + c.deadLettered;
}

export function throughputPerMin(completed: number, window: ThroughputWindow): number {
  const span = window.to - window.from;
  if (!(span > 0) || completed <= 0) return 0;
  return completed / (Math.max(MIN_THROUGHPUT_SPAN_MS, span) / MINUTE_MS);
}

/**
 * Throughput from rollup buckets (minute or hour rollups, or a server's partials): a bucket
 * counts when it starts inside the window. Pass bucket-aligned windows: a bucket that starts
 * before `from` is left out whole, never apportioned.
 */
export function rollupThroughput(
  buckets: readonly { periodStart: number; counters: Pick<RollupCounters, 'succeeded' | 'failed' | 'deadLettered'> }[],
  window: ThroughputWindow,
): Throughput {
  let completed = 0;
  for (const b of buckets) {
    if (b.periodStart >= window.from && b.periodStart < window.to) completed += completedJobs(b.counters);
  }
  return { completed, perMin: throughputPerMin(completed, window), window };
}

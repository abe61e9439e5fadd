import type { UpstreamWindow } from '../../schema/coordination.js';
import { sumWindows } from './outcome-window.js';

/**
 * The leader's rolling view of the fleet: report deltas stamped with the time the leader saw
 * them, kept for one window. Pure and in memory: a new leader starts empty and is fully
 * informed after one window (the servers' own streak trips cover the gap).
 */
export interface FleetHistory {
  entries: { at: number; delta: UpstreamWindow }[];
  /** Outcomes before this are ignored (the breaker's last transition, or when we started looking). */
  since: number;
}

/** A history that starts collecting at `since` (a new leader passes its first tick's time). */
export function emptyHistory(since: number): FleetHistory {
  return { entries: [], since };
}

export function pushDeltas(history: FleetHistory, at: number, deltas: readonly UpstreamWindow[], windowMs: number): FleetHistory {
  const kept = history.entries.filter((e) => e.at > at - windowMs && e.at >= history.since);
  for (const delta of deltas) if (delta.calls > 0) kept.push({ at, delta });
  return { ...history, entries: kept };
}

/** Forget everything before `since` (called on breaker transitions). */
export function restartHistory(history: FleetHistory, since: number): FleetHistory {
  if (since <= history.since) return history;
  return { entries: history.entries.filter((e) => e.at >= since), since };
}

/** Totals over the last `windowMs` since `since`; `windowStart` tells how much time that covers. */
export function historyTotals(history: FleetHistory, now: number, windowMs: number): UpstreamWindow {
  const start = Math.max(history.since, now - windowMs);
  return sumWindows(
    history.entries.filter((e) => e.at > now - windowMs && e.at >= history.since).map((e) => e.delta),
    start,
  );
}

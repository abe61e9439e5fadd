import { PRIORITIES, type Priority } from '../schema/job.js';

/**
 * Queue positions and ETAs without a hot path. Writing every queued job's position on every
 * dequeue would cost O(queue) writes per job; instead the leader recomputes the positions
 * of the head of the queue now and then and writes one only when it crosses a bucket
 * boundary (0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, ...) or when the ETA a client shows
 * has drifted by more than ~20%. A job moving from position n to the head crosses O(log n)
 * boundaries, so it gets O(log n) position writes. Between writes clients count down
 * (`refinePosition`). Pure functions; times are epoch ms.
 *
 * `position` is the number of claimable jobs ahead (0 = next); the ETA is the wait until
 * the job starts: (jobs ahead + 1) completions at the fleet's observed completion rate.
 */

/** Bucket floor of a position: 0, 1, 2, 3, then 5, 10, 20, 50, 100, 200, 500, ... */
export function positionBucket(ahead: number): number {
  const n = Math.max(0, Math.floor(ahead));
  if (n < 5) return Math.min(n, 3);
  let floor = 5;
  for (let decade = 10; ; decade *= 10) {
    if (n < decade) return floor;
    if (n < 2 * decade) return decade;
    if (n < 5 * decade) return 2 * decade;
    floor = 5 * decade;
  }
}

/** What the stats document says about the fleet's pace (`QueueStatsDoc` fields). */
export interface FleetPace {
  /** Completions per minute over the last few minutes. */
  throughputPerMin: number;
  fleetConcurrency: number;
  avgServiceMs: number | null;
}

/** Service time assumed per job and lane before anything has completed. */
export const PRIOR_SERVICE_MS = 5_000;

/**
 * Jobs the fleet starts per ms while there is a backlog: the observed completion rate (each
 * completion frees a lane for the head of the queue). Before anything completed (a new
 * fleet, a long outage), a prior: each lane takes the mean service time, else 5 s.
 */
export function drainPerMs(pace: FleetPace | null, fallbackConcurrency: number): number {
  if (pace && pace.throughputPerMin > 0) return pace.throughputPerMin / 60_000;
  const lanes = Math.max(1, pace?.fleetConcurrency || fallbackConcurrency);
  return lanes / (pace?.avgServiceMs ?? PRIOR_SERVICE_MS);
}

/** Estimated wait until a job with `ahead` claimable jobs before it starts. */
export function estimateWaitMs(ahead: number, perMs: number): number {
  return Math.round((Math.max(0, ahead) + 1) / perMs);
}

/** The position fields of a job document. */
export interface PositionMark {
  position: number | null;
  estimatedWaitMs: number | null;
  positionAt: number | null;
}

export const ETA_TOLERANCE = 0.2;
/** ETA differences below this never justify a write (near the head, 20% is seconds). */
export const ETA_FLOOR_MS = 5_000;

/** The ETA a client shows for a stored mark at `now`: the estimate counted down. */
export function shownWaitMs(mark: PositionMark, now: number): number | null {
  if (mark.estimatedWaitMs === null) return null;
  return Math.max(0, mark.estimatedWaitMs - Math.max(0, now - (mark.positionAt ?? now)));
}

export type PositionWriteReason = 'new' | 'bucket' | 'eta';

/**
 * Why the leader should write `next` over `stored`, or null to leave the job alone: it has
 * no position yet, its position crossed a bucket boundary (either way), or the wait a
 * client shows (the stored estimate counted down) is more than 20% (and 5 s) off.
 */
export function positionWriteReason(
  stored: PositionMark,
  next: { position: number; estimatedWaitMs: number | null },
  now: number,
): PositionWriteReason | null {
  if (stored.position === null || stored.positionAt === null) return 'new';
  if (positionBucket(stored.position) !== positionBucket(next.position)) return 'bucket';
  const shown = shownWaitMs(stored, now);
  if ((shown === null) !== (next.estimatedWaitMs === null)) return 'eta';
  if (shown !== null && next.estimatedWaitMs !== null) {
    const diff = Math.abs(next.estimatedWaitMs - shown);
    if (diff > Math.max(ETA_TOLERANCE * Math.max(next.estimatedWaitMs, shown), ETA_FLOOR_MS)) return 'eta';
  }
  return null;
}

/** One queued job at the head, in claim (rank) order, with what is stored on it. */
export interface HeadJob extends PositionMark {
  id: string;
  priority: Priority;
}

export interface PositionUpdate {
  id: string;
  position: number;
  estimatedWaitMs: number | null;
  reason: PositionWriteReason;
}

/**
 * Positions of the head of the queue (claim order) and the writes they call for. Jobs of
 * paused priorities are not claimed, so they count for nobody's position and get no ETA
 * (their position is where they stand among the others).
 */
export function headPositionUpdates(
  head: readonly HeadJob[],
  args: { paused: readonly Priority[]; perMs: number; now: number },
): PositionUpdate[] {
  const paused = new Set<Priority>(args.paused);
  const updates: PositionUpdate[] = [];
  let ahead = 0;
  for (const job of head) {
    const held = paused.has(job.priority);
    const next = { position: ahead, estimatedWaitMs: held ? null : estimateWaitMs(ahead, args.perMs) };
    const reason = positionWriteReason(job, next, args.now);
    if (reason) updates.push({ id: job.id, ...next, reason });
    if (!held) ahead += 1;
  }
  return updates;
}

/** Paused priorities from the stats document's mirror of the controls. */
export function pausedFromStats(stats: { paused: boolean; pausedPriorities: readonly Priority[] } | null): Priority[] {
  if (!stats) return [];
  return stats.paused ? [...PRIORITIES] : PRIORITIES.filter((p) => stats.pausedPriorities.includes(p));
}

/**
 * What a client shows between the leader's writes: the stored position counted down at the
 * fleet's completion rate, never below the stored bucket's floor (had the job crossed it,
 * the leader would have written) unless that floor lies beyond the leader's window (the
 * job gets its first write there). The wait is the stored estimate counted down.
 */
export function refinePosition(
  mark: PositionMark,
  args: { now: number; throughputPerMin: number; positionWindow: number },
): { position: number | null; estimatedWaitMs: number | null } {
  if (mark.position === null) return { position: null, estimatedWaitMs: mark.estimatedWaitMs };
  const elapsed = Math.max(0, args.now - (mark.positionAt ?? args.now));
  const served = Math.floor((elapsed * args.throughputPerMin) / 60_000);
  // Inside the window the leader writes at every bucket crossing; a job further back gets
  // its first write when it enters the window, or at the next crossing inside it.
  const floor = Math.min(positionBucket(mark.position), args.positionWindow);
  return { position: Math.max(floor, mark.position - served), estimatedWaitMs: shownWaitMs(mark, args.now) };
}

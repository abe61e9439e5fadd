import { PRIORITIES, type Priority, type QueueStatsDoc } from '@fq/worker/schema';

/** The queue's public figures, as an end user sees them. */
export interface QueueStatsView {
  queued: number;
  inFlight: number;
  throughputPerMin: number;
  /** Succeeded / finished over the leader's recent window (null before any job finished). */
  successRate: number | null;
  avgServiceMs: number | null;
  activeServers: number;
  /** An operator paused the whole queue: nothing starts until it resumes. */
  paused: boolean;
  /** Priorities whose jobs do not start now (every priority while `paused`). */
  pausedPriorities: Priority[];
}

/**
 * The stats document carries the pause switches (mirrored by the leader from the controls
 * document, which end users may not read), so one listener answers everything here.
 */
export function statsView(doc: QueueStatsDoc | null): QueueStatsView | null {
  if (!doc) return null;
  return {
    queued: Object.values(doc.queuedByPriority).reduce((a, b) => a + b, 0),
    inFlight: doc.inFlight,
    throughputPerMin: doc.throughputPerMin,
    successRate: doc.successRate,
    avgServiceMs: doc.avgServiceMs,
    activeServers: doc.activeServers,
    paused: doc.paused,
    pausedPriorities: doc.paused ? [...PRIORITIES] : PRIORITIES.filter((p) => doc.pausedPriorities.includes(p)),
  };
}

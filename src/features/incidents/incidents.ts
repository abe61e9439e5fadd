import type { BreakerDoc, BreakerState, QueueStatsDoc } from '@fq/worker/schema';

export interface BreakerIncident {
  model: string;
  state: Exclude<BreakerState, 'closed'>;
  /** When it left closed: the opening, not the latest open/half-open flip of its probes. */
  since: number;
  /** Opened by an operator (force open) rather than by failures. */
  forced: boolean;
}

/**
 * The breakers that make an incident: open or half-open, oldest first. A breaker flapping
 * between open and half-open while its probes fail is one incident that started when it
 * opened (`openedAt`), which is what "since" must say; `since` (the last transition) is the
 * fallback for a document without it.
 */
export function breakerIncidents(breakers: readonly Pick<BreakerDoc, 'model' | 'state' | 'since' | 'openedAt' | 'override'>[]): BreakerIncident[] {
  return breakers
    .filter((b): b is typeof b & { state: BreakerIncident['state'] } => b.state !== 'closed')
    .map((b) => ({ model: b.model, state: b.state, since: b.openedAt ?? b.since, forced: b.override === 'force_open' }))
    .sort((a, b) => a.since - b.since || a.model.localeCompare(b.model));
}

/** Dead-lettered jobs by the leader's latest count; null before the first stats document. */
export function deadLetterCount(stats: Pick<QueueStatsDoc, 'byStatus'> | null): number | null {
  return stats ? stats.byStatus.dead_lettered : null;
}

/** Where the dead-letter count leads: the job list filtered to dead letters. */
export const DEAD_LETTERS_PATH = '/queues?status=dead_lettered';

import type { AlertEventDoc } from '@fq/worker/schema';
import type { Row } from '../../data/rows';

export interface FiringAlert {
  id: string;
  event: AlertEventDoc;
}

/**
 * What is firing, as far as the feed's newest events show: per alert key, its newest event,
 * kept when that says firing. Read from the one listener the page already has (no read of
 * the state document); an alert that fired before the newest events and never resolved would
 * be missed, which the page says.
 */
export function firingFromFeed(rows: readonly Row<AlertEventDoc>[]): FiringAlert[] {
  const newest = new Map<string, FiringAlert>();
  for (const r of rows) {
    if (!r.ok) continue;
    const seen = newest.get(r.data.key);
    if (!seen || r.data.at > seen.event.at) newest.set(r.data.key, { id: r.id, event: r.data });
  }
  return [...newest.values()].filter((a) => a.event.status === 'firing').sort((a, b) => a.event.firingSince - b.event.firingSince);
}

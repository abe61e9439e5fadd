import { specs } from '../../data/queries';

/**
 * What the console shell listens to on every page for its incident strip: the open and
 * half-open breakers (a filtered query, so the leader's window summaries on closed breakers
 * cost it nothing) and the queue stats document (dead letters), which the Overview and every
 * control button already listen to: the bridge shares one listener per key. Shared with the
 * read-cost benchmark.
 */
export function shellSpecs() {
  return {
    breakersNotClosed: specs.breakersNotClosed(),
    stats: specs.queueStats(),
  };
}

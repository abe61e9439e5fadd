import { specs } from '../../data/queries';
import { RANGE_SPECS, rollupLimit } from '../analytics/series';

/**
 * Everything the Overview page listens to: small state documents only (queue stats,
 * controls, breakers, servers, leader lease, the latest minute rollups). Shared with the
 * read-cost benchmark so it measures exactly what the page opens.
 */
export function overviewSpecs() {
  return {
    stats: specs.queueStats(),
    controls: specs.controls(),
    breakers: specs.breakers(),
    servers: specs.servers(),
    leader: specs.leader(),
    rollups: specs.rollups('minute', rollupLimit(RANGE_SPECS['15m'])),
  };
}

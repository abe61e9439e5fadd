import { specs } from '../../data/queries';
import { RANGE_SPECS, rollupLimit } from '../analytics/series';

/**
 * Everything the Overview page listens to: small state documents only (queue stats, which
 * carry the leader's fleet summary, controls, breakers, leader lease, the latest minute
 * rollups). No server document: each heartbeat of each server would cost a read. Shared with
 * the read-cost benchmark so it measures exactly what the page opens.
 */
export function overviewSpecs() {
  return {
    stats: specs.queueStats(),
    controls: specs.controls(),
    breakers: specs.breakers(),
    leader: specs.leader(),
    rollups: specs.rollups('minute', rollupLimit(RANGE_SPECS['15m'])),
  };
}

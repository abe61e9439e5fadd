import type { FleetServer, QueueStatsDoc } from '@fq/worker/schema';

/**
 * The fleet as the leader publishes it in the stats document (`fleet`, see
 * `fleetSummarySchema`): which servers there are and their state, by the leader's verdict (a
 * silent server is `lost` once the leader declares it so). Pages that need no per-server load
 * read this instead of the server documents, whose every heartbeat costs each open page a
 * read. Null when the leader has not published a summary yet (an older worker).
 */
export function fleetOf(stats: Pick<QueueStatsDoc, 'fleet'> | null): FleetServer[] | null {
  return stats?.fleet?.servers ?? null;
}

/** The servers taking part in the fleet: active or draining (stopped and lost ones do not). */
export function liveFleetServers(servers: readonly FleetServer[]): FleetServer[] {
  return servers.filter((s) => s.state === 'active' || s.state === 'draining');
}

import type { FleetServer, FleetSummary } from '../../schema/analytics.js';
import type { ServerDoc } from '../../schema/coordination.js';

/**
 * The fleet summary the stats duty publishes (see `fleetSummarySchema`): the servers it read
 * anyway for the stats, each by id, state, version, start and route, sorted by id. Load and
 * heartbeat times are left out on purpose: they change on every heartbeat, and the summary
 * must change only when a server joins, leaves or changes state. `changedAt` is kept from
 * `previous` while the list is the same.
 */
export function fleetSummaryOf(seen: readonly ServerDoc[], previous: FleetSummary | null, now: number): FleetSummary {
  const servers = fleetServersOf(seen);
  return { servers, changedAt: previous !== null && sameServers(previous.servers, servers) ? previous.changedAt : now };
}

/** Whether `seen` would change the published summary (a server joined, left or changed state). */
export function fleetChanged(seen: readonly ServerDoc[], published: FleetSummary): boolean {
  return !sameServers(published.servers, fleetServersOf(seen));
}

function fleetServersOf(seen: readonly ServerDoc[]): FleetServer[] {
  return seen
    .map((s) => ({ serverId: s.serverId, state: s.state, version: s.version, startedAt: s.startedAt, routing: s.routing ?? null }))
    .sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
}

function sameServers(a: readonly FleetServer[], b: readonly FleetServer[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

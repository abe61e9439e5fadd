import { routePlanFromBreakers, type RoutePlan } from '@fq/worker/core';
import type { BreakerDoc, FleetServer, ServerRouting } from '@fq/worker/schema';

/** One routing configuration in use by the live fleet, and where it sends jobs right now. */
export interface FleetRoute {
  routing: ServerRouting;
  /** Live servers started with this routing (a rolling deploy can run two at once). */
  servers: string[];
  plan: RoutePlan;
}

export interface FleetRoutes {
  routes: FleetRoute[];
  /** Live servers whose document carries no routing (workers older than the field). */
  unreported: string[];
}

function keyOf(r: ServerRouting): string {
  return JSON.stringify([r.model, r.fallbackModel, r.fallbackPriorities]);
}

/**
 * The fleet's active routes: each distinct routing of the live servers of the leader's fleet
 * summary (active or draining: a silent server is `lost` there once the leader says so),
 * judged against the breaker documents the way the workers judge them (`routePlan`). `now`
 * is Firestore time.
 */
export function fleetRoutes(servers: readonly FleetServer[], breakers: readonly BreakerDoc[], now: number): FleetRoutes {
  const byModel = new Map(breakers.map((b) => [b.model, b]));
  const groups = new Map<string, FleetRoute>();
  const unreported: string[] = [];
  for (const s of servers) {
    if (s.state !== 'active' && s.state !== 'draining') continue;
    if (!s.routing) {
      unreported.push(s.serverId);
      continue;
    }
    const key = keyOf(s.routing);
    const group = groups.get(key);
    if (group) group.servers.push(s.serverId);
    else groups.set(key, { routing: s.routing, servers: [s.serverId], plan: routePlanFromBreakers(s.routing, byModel, now) });
  }
  const routes = [...groups.values()].sort((a, b) => b.servers.length - a.servers.length || a.routing.model.localeCompare(b.routing.model));
  for (const r of routes) r.servers.sort();
  return { routes, unreported: unreported.sort() };
}

/** "urgent, high" */
export function listPriorities(priorities: readonly string[]): string {
  return priorities.length === 0 ? 'none' : priorities.join(', ');
}

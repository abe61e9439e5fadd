import type { ServerDoc, ServerLiveness } from '../../schema/coordination.js';

/**
 * Store time after which a server that has not heartbeated counts as gone. `serverTimeoutMs`
 * is sized for the configured `heartbeatIntervalMs`; a server that advertised a longer (idle)
 * interval in its document gets the difference on top, so an idle server is never declared
 * lost for keeping the cadence it announced (see `heartbeatPlan`).
 */
export function heartbeatDeadline(server: Pick<ServerDoc, 'heartbeatAt' | 'heartbeatIntervalMs'>, liveness: ServerLiveness): number {
  return server.heartbeatAt + liveness.serverTimeoutMs + Math.max(0, server.heartbeatIntervalMs - liveness.heartbeatIntervalMs);
}

/**
 * The one staleness rule, for every judge of a server's liveness: the leader declaring it
 * lost (and reclaiming its jobs), the flow leader leaving it out of the fleet's budget and
 * breaker window, the stats API, and the console. A server is stale once `now` (store time,
 * or a browser's estimate of it) is past its heartbeat deadline, or once the leader has
 * declared it lost. `liveness` is the fleet's configuration (`serverCoordination`), which the
 * leader publishes in the stats document for the console.
 */
export function isServerStale(server: Pick<ServerDoc, 'state' | 'heartbeatAt' | 'heartbeatIntervalMs'>, liveness: ServerLiveness, now: number): boolean {
  return server.state === 'lost' || now > heartbeatDeadline(server, liveness);
}

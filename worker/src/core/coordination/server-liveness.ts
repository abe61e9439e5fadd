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

/**
 * A server's heartbeat as a reader last fetched it, and when it read it (store time). Readers
 * that fetch server documents now and then instead of listening to them (the console's Servers
 * page, the embeddable monitor: a listener pays a read per heartbeat per open page) judge
 * liveness with the three functions below, so they all apply the one rule the same way.
 */
export interface ReadHeartbeat {
  heartbeatAt: number;
  heartbeatIntervalMs: number;
  readAt: number;
}

/**
 * `isServerStale` as of the read: a copy past its deadline but read before it proves nothing
 * (a heartbeat may have landed since; a reader polling every 30 s against a 20 s timeout would
 * flag every healthy server between two reads). A server is stale when a read made after its
 * deadline still showed the old heartbeat, or when the leader declared it lost.
 */
export function isStaleAsRead(state: ServerDoc['state'], heard: ReadHeartbeat, liveness: ServerLiveness, now: number): boolean {
  return isServerStale({ ...heard, state }, liveness, Math.min(heard.readAt, now));
}

/**
 * Whether a leader judges the servers' liveness now, so its verdicts (`lost` in the stats
 * document's fleet summary) reach readers: it holds an unexpired lease and the fleet is busy
 * (an idle fleet's leader stops its timed duties, the search for lost servers with them).
 */
export function leaderJudgesLiveness(lease: { holder: string | null; expiresAt: number; idle?: boolean } | null, now: number): boolean {
  return lease !== null && !lease.idle && lease.holder !== null && lease.expiresAt > now;
}

/**
 * When a polling reader should read one server's document again outside its regular poll
 * (store time; null: the poll, every `pollMs` (0: none), and the summary's changes are enough).
 * Only for a server the leader has not declared stopped or lost:
 * - its deadline passed since the last read and no leader judges (`judges` false): one read
 *   tells a dead server (stale at once) from a healthy one. While a leader judges, its verdict
 *   comes through the fleet summary within its maintenance interval, and healthy servers cost
 *   no read between polls (every copy passes its deadline between two of them);
 * - it was silent at the last read: read again after as long as it has been silent past its
 *   deadline (at least one heartbeat interval), so a frozen server that comes back before the
 *   leader's verdict is seen within about as long as it was gone, until the poll is sooner.
 */
export function livenessRecheckAt(state: ServerDoc['state'], heard: ReadHeartbeat | null, liveness: ServerLiveness, judges: boolean, pollMs: number): number | null {
  if (heard === null || (state !== 'active' && state !== 'draining')) return null;
  const deadline = heartbeatDeadline(heard, liveness);
  if (heard.readAt <= deadline) return judges ? null : deadline + 1;
  const silentFor = heard.readAt - deadline;
  if (pollMs > 0 && silentFor >= pollMs) return null;
  return heard.readAt + Math.max(liveness.heartbeatIntervalMs, silentFor);
}

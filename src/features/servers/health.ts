import { isServerStale } from '@fq/worker/core';
import { serverLivenessSchema, type LeaderLeaseDoc, type QueueStatsDoc, type ServerDoc, type ServerLiveness } from '@fq/worker/schema';

/** The config's defaults, for a fleet whose leader has not published its settings yet. */
const DEFAULT_LIVENESS: ServerLiveness = serverLivenessSchema.parse({});

/**
 * The fleet's liveness settings (`serverTimeoutMs`, `heartbeatIntervalMs`) as the leader
 * publishes them in the stats document; the config's defaults without one.
 */
export function publishedLiveness(stats: Pick<QueueStatsDoc, 'serverLiveness'> | null): ServerLiveness {
  return stats?.serverLiveness ?? DEFAULT_LIVENESS;
}

export interface ServerHealth {
  ageMs: number;
  stale: boolean;
  /** active and fresh */
  healthy: boolean;
}

/**
 * `serverNowMs` is Firestore time (browser clock corrected by the offset estimate). Stale is
 * the leader's own rule (`isServerStale`) with the fleet's published settings, so the console
 * flags exactly the servers the leader declares lost.
 */
export function serverHealth(server: ServerDoc, serverNowMs: number, liveness: ServerLiveness): ServerHealth {
  const ageMs = Math.max(0, serverNowMs - server.heartbeatAt);
  const stale = isServerStale(server, liveness, serverNowMs);
  return { ageMs, stale, healthy: !stale && server.state === 'active' };
}

export interface LeaderView {
  holder: string | null;
  term: number;
  /** The lease has expired by Firestore time: an election is due. */
  expired: boolean;
  expiresInMs: number;
}

export function leaderView(lease: LeaderLeaseDoc | null, serverNowMs: number): LeaderView | null {
  if (!lease) return null;
  const expiresInMs = lease.expiresAt - serverNowMs;
  return { holder: lease.holder, term: lease.term, expired: lease.holder === null || expiresInMs <= 0, expiresInMs };
}

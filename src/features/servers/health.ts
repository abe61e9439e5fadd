import type { LeaderLeaseDoc, ServerDoc } from '@fq/worker/schema';

/**
 * A server is stale when its last heartbeat (Firestore time) is older than this many
 * heartbeat intervals: the worker's default serverTimeoutMs (20 s) is 4 x its default
 * heartbeatIntervalMs (5 s).
 */
export const STALE_AFTER_INTERVALS = 4;

export interface ServerHealth {
  ageMs: number;
  stale: boolean;
  /** active and fresh */
  healthy: boolean;
}

/** `serverNowMs` is Firestore time (browser clock corrected by the offset estimate). */
export function serverHealth(server: ServerDoc, serverNowMs: number): ServerHealth {
  const ageMs = Math.max(0, serverNowMs - server.heartbeatAt);
  const stale = server.state === 'lost' || ageMs > STALE_AFTER_INTERVALS * server.heartbeatIntervalMs;
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

import { isStaleAsRead, leaderJudgesLiveness, livenessRecheckAt } from '@fq/worker/core';
import {
  serverLivenessSchema,
  type LeaderLeaseDoc,
  type QueueStatsDoc,
  type ServerDoc,
  type ServerLiveness,
  type ServerState,
} from '@fq/worker/schema';

/** The config's defaults, for a fleet whose leader has not published its settings yet. */
const DEFAULT_LIVENESS: ServerLiveness = serverLivenessSchema.parse({});

/**
 * How often the Servers page reads the server documents again for their load figures and
 * heartbeats (it also reads them at once when the fleet summary or the leader changes). Not
 * a listener: every heartbeat would cost each open page a read (155 a minute with 10 busy
 * workers, where the goal is 60). Exported for the read-cost bench (`consolePages.ts`).
 */
export const SERVER_LOAD_POLL_MS = 30_000;

/**
 * The fleet's liveness settings (`serverTimeoutMs`, `heartbeatIntervalMs`) as the leader
 * publishes them in the stats document; the config's defaults without one.
 */
export function publishedLiveness(stats: Pick<QueueStatsDoc, 'serverLiveness'> | null): ServerLiveness {
  return stats?.serverLiveness ?? DEFAULT_LIVENESS;
}

/**
 * What the page last heard of a server: the heartbeat its document held when the page read
 * it, and when that read was made (Firestore time; the document is at least that fresh).
 */
export interface Heard {
  heartbeatAt: ServerDoc['heartbeatAt'];
  heartbeatIntervalMs: ServerDoc['heartbeatIntervalMs'];
  readAtMs: number;
}

export interface ServerHealth {
  /** Since the last heartbeat the page read; null before its first read of the server. */
  ageMs: number | null;
  stale: boolean;
  /** active and not stale */
  healthy: boolean;
}

/**
 * `serverNowMs` is Firestore time (browser clock corrected by the offset estimate). Stale is
 * the leader's own rule (`isServerStale`, with the fleet's published settings) applied to
 * what the page knows: the server's state (the leader's fleet summary says `lost` once it
 * declared the server silent), and its heartbeat as of the page's last read of it. The page
 * reads the server documents every `SERVER_LOAD_POLL_MS`, not on every heartbeat, so "now is
 * past the deadline" alone would flag every healthy server between two reads; the rule is
 * judged at the time of the read instead: stale when a read made after the deadline still
 * showed the old heartbeat. A dead server is flagged all the same: by the leader's verdict
 * (`lost` in the summary, within its maintenance interval of the deadline), or, when no
 * leader judges, on time, by a read of that server as its deadline passes (`recheckDueAt`).
 */
export function serverHealth(state: ServerState, heard: Heard | null, serverNowMs: number, liveness: ServerLiveness): ServerHealth {
  if (heard === null) {
    const stale = state === 'lost';
    return { ageMs: null, stale, healthy: !stale && state === 'active' };
  }
  const ageMs = Math.max(0, serverNowMs - heard.heartbeatAt);
  // A copy past its deadline but read before it proves nothing: a heartbeat may have landed since.
  const stale = isStaleAsRead(state, { ...heard, readAt: heard.readAtMs }, liveness, serverNowMs);
  return { ageMs, stale, healthy: !stale && state === 'active' };
}

/** When the page should read one server's document again outside its poll (the rule: `livenessRecheckAt`). */
export function recheckDueAt(state: ServerState, heard: Heard | null, liveness: ServerLiveness, leaderJudges: boolean): number | null {
  return livenessRecheckAt(state, heard && { ...heard, readAt: heard.readAtMs }, liveness, leaderJudges, SERVER_LOAD_POLL_MS);
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

/** Whether a leader judges the servers' liveness now (`leaderJudgesLiveness`). */
export function leaderJudges(lease: LeaderLeaseDoc | null, serverNowMs: number): boolean {
  return leaderJudgesLiveness(lease, serverNowMs);
}

import { JOB_STATUSES, PRIORITIES, type JobStatus, type Priority } from '../../schema/job.js';
import type { QueueStatsDoc } from '../../schema/analytics.js';
import type { BreakerDoc, BreakerState } from '../../schema/flow.js';
import type { LeaderLeaseDoc, ServerDoc, ServerLiveness } from '../../schema/coordination.js';
import { isServerStale } from '../coordination/server-liveness.js';

export type EnterpriseServer = Pick<ServerDoc, 'serverId' | 'state' | 'inFlight' | 'concurrencyLimit' | 'version' | 'hostname'> & {
  heartbeatAgeMs: number;
  stale: boolean;
};

export interface EnterpriseStats {
  generatedAt: number;
  /** Live servers (active or draining), as the design document reads them: `stats.servers.length`. */
  servers: EnterpriseServer[];
  serverCounts: { total: number; active: number };
  leader: { serverId: string | null; term: number; expiresAt: number | null };
  queueStats: {
    totalInQueue: number;
    byPriority: Record<Priority, number>;
    byStatus: Record<JobStatus, number>;
    inFlight: number;
    oldestQueuedAt: number | null;
    /** When the leader last refreshed these numbers (null: no leader has run yet). */
    refreshedAt: number | null;
    /** Pause switches as of `refreshedAt` (see `QueueStatsDoc.paused`). */
    paused: boolean;
    pausedPriorities: Priority[];
  };
  performance: {
    successRate: number | null;
    throughputPerMin: number;
    p50Ms: number | null;
    p95Ms: number | null;
    avgServiceMs: number | null;
    firestoreOpsPerJob: number | null;
  };
  circuitBreaker: {
    /** Worst state across models (open > half_open > closed). */
    state: BreakerState;
    byModel: Record<string, { state: BreakerState; override: BreakerDoc['override']; since: number }>;
  };
}

/** The few small documents the stats are made of (no job lists). */
export interface EnterpriseStatsSources {
  /** `transcription_stats/queue` (null: no leader has written it yet). */
  stats: QueueStatsDoc | null;
  /** Server documents in state active or draining. */
  servers: readonly ServerDoc[];
  breakers: readonly { id: string; data: BreakerDoc }[];
  leader: LeaderLeaseDoc | null;
  /** Store time (or a browser's estimate of it): heartbeat ages and the leader's lease are judged by it. */
  now: number;
  liveness: ServerLiveness;
}

const BREAKER_SEVERITY: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * The seed's `getEnterpriseStats()` figures from the documents the fleet publishes, in one
 * pure function so the worker's API and a browser's live monitor (`@fq/client`'s
 * `watchQueueMonitor`) give the same numbers for the same documents. A server is stale by
 * the fleet's one rule (`isServerStale`).
 */
export function enterpriseStatsOf(sources: EnterpriseStatsSources): EnterpriseStats {
  const { stats: s, now, liveness } = sources;
  const zeros = <T extends string>(keys: readonly T[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<T, number>;
  const byModel: EnterpriseStats['circuitBreaker']['byModel'] = {};
  let worst: BreakerState = 'closed';
  for (const b of sources.breakers) {
    byModel[b.id] = { state: b.data.state, override: b.data.override, since: b.data.since };
    if (BREAKER_SEVERITY[b.data.state] > BREAKER_SEVERITY[worst]) worst = b.data.state;
  }
  const lease = sources.leader;
  const leaderLive = lease && lease.holder !== null && lease.expiresAt > now;
  const servers = sources.servers.filter((d) => d.state === 'active' || d.state === 'draining');
  return {
    generatedAt: now,
    servers: servers.map((d) => ({
      serverId: d.serverId,
      state: d.state,
      inFlight: d.inFlight,
      concurrencyLimit: d.concurrencyLimit,
      version: d.version,
      hostname: d.hostname,
      heartbeatAgeMs: Math.max(0, now - d.heartbeatAt),
      stale: isServerStale(d, liveness, now),
    })),
    serverCounts: { total: servers.length, active: servers.filter((d) => d.state === 'active').length },
    leader: { serverId: leaderLive ? lease.holder : null, term: lease?.term ?? 0, expiresAt: leaderLive ? lease.expiresAt : null },
    queueStats: {
      totalInQueue: s ? s.byStatus.queued + s.byStatus.waiting + s.byStatus.submitted : 0,
      byPriority: s?.queuedByPriority ?? zeros(PRIORITIES),
      byStatus: s?.byStatus ?? zeros(JOB_STATUSES),
      inFlight: s?.inFlight ?? 0,
      oldestQueuedAt: s?.oldestQueuedAt ?? null,
      refreshedAt: s?.at ?? null,
      paused: s?.paused ?? false,
      pausedPriorities: s?.pausedPriorities ?? [],
    },
    performance: {
      successRate: s?.successRate ?? null,
      throughputPerMin: s?.throughputPerMin ?? 0,
      p50Ms: s?.p50Ms ?? null,
      p95Ms: s?.p95Ms ?? null,
      avgServiceMs: s?.avgServiceMs ?? null,
      firestoreOpsPerJob: s?.firestoreOpsPerJob ?? null,
    },
    circuitBreaker: { state: worst, byModel },
  };
}

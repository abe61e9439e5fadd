import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../schema/config.js';
import { controlRetentionSchema } from '../../schema/control-audit.js';
import { serverLivenessSchema } from '../../schema/coordination.js';
import { heartbeatDeadline, isServerStale, isStaleAsRead, leaderJudgesLiveness, livenessRecheckAt } from './server-liveness.js';

const T0 = 1_700_000_000_000;
const liveness = { serverTimeoutMs: 20_000, heartbeatIntervalMs: 5_000 };

describe('liveness deadline', () => {
  it('adds the longer advertised interval to the timeout', () => {
    expect(heartbeatDeadline({ heartbeatAt: T0, heartbeatIntervalMs: 5_000 }, liveness)).toBe(T0 + 20_000);
    expect(heartbeatDeadline({ heartbeatAt: T0, heartbeatIntervalMs: 60_000 }, liveness)).toBe(T0 + 75_000);
    expect(heartbeatDeadline({ heartbeatAt: T0, heartbeatIntervalMs: 1_000 }, liveness)).toBe(T0 + 20_000);
  });
});

describe('staleness', () => {
  const server = (heartbeatIntervalMs: number, state: 'active' | 'draining' | 'lost' = 'active') => ({ state, heartbeatAt: T0, heartbeatIntervalMs });

  it('is stale only past the deadline: the configured timeout, not a multiple of the interval', () => {
    expect(isServerStale(server(5_000), liveness, T0 + 20_000)).toBe(false);
    expect(isServerStale(server(5_000), liveness, T0 + 20_001)).toBe(true);
    // A longer timeout keeps a server fresh where 4 x its interval would not.
    expect(isServerStale(server(5_000), { ...liveness, serverTimeoutMs: 60_000 }, T0 + 59_000)).toBe(false);
    // An idle server that said it heartbeats every minute is judged by that.
    expect(isServerStale(server(60_000, 'draining'), liveness, T0 + 75_000)).toBe(false);
    expect(isServerStale(server(60_000, 'draining'), liveness, T0 + 75_001)).toBe(true);
  });

  it('a server the leader declared lost is stale whatever its heartbeat', () => {
    expect(isServerStale(server(5_000, 'lost'), liveness, T0)).toBe(true);
  });
});

describe('the settings the leader publishes for the console', () => {
  it("default to the worker config's own defaults (a stats document without them)", () => {
    const { serverCoordination, retention } = resolveConfig({});
    expect(serverLivenessSchema.parse({})).toEqual({ heartbeatIntervalMs: serverCoordination.heartbeatIntervalMs, serverTimeoutMs: serverCoordination.serverTimeoutMs });
    expect(controlRetentionSchema.parse({})).toEqual({ finishedJobsMs: retention.finishedJobsMs, auditMs: retention.auditMs });
  });
});

describe('liveness for readers that poll server documents', () => {
  const heard = (readAt: number) => ({ heartbeatAt: T0, heartbeatIntervalMs: 5_000, readAt });

  it('judges staleness as of the read: an old copy read before the deadline proves nothing', () => {
    // Read 1 s after the heartbeat, looked at 40 s later: not stale (a heartbeat may have landed).
    expect(isStaleAsRead('active', heard(T0 + 1_000), liveness, T0 + 40_000)).toBe(false);
    // Read after the deadline and still the old heartbeat: stale.
    expect(isStaleAsRead('active', heard(T0 + 21_000), liveness, T0 + 40_000)).toBe(true);
    // The leader's verdict stands whatever was read.
    expect(isStaleAsRead('lost', heard(T0 + 1_000), liveness, T0 + 2_000)).toBe(true);
  });

  it('a leader judges while it holds an unexpired lease over a busy fleet', () => {
    expect(leaderJudgesLiveness({ holder: 'a', expiresAt: T0 + 1, idle: false }, T0)).toBe(true);
    expect(leaderJudgesLiveness({ holder: 'a', expiresAt: T0, idle: false }, T0)).toBe(false);
    expect(leaderJudgesLiveness({ holder: 'a', expiresAt: T0 + 1, idle: true }, T0)).toBe(false);
    expect(leaderJudgesLiveness({ holder: null, expiresAt: T0 + 1 }, T0)).toBe(false);
    expect(leaderJudgesLiveness(null, T0)).toBe(false);
  });

  it('rereads one server at its deadline when no leader judges, and a silent one soon after', () => {
    const deadline = T0 + 20_000;
    expect(livenessRecheckAt('active', heard(T0 + 1_000), liveness, false, 30_000)).toBe(deadline + 1);
    expect(livenessRecheckAt('active', heard(T0 + 1_000), liveness, true, 30_000)).toBeNull();
    // Silent 2 s past its deadline at the read: again a heartbeat interval later; 8 s: 8 s later.
    expect(livenessRecheckAt('active', heard(deadline + 2_000), liveness, true, 30_000)).toBe(deadline + 2_000 + 5_000);
    expect(livenessRecheckAt('active', heard(deadline + 8_000), liveness, true, 30_000)).toBe(deadline + 16_000);
    // Silent longer than the poll: the poll takes over; none for a stopped or lost server.
    expect(livenessRecheckAt('active', heard(deadline + 30_000), liveness, true, 30_000)).toBeNull();
    expect(livenessRecheckAt('lost', heard(deadline + 2_000), liveness, false, 30_000)).toBeNull();
    expect(livenessRecheckAt('active', null, liveness, false, 30_000)).toBeNull();
  });
});

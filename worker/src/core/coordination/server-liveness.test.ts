import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../schema/config.js';
import { controlRetentionSchema } from '../../schema/control-audit.js';
import { serverLivenessSchema } from '../../schema/coordination.js';
import { heartbeatDeadline, isServerStale } from './server-liveness.js';

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

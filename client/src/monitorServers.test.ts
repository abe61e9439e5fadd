import { describe, expect, it } from 'vitest';
import { fleetKey, leaderJudges, serverCheckDueAt, type LiveServerEntry } from './monitorServers.js';
import { T0, leaderLease, server } from './test/factories.js';

const liveness = { heartbeatIntervalMs: 5_000, serverTimeoutMs: 20_000 };
const summary = { servers: [], changedAt: T0 };

function entry(heartbeatAt: number, readAt: number, heartbeatIntervalMs = 5_000): LiveServerEntry {
  return { serverId: 'srv-a', state: 'active', version: '0.1.0', copy: { doc: server({ heartbeatAt, heartbeatIntervalMs }), readAt } };
}

describe('leaderJudges', () => {
  it('only for a live lease over a busy fleet whose leader publishes the summary', () => {
    const lease = leaderLease({ holder: 'srv-a', expiresAt: T0 + 10_000 });
    expect(leaderJudges(lease, summary, T0)).toBe(true);
    expect(leaderJudges({ ...lease, idle: true }, summary, T0)).toBe(false);
    expect(leaderJudges(lease, summary, T0 + 10_000)).toBe(false);
    expect(leaderJudges({ ...lease, holder: null }, summary, T0)).toBe(false);
    expect(leaderJudges(null, summary, T0)).toBe(false);
    // A leader from before the summary declares servers lost where the monitor does not listen.
    expect(leaderJudges(lease, null, T0)).toBe(false);
  });
});

describe('serverCheckDueAt', () => {
  it('reads a server at its deadline only when no leader judges', () => {
    // Deadline: heartbeat + 20 s (+ whatever longer interval the server announced).
    expect(serverCheckDueAt(entry(T0, T0 + 1_000), liveness, false, 30_000)).toBe(T0 + 20_001);
    expect(serverCheckDueAt(entry(T0, T0 + 1_000, 60_000), liveness, false, 30_000)).toBe(T0 + 75_001);
    expect(serverCheckDueAt(entry(T0, T0 + 1_000), liveness, true, 30_000)).toBeNull();
  });

  it('reads a server found silent again after as long as it has been silent, until the regular fetch is sooner', () => {
    expect(serverCheckDueAt(entry(T0, T0 + 21_000), liveness, true, 30_000)).toBe(T0 + 26_000);
    expect(serverCheckDueAt(entry(T0, T0 + 32_000), liveness, true, 30_000)).toBe(T0 + 44_000);
    expect(serverCheckDueAt(entry(T0, T0 + 50_000), liveness, true, 30_000)).toBeNull();
    // No regular fetch (0): the checks go on, further and further apart.
    expect(serverCheckDueAt(entry(T0, T0 + 50_000), liveness, true, 0)).toBe(T0 + 80_000);
  });

  it('has nothing to check before the first fetch found the document', () => {
    expect(serverCheckDueAt({ ...entry(T0, T0), copy: null }, liveness, false, 30_000)).toBeNull();
  });
});

describe('fleetKey', () => {
  it('changes with changedAt and the set of ids, not their order', () => {
    const s = (ids: string[], changedAt = T0) => ({ servers: ids.map((serverId) => ({ serverId, state: 'active' as const, version: '1', startedAt: T0, routing: null })), changedAt });
    expect(fleetKey(s(['a', 'b']))).toBe(fleetKey(s(['b', 'a'])));
    expect(fleetKey(s(['a', 'b']))).not.toBe(fleetKey(s(['a', 'b'], T0 + 1)));
    expect(fleetKey(s(['a', 'b']))).not.toBe(fleetKey(s(['a'])));
    expect(fleetKey(null)).not.toBe(fleetKey(s([])));
  });
});

import { describe, expect, it, vi } from 'vitest';
import { monitorRefs, queueMonitorSnapshot, watchQueueMonitor, type QueueMonitorSnapshot } from './monitor.js';
import { T0, breaker, job, leaderLease, rateLimit, server, stats } from './test/factories.js';
import { FakeStore } from './test/fakeStore.js';

describe('queueMonitorSnapshot (pure)', () => {
  it("gives the document's figures: live servers as a list, the live leader, the worst breaker, queue size, usage and dead letters", () => {
    const snap = queueMonitorSnapshot(
      {
        stats: stats({ byStatus: { queued: 6, waiting: 1, submitted: 2, running: 3, dead_lettered: 1 }, successRate: 0.9, throughputPerMin: 12 }),
        leader: leaderLease({ holder: 'srv-a', term: 7, expiresAt: T0 + 5_000 }),
        servers: [server({ serverId: 'srv-a' }), server({ serverId: 'srv-b', state: 'draining', heartbeatAt: T0 - 2_000 })],
        breakers: [
          { id: 'm1', data: breaker({ model: 'm1', state: 'closed' }) },
          { id: 'm2', data: breaker({ model: 'm2', state: 'half_open' }) },
        ],
        topUsers: [rateLimit({ userId: 'heavy', limit: 10, burst: 2, count: 9, remaining: 3, resetAt: T0 + 20_000, rejected: 4 })],
        deadLetters: [
          {
            id: 'job-dead',
            data: job({ status: 'dead_lettered', userId: 'alice', updatedAt: T0 - 500, errors: [{ at: T0 - 600, attempt: 5, errorClass: 'overloaded', message: 'model overloaded' }] }),
          },
        ],
      },
      T0,
    );
    expect(snap.stats.servers.map((s) => [s.serverId, s.state, s.stale])).toEqual([
      ['srv-a', 'active', false],
      ['srv-b', 'draining', false],
    ]);
    expect(snap.stats.servers.length).toBe(2);
    expect(snap.stats.leader).toEqual({ serverId: 'srv-a', term: 7, expiresAt: T0 + 5_000 });
    expect(snap.stats.circuitBreaker.state).toBe('half_open');
    // queued + waiting + submitted, as getEnterpriseStats counts it
    expect(snap.stats.queueStats.totalInQueue).toBe(9);
    expect(snap.stats.performance).toMatchObject({ successRate: 0.9, throughputPerMin: 12 });
    expect(snap.rateLimits).toEqual([{ userId: 'heavy', tier: 'default', rejected: 4, used: 9, capacity: 12, remaining: 3, windowEnded: false, resetInMs: 20_000 }]);
    expect(snap.deadLetters).toEqual([{ requestId: 'job-dead', userId: 'alice', priority: 'normal', createdAt: T0, at: T0 - 500, attempts: 0, error: 'model overloaded' }]);
  });

  it('judges liveness by the settings the leader publishes, and drops an expired leader lease', () => {
    const docs = {
      stats: stats({ serverLiveness: { heartbeatIntervalMs: 5_000, serverTimeoutMs: 60_000 } }),
      leader: leaderLease({ expiresAt: T0 - 1 }),
      servers: [server({ serverId: 'quiet', heartbeatAt: T0 - 30_000 })],
    };
    expect(queueMonitorSnapshot(docs, T0).stats.servers[0]!.stale).toBe(false);
    expect(queueMonitorSnapshot({ ...docs, stats: stats({ serverLiveness: { heartbeatIntervalMs: 5_000, serverTimeoutMs: 20_000 } }) }, T0).stats.servers[0]!.stale).toBe(true);
    expect(queueMonitorSnapshot(docs, T0).stats.leader.serverId).toBeNull();
  });

  it('is all zeros, not an error, before any leader has written the stats', () => {
    const snap = queueMonitorSnapshot({ stats: null, leader: null, servers: [], breakers: [] }, T0);
    expect(snap.stats.queueStats).toMatchObject({ totalInQueue: 0, refreshedAt: null });
    expect(snap.stats.circuitBreaker.state).toBe('closed');
    expect(snap.stats.performance.successRate).toBeNull();
  });
});

describe('watchQueueMonitor', () => {
  function watch(data: FakeStore, options: Parameters<typeof watchQueueMonitor>[2] = {}) {
    const seen: QueueMonitorSnapshot[] = [];
    const stop = watchQueueMonitor(data, (s) => seen.push(s), { now: () => T0, tickMs: 0, ...options });
    return { seen, stop, last: () => seen.at(-1)! };
  }

  it('follows the published documents live and stops every listener', () => {
    const data = new FakeStore();
    data.put('stats', 'queue', stats({ byStatus: { queued: 1 } }));
    data.put('servers', 'srv-a', server({ serverId: 'srv-a' }));
    const { stop, last } = watch(data);
    expect(last().loading).toBe(false);
    expect(last().stats.servers.length).toBe(1);
    expect(last().stats.queueStats.totalInQueue).toBe(1);

    data.put('servers', 'srv-b', server({ serverId: 'srv-b' }));
    data.put('servers', 'srv-old', server({ serverId: 'srv-old', state: 'stopped' }));
    data.put('stats', 'queue', stats({ byStatus: { queued: 4 } }));
    data.put('breakers', 'm1', breaker({ model: 'm1', state: 'open' }));
    expect(last().stats.servers.map((s) => s.serverId)).toEqual(['srv-a', 'srv-b']);
    expect(last().stats.queueStats.totalInQueue).toBe(4);
    expect(last().stats.circuitBreaker.state).toBe('open');

    expect(data.watchers.size).toBe(6);
    stop();
    expect(data.watchers.size).toBe(0);
  });

  it('reads bounded lists only: the heaviest users and the newest dead letters, never the queue', () => {
    const data = new FakeStore();
    for (let i = 0; i < 8; i++) {
      data.put('rateLimits', `u${i}`, rateLimit({ userId: `u${i}`, count: i }));
      data.put('jobs', `dead-${i}`, job({ status: 'dead_lettered', createdAt: T0 + i }));
      data.put('jobs', `queued-${i}`, job({ status: 'queued', createdAt: T0 + i }));
    }
    const { last } = watch(data, { topUsers: 3, deadLetters: 2 });
    expect(last().rateLimits.map((u) => u.userId)).toEqual(['u7', 'u6', 'u5']);
    expect(last().deadLetters.map((d) => d.requestId)).toEqual(['dead-7', 'dead-6']);
    const refs = monitorRefs({ topUsers: 3, deadLetters: 2 });
    expect([refs.servers.limit, refs.breakers.limit, refs.topUsers?.limit, refs.deadLetters?.limit]).toEqual([100, 50, 3, 2]);
    expect(monitorRefs({ topUsers: 0, deadLetters: 0 })).toMatchObject({ topUsers: null, deadLetters: null });
  });

  it('reports a listener the rules refuse and keeps the others going', () => {
    const data = new FakeStore();
    data.put('servers', 'srv-a', server());
    const { last } = watch(data);
    data.breakListeners('rateLimits', Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' }));
    expect(last().errors).toEqual([{ source: 'topUsers', message: 'Missing or insufficient permissions.' }]);
    data.put('servers', 'srv-b', server({ serverId: 'srv-b' }));
    expect(last().stats.servers.length).toBe(2);
    expect(last().loading).toBe(false);
  });

  it('counts documents that fail their schema instead of failing the monitor', () => {
    const data = new FakeStore();
    data.put('servers', 'srv-a', server());
    data.putRaw('servers', 'broken', { state: 'active', serverId: 42 });
    const { last } = watch(data);
    expect(last().invalidDocuments).toBe(1);
    expect(last().stats.servers.length).toBe(1);
  });

  it('re-derives heartbeat ages on its tick without a new snapshot', () => {
    const data = new FakeStore();
    data.put('servers', 'srv-a', server({ heartbeatAt: T0 - 1_000 }));
    let now = T0;
    const seen: QueueMonitorSnapshot[] = [];
    vi.useFakeTimers();
    try {
      const stop = watchQueueMonitor(data, (s) => seen.push(s), { now: () => now, tickMs: 1_000 });
      expect(seen.at(-1)!.stats.servers[0]!.stale).toBe(false);
      now = T0 + 60_000;
      vi.advanceTimersByTime(1_000);
      expect(seen.at(-1)!.stats.servers[0]).toMatchObject({ heartbeatAgeMs: 61_000, stale: true });
      stop();
      const count = seen.length;
      vi.advanceTimersByTime(5_000);
      expect(seen.length).toBe(count);
    } finally {
      vi.useRealTimers();
    }
  });
});

import type { ServerState } from '@fq/worker/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { monitorRefs, queueMonitorSnapshot, watchQueueMonitor, type QueueMonitorSnapshot, type WatchQueueMonitorOptions } from './monitor.js';
import { T0, breaker, job, leaderLease, rateLimit, server, stats } from './test/factories.js';
import { FakeStore } from './test/fakeStore.js';

/** The leader's fleet summary, as the stats document carries it. */
function fleet(servers: [string, ServerState][], changedAt = T0 - 30_000) {
  return { servers: servers.map(([serverId, state]) => ({ serverId, state, version: '0.1.0', startedAt: T0 - 60_000 })), changedAt };
}

describe('queueMonitorSnapshot (pure)', () => {
  it("gives the document's figures: the summary's live servers with their fetched load, the live leader, the worst breaker, queue size, usage and dead letters", () => {
    const snap = queueMonitorSnapshot(
      {
        stats: stats({
          byStatus: { queued: 6, waiting: 1, submitted: 2, running: 3, dead_lettered: 1 },
          successRate: 0.9,
          throughputPerMin: 12,
          fleet: fleet([
            ['srv-a', 'active'],
            ['srv-b', 'draining'],
            ['srv-gone', 'stopped'],
          ]),
        }),
        leader: leaderLease({ holder: 'srv-a', term: 7, expiresAt: T0 + 5_000 }),
        servers: [
          { doc: server({ serverId: 'srv-a', hostname: 'host-a', inFlight: 3, concurrencyLimit: 4 }), readAt: T0 - 500 },
          // The document says active: the leader's summary (draining) is what the list shows.
          { doc: server({ serverId: 'srv-b', heartbeatAt: T0 - 2_000 }), readAt: T0 - 500 },
        ],
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
    expect(snap.stats.servers).toEqual([
      { serverId: 'srv-a', state: 'active', version: '0.1.0', hostname: 'host-a', inFlight: 3, concurrencyLimit: 4, heartbeatAgeMs: 1_000, stale: false },
      { serverId: 'srv-b', state: 'draining', version: '0.1.0', hostname: 'host-a', inFlight: 1, concurrencyLimit: 4, heartbeatAgeMs: 2_000, stale: false },
    ]);
    expect(snap.stats.servers.length).toBe(2);
    expect(snap.stats.serverCounts).toEqual({ total: 2, active: 1 });
    expect(snap.stats.leader).toEqual({ serverId: 'srv-a', term: 7, expiresAt: T0 + 5_000 });
    expect(snap.stats.circuitBreaker.state).toBe('half_open');
    // queued + waiting + submitted, as getEnterpriseStats counts it
    expect(snap.stats.queueStats.totalInQueue).toBe(9);
    expect(snap.stats.performance).toMatchObject({ successRate: 0.9, throughputPerMin: 12 });
    expect(snap.rateLimits).toEqual([{ userId: 'heavy', tier: 'default', rejected: 4, used: 9, capacity: 12, remaining: 3, windowEnded: false, resetInMs: 20_000 }]);
    expect(snap.deadLetters).toEqual([{ requestId: 'job-dead', userId: 'alice', priority: 'normal', createdAt: T0, at: T0 - 500, attempts: 0, error: 'model overloaded' }]);
  });

  it('shows a server the summary lists before its document is fetched, with its state and no load figures', () => {
    const snap = queueMonitorSnapshot({ stats: stats({ fleet: fleet([['srv-new', 'active']]) }), servers: [] }, T0);
    expect(snap.stats.servers).toEqual([
      { serverId: 'srv-new', state: 'active', version: '0.1.0', hostname: null, inFlight: null, concurrencyLimit: null, heartbeatAgeMs: null, stale: false },
    ]);
    expect(snap.stats.serverCounts).toEqual({ total: 1, active: 1 });
  });

  it('keeps a fetched server the summary does not list only when the fetch is newer than the summary', () => {
    const summary = fleet([['srv-a', 'active']], T0 - 10_000);
    const copies = (readAt: number) => [
      { doc: server({ serverId: 'srv-a' }), readAt },
      { doc: server({ serverId: 'srv-joined' }), readAt },
    ];
    // Read after the leader's last change: a server that joined since.
    expect(queueMonitorSnapshot({ stats: stats({ fleet: summary }), servers: copies(T0 - 5_000) }, T0).stats.servers.map((s) => s.serverId)).toEqual(['srv-a', 'srv-joined']);
    // Read before it: the summary knows better (the server left).
    expect(queueMonitorSnapshot({ stats: stats({ fleet: summary }), servers: copies(T0 - 20_000) }, T0).stats.servers.map((s) => s.serverId)).toEqual(['srv-a']);
  });

  it('falls back on the fetched documents alone when the stats document has no fleet summary (an older fleet)', () => {
    const snap = queueMonitorSnapshot(
      {
        stats: stats({ fleet: null }),
        servers: [
          { doc: server({ serverId: 'srv-b', state: 'draining', inFlight: 2 }), readAt: T0 },
          { doc: server({ serverId: 'srv-a' }), readAt: T0 },
        ],
      },
      T0,
    );
    expect(snap.stats.servers.map((s) => [s.serverId, s.state, s.inFlight])).toEqual([
      ['srv-a', 'active', 1],
      ['srv-b', 'draining', 2],
    ]);
    // Without the leader's summary nothing says which servers it declared lost.
    expect(snap.serverStates).toEqual({ active: 1, draining: 1, lost: null });
  });

  it('counts the servers per state: active and draining as listed, lost from the summary, none before anything said who is there', () => {
    const summary = fleet([
      ['srv-a', 'active'],
      ['srv-b', 'draining'],
      ['srv-c', 'active'],
      ['srv-dead', 'lost'],
      ['srv-gone', 'stopped'],
    ]);
    // The console's Overview: the summary only, no server document fetched (no load figures).
    const fromSummary = queueMonitorSnapshot({ stats: stats({ fleet: summary }) }, T0);
    expect(fromSummary.serverStates).toEqual({ active: 2, draining: 1, lost: 1 });
    expect(fromSummary.stats.serverCounts).toEqual({ total: 3, active: 2 });
    // A server that joined after the summary, fetched since: counted as it is listed.
    const joined = queueMonitorSnapshot({ stats: stats({ fleet: summary }), servers: [{ doc: server({ serverId: 'srv-new' }), readAt: T0 }] }, T0);
    expect(joined.serverStates).toEqual({ active: 3, draining: 1, lost: 1 });
    // No summary and no fetch answered: unknown, not zero.
    expect(queueMonitorSnapshot({ stats: stats({ fleet: null }) }, T0).serverStates).toBeNull();
  });

  it('judges staleness by the published settings as of the fetch: a copy read before its deadline is not stale, one read after it is', () => {
    const liveness = { heartbeatIntervalMs: 5_000, serverTimeoutMs: 20_000 };
    const docs = (readAt: number) => ({
      stats: stats({ serverLiveness: liveness, fleet: fleet([['srv-a', 'active']]) }),
      leader: leaderLease({ expiresAt: T0 - 1 }),
      servers: [{ doc: server({ serverId: 'srv-a', heartbeatAt: T0 }), readAt }],
    });
    // Read 1 s after the heartbeat, seen 29 s later (past the 20 s timeout): the age grows, but
    // a heartbeat may have landed since the read, so it is not called stale.
    expect(queueMonitorSnapshot(docs(T0 + 1_000), T0 + 30_000).stats.servers[0]).toMatchObject({ heartbeatAgeMs: 30_000, stale: false });
    // A read made after the deadline still showed that heartbeat: stale.
    expect(queueMonitorSnapshot(docs(T0 + 21_000), T0 + 30_000).stats.servers[0]).toMatchObject({ heartbeatAgeMs: 30_000, stale: true });
    // Sized by what the leader publishes: with a 60 s timeout the same read is fine.
    const patient = { ...docs(T0 + 21_000), stats: stats({ serverLiveness: { heartbeatIntervalMs: 5_000, serverTimeoutMs: 60_000 }, fleet: fleet([['srv-a', 'active']]) }) };
    expect(queueMonitorSnapshot(patient, T0 + 30_000).stats.servers[0]!.stale).toBe(false);
    expect(queueMonitorSnapshot(docs(T0), T0).stats.leader.serverId).toBeNull();
  });

  it('is all zeros, not an error, before any leader has written the stats', () => {
    const snap = queueMonitorSnapshot({ stats: null, leader: null, servers: [], breakers: [] }, T0);
    expect(snap.stats.queueStats).toMatchObject({ totalInQueue: 0, refreshedAt: null });
    expect(snap.stats.servers).toEqual([]);
    expect(snap.stats.circuitBreaker.state).toBe('closed');
    expect(snap.stats.performance.successRate).toBeNull();
  });
});

describe('watchQueueMonitor', () => {
  afterEach(() => void vi.useRealTimers());

  /** Fake timers and store time from the faked `Date.now()`, from T0. */
  function watch(data: FakeStore, options: WatchQueueMonitorOptions = {}) {
    vi.useFakeTimers({ now: T0 });
    const seen: QueueMonitorSnapshot[] = [];
    const stop = watchQueueMonitor(data, (s) => seen.push(s), { now: () => Date.now(), tickMs: 0, ...options });
    const last = () => seen.at(-1)!;
    const row = (id: string) => last().stats.servers.find((s) => s.serverId === id);
    /** Every read of a server document: list fetches and single checks. */
    const serverReads = () => data.getsOf('servers').length;
    const listFetches = () => data.getsOf('servers').filter((ref) => !('id' in ref)).length;
    /** Moves store time and timers on by `ms`, answering every read due meanwhile. */
    const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    return { seen, stop, last, row, serverReads, listFetches, advance };
  }

  /** A busy fleet of two with a live leader (it judges liveness) and its summary. */
  function busyFleet(): FakeStore {
    const data = new FakeStore();
    data.put('stats', 'queue', stats({ byStatus: { queued: 1 }, fleet: fleet([['srv-a', 'active'], ['srv-b', 'active']]) }));
    data.put('leader', 'current', leaderLease({ holder: 'srv-a', expiresAt: T0 + 3_600_000 }));
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: 2, heartbeatAt: T0 - 1_000 }));
    data.put('servers', 'srv-b', server({ serverId: 'srv-b', inFlight: 4, heartbeatAt: T0 - 1_000 }));
    return data;
  }

  it('lists the servers from the summary and their load from one fetch, opening no listener on the server documents', async () => {
    const data = busyFleet();
    const { stop, last, row, serverReads, advance } = watch(data);
    // Before the fetch answers: the summary's servers, no load yet, still loading.
    expect(last().loading).toBe(true);
    expect(last().stats.servers.map((s) => [s.serverId, s.inFlight])).toEqual([
      ['srv-a', null],
      ['srv-b', null],
    ]);
    await advance(0);
    expect(last().loading).toBe(false);
    expect(row('srv-a')).toMatchObject({ state: 'active', inFlight: 2, heartbeatAgeMs: 1_000, stale: false });
    expect(row('srv-b')).toMatchObject({ inFlight: 4 });
    expect(last().stats.queueStats.totalInQueue).toBe(1);
    expect(serverReads()).toBe(1);
    expect([...data.watchers].map((w) => w.ref.collection).sort()).toEqual(['breakers', 'jobs', 'leader', 'rateLimits', 'stats']);

    // Heartbeats cost nothing and show nothing until the next fetch.
    data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: 3, heartbeatAt: T0 + 4_000 }));
    await advance(5_000);
    expect(row('srv-a')!.inFlight).toBe(2);
    expect(serverReads()).toBe(1);

    stop();
    expect(data.watchers.size).toBe(0);
    await advance(120_000);
    expect(serverReads()).toBe(1);
  });

  it('fetches the server documents again every serverRefreshMs, not on heartbeats', async () => {
    const data = busyFleet();
    const { stop, last, row, serverReads, listFetches, advance } = watch(data, { serverRefreshMs: 30_000 });
    await advance(0);
    for (let s = 1; s <= 12; s++) {
      // Both servers heartbeat every 5 s for a minute, busy; the fetch at 60 s comes first.
      await advance(5_000);
      data.put('servers', 'srv-a', server({ serverId: 'srv-a', inFlight: s % 4, heartbeatAt: Date.now() }));
      data.put('servers', 'srv-b', server({ serverId: 'srv-b', inFlight: 4, heartbeatAt: Date.now() }));
    }
    // The opening fetch and one each 30 s: 3 fetches of 2 documents (6 reads), where a
    // listener paid 2 + 24. No single reads: the leader judges liveness.
    expect([listFetches(), serverReads()]).toEqual([3, 3]);
    expect(row('srv-a')).toMatchObject({ inFlight: 3, heartbeatAgeMs: 5_000 });
    expect(last().stats.servers.every((s) => !s.stale)).toBe(true);
    stop();

    // 0: never on a timer.
    const quiet = watch(busyFleet(), { serverRefreshMs: 0 });
    await quiet.advance(300_000);
    expect(quiet.serverReads()).toBe(1);
    quiet.stop();
  });

  it("fetches at once when the summary's changedAt or server ids change, not when other figures do", async () => {
    const data = busyFleet();
    const { row, serverReads, advance } = watch(data);
    await advance(0);
    expect(serverReads()).toBe(1);

    // The leader republishes the figures: nothing to fetch.
    data.put('stats', 'queue', stats({ byStatus: { queued: 9 }, fleet: fleet([['srv-a', 'active'], ['srv-b', 'active']]) }));
    await advance(0);
    expect(serverReads()).toBe(1);

    // A server joins: listed at once (its load still unknown), fetched at once.
    data.put('servers', 'srv-c', server({ serverId: 'srv-c', inFlight: 1 }));
    data.put('stats', 'queue', stats({ fleet: fleet([['srv-a', 'active'], ['srv-b', 'active'], ['srv-c', 'active']], T0 + 1) }));
    expect(row('srv-c')).toMatchObject({ state: 'active', inFlight: null });
    await advance(0);
    expect(serverReads()).toBe(2);
    expect(row('srv-c')).toMatchObject({ inFlight: 1 });

    // A server changes state (same ids, new changedAt): fetched again.
    data.put('stats', 'queue', stats({ fleet: fleet([['srv-a', 'active'], ['srv-b', 'draining'], ['srv-c', 'active']], T0 + 2) }));
    await advance(0);
    expect(serverReads()).toBe(3);
    expect(row('srv-b')!.state).toBe('draining');

    // A server leaves the summary: gone from the list, and the list fetched again.
    data.put('stats', 'queue', stats({ fleet: fleet([['srv-a', 'active'], ['srv-b', 'draining']], T0 + 3) }));
    await advance(0);
    expect(serverReads()).toBe(4);
    expect(row('srv-c')).toBeUndefined();
  });

  it('ages heartbeats on its tick without a fetch and, while a leader judges, leaves the verdict on a silent server to it', async () => {
    const data = busyFleet();
    const { last, row, serverReads, advance } = watch(data, { tickMs: 1_000 });
    await advance(0);
    // srv-b dies; srv-a keeps beating. 25 s on, both copies are past their deadline by age,
    // yet nothing has been read since: neither is called stale, and nothing extra is read.
    await advance(25_000);
    expect(row('srv-a')).toMatchObject({ heartbeatAgeMs: 26_000, stale: false });
    expect(row('srv-b')).toMatchObject({ heartbeatAgeMs: 26_000, stale: false });
    expect(serverReads()).toBe(1);

    // The leader declares srv-b lost: it leaves the list at once.
    data.put('stats', 'queue', stats({ fleet: fleet([['srv-a', 'active'], ['srv-b', 'lost']], Date.now()) }));
    expect(last().stats.servers.map((s) => s.serverId)).toEqual(['srv-a']);
    expect(last().stats.servers.length).toBe(1);
  });

  it('with no leader judging, reads a server as its deadline passes: a dead one turns stale on time, a healthy one stays fine', async () => {
    const data = busyFleet();
    data.put('leader', 'current', leaderLease({ holder: 'srv-a', expiresAt: T0 - 1 }));
    const { row, serverReads, advance } = watch(data, { tickMs: 1_000 });
    await advance(0);
    expect(serverReads()).toBe(1);
    // srv-a beats every 5 s; srv-b died at T0 - 1 s. Deadline: heartbeat + 20 s.
    for (let t = 5_000; t <= 15_000; t += 5_000) {
      await advance(5_000);
      data.put('servers', 'srv-a', server({ serverId: 'srv-a', heartbeatAt: Date.now() }));
    }
    await advance(4_000); // T0 + 19 s: both deadlines pass now, nothing read yet
    expect([row('srv-a')!.stale, row('srv-b')!.stale, serverReads()]).toEqual([false, false, 1]);
    await advance(2_000);
    // One read of each document at its deadline: srv-b's still shows the old heartbeat.
    expect(data.getsOf('servers').slice(1)).toEqual([
      { collection: 'servers', id: 'srv-a' },
      { collection: 'servers', id: 'srv-b' },
    ]);
    expect(row('srv-b')).toMatchObject({ stale: true, heartbeatAgeMs: 22_000 });
    expect(row('srv-a')).toMatchObject({ stale: false, heartbeatAgeMs: 6_000 });

    // srv-b comes back: seen at its next check, a heartbeat interval or so later, not at the next fetch.
    data.put('servers', 'srv-b', server({ serverId: 'srv-b', heartbeatAt: Date.now() }));
    await advance(5_000);
    expect(row('srv-b')!.stale).toBe(false);
  });

  it('reports a fetch the rules refuse, keeps the other reads going, and recovers at the next fetch', async () => {
    const data = busyFleet();
    data.refuseGets('servers', Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' }));
    const { last, row, advance } = watch(data);
    await advance(0);
    expect(last().errors).toEqual([{ source: 'servers', message: 'Missing or insufficient permissions.' }]);
    expect(last().loading).toBe(false);
    expect(last().stats.queueStats.totalInQueue).toBe(1);
    // The summary still lists the fleet, without load.
    expect(row('srv-a')).toMatchObject({ state: 'active', inFlight: null });

    data.refuseGets('servers', null);
    await advance(30_000);
    expect(last().errors).toEqual([]);
    expect(row('srv-a')!.inFlight).toBe(2);
  });

  it('reports a listener the rules refuse and keeps the others going', async () => {
    const data = busyFleet();
    const { last, advance } = watch(data);
    await advance(0);
    data.breakListeners('rateLimits', Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' }));
    expect(last().errors).toEqual([{ source: 'topUsers', message: 'Missing or insufficient permissions.' }]);
    expect(last().stats.servers.length).toBe(2);
    expect(last().loading).toBe(false);
  });

  it('falls back on the fetched documents when the stats document has no fleet summary', async () => {
    const data = busyFleet();
    data.put('stats', 'queue', stats({ fleet: null }));
    data.put('servers', 'srv-old', server({ serverId: 'srv-old', state: 'stopped' }));
    const { last, listFetches, advance } = watch(data);
    await advance(0);
    expect(last().stats.servers.map((s) => [s.serverId, s.inFlight])).toEqual([
      ['srv-a', 2],
      ['srv-b', 4],
    ]);
    data.put('servers', 'srv-c', server({ serverId: 'srv-c' }));
    await advance(30_000);
    expect(listFetches()).toBe(2);
    expect(last().stats.servers.length).toBe(3);
  });

  it('counts documents that fail their schema instead of failing the monitor', async () => {
    const data = new FakeStore();
    data.put('servers', 'srv-a', server());
    data.putRaw('servers', 'broken', { state: 'active', serverId: 42 });
    const { last, advance } = watch(data);
    await advance(0);
    expect(last().invalidDocuments).toBe(1);
    expect(last().stats.servers.length).toBe(1);
  });

  it('reads bounded lists only: the heaviest users and the newest dead letters, never the queue', async () => {
    const data = new FakeStore();
    for (let i = 0; i < 8; i++) {
      data.put('rateLimits', `u${i}`, rateLimit({ userId: `u${i}`, count: i }));
      data.put('jobs', `dead-${i}`, job({ status: 'dead_lettered', createdAt: T0 + i }));
      data.put('jobs', `queued-${i}`, job({ status: 'queued', createdAt: T0 + i }));
    }
    const { last, advance } = watch(data, { topUsers: 3, deadLetters: 2 });
    await advance(0);
    expect(last().rateLimits.map((u) => u.userId)).toEqual(['u7', 'u6', 'u5']);
    expect(last().deadLetters.map((d) => d.requestId)).toEqual(['dead-7', 'dead-6']);
    const refs = monitorRefs({ topUsers: 3, deadLetters: 2 });
    expect([refs.servers.limit, refs.breakers.limit, refs.topUsers?.limit, refs.deadLetters?.limit]).toEqual([100, 50, 3, 2]);
    expect(monitorRefs({ topUsers: 0, deadLetters: 0 })).toMatchObject({ topUsers: null, deadLetters: null });
  });
});

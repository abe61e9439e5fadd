import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext } from '../testing/engine-fixture.js';
import { jobDocSchema } from '../schema/job.js';
import { analyticsPartialId } from '../schema/names.js';
import { emptyRollupBody } from '../core/analytics/rollup.js';
import type { QueueStatsDoc } from '../schema/analytics.js';
import { serverDocSchema, type ServerDoc } from '../schema/coordination.js';
import { fleetSummaryOf } from './analytics/fleet-summary.js';
import type { StatsRefresher } from './analytics/stats.js';
import { QueueIdleGate } from './leader-duties.js';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ prefix: 'gate_', clock });
  const ctx = engineContext(store, { serverId: 'srv-a', clock });
  const stats = { latest: null as QueueStatsDoc | null };
  const gate = new QueueIdleGate(ctx, stats as unknown as StatsRefresher);
  const woken: string[] = [];
  const ran: string[][] = [];
  return { clock, store, stats, gate, woken, ran, handlers: { wake: (why: string) => void woken.push(why), run: (d: readonly string[]) => void ran.push([...d]) } };
}

describe('queue idle gate', () => {
  it('is quiet only after a stats run that counted no active job', () => {
    const f = setup();
    expect(f.gate.quiet()).toBe(false);
    f.stats.latest = { byStatus: { submitted: 0, queued: 0, waiting: 0, running: 0 }, inFlight: 0 } as unknown as QueueStatsDoc;
    expect(f.gate.quiet()).toBe(true);
    f.stats.latest = { byStatus: { submitted: 0, queued: 0, waiting: 1, running: 0 }, inFlight: 0 } as unknown as QueueStatsDoc;
    expect(f.gate.quiet()).toBe(false);
  });

  it('wakes on the first active job, settles rollups and stats on new partials, and costs no read while nothing changes', async () => {
    const f = setup();
    const stop = f.gate.watch(f.handlers);
    await f.clock.advance(10);
    const reads = f.store.meter.reads;
    await f.clock.advance(60_000);
    expect(f.store.meter.reads).toBe(reads);
    expect(f.woken).toEqual([]);
    expect(f.ran).toEqual([]);

    // A server's last flush: rollups then stats, once for a burst.
    const now = f.store.now();
    for (const server of ['s1', 's2']) {
      await f.store.commit([
        { op: 'set', collection: 'analyticsPartials', id: analyticsPartialId(now, server), data: { ...emptyRollupBody(), periodStart: now, serverId: server, updatedAt: now } },
      ]);
    }
    await f.clock.advance(2_000);
    expect(f.ran).toEqual([['rollups', 'stats']]);

    const job = jobDocSchema.parse({
      status: 'queued', priority: 'normal', userId: 'u', audio: { mimeType: 'audio/wav', bytes: 1, chunkCount: 1 },
      source: 'client', createdAt: now, updatedAt: now, admittedAt: now, rank: now, maxAttempts: 3,
    });
    await f.store.commit([{ op: 'set', collection: 'jobs', id: 'j1', data: job }]);
    await f.clock.advance(10);
    expect(f.woken).toHaveLength(1);
    stop();
  });

  it('merges a flush that landed after the merger last read partials but before the fleet went quiet', async () => {
    const f = setup();
    const covered = { coveredUntil: f.store.now() as number | null };
    const gate = new QueueIdleGate(engineContext(f.store, { serverId: 'srv-a', clock: f.clock }), f.stats as unknown as StatsRefresher, covered);
    await f.clock.advance(500);
    const now = f.store.now();
    await f.store.commit([
      { op: 'set', collection: 'analyticsPartials', id: analyticsPartialId(now, 's1'), data: { ...emptyRollupBody(), periodStart: now, serverId: 's1', updatedAt: now } },
    ]);
    await f.clock.advance(500);
    // Quiet now: the watch starts after the flush, and still merges it.
    const stop = gate.watch(f.handlers);
    await f.clock.advance(2_000);
    expect(f.ran).toEqual([['rollups', 'stats']]);
    // Once merged (the merger read after it), the same partial does not run the duties again.
    covered.coveredUntil = f.store.now();
    stop();
    const again = gate.watch(f.handlers);
    await f.clock.advance(5_000);
    expect(f.ran).toHaveLength(1);
    again();
  });

  it('refreshes the stats once after the throughput window, so the published rate decays', async () => {
    const f = setup();
    const stop = f.gate.watch(f.handlers);
    await f.clock.advance(6 * 60_000 + 100);
    expect(f.ran).toEqual([['stats']]);
    await f.clock.advance(30 * 60_000);
    expect(f.ran).toHaveLength(1);
    stop();
  });

  it('re-runs the stats when a server joins or stops on an idle fleet, not on a heartbeat', async () => {
    const f = setup();
    const serverDoc = (serverId: string, over: Partial<ServerDoc> = {}): ServerDoc =>
      serverDocSchema.parse({
        serverId, hostname: 'h', pid: 1, version: '1.0.0', state: 'active', startedAt: f.store.now(), heartbeatAt: f.store.now(),
        heartbeatIntervalMs: 60_000, inFlight: 0, concurrencyLimit: 4, maxConcurrency: 4, ...over,
      });
    const put = (doc: ServerDoc) => f.store.commit([{ op: 'set', collection: 'servers', id: doc.serverId, data: doc }]);
    const a = serverDoc('srv-a');
    await put(a);
    // What the last stats run published: srv-a alone.
    const publish = (servers: ServerDoc[]) => {
      f.stats.latest = { byStatus: { submitted: 0, queued: 0, waiting: 0, running: 0 }, inFlight: 0, fleet: fleetSummaryOf(servers, null, f.store.now()) } as unknown as QueueStatsDoc;
    };
    publish([a]);
    const stop = f.gate.watch(f.handlers);
    await f.clock.advance(10);
    expect(f.ran).toEqual([]);

    // An idle heartbeat: the document changes, the fleet does not.
    await f.clock.advance(60_000);
    await put({ ...a, heartbeatAt: f.store.now(), jobsCompleted: 7 });
    await f.clock.advance(10);
    expect(f.ran).toEqual([]);

    const b = serverDoc('srv-b');
    await put(b);
    await f.clock.advance(10);
    expect(f.ran).toEqual([['stats']]);
    publish([a, b]);

    await put({ ...b, state: 'stopped', heartbeatAt: f.store.now() });
    await f.clock.advance(10);
    expect(f.ran).toEqual([['stats'], ['stats']]);
    stop();
  });
});

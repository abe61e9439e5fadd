import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, TEST_CONFIG } from '../testing/engine-fixture.js';
import { SINGLETON_IDS } from '../schema/names.js';
import type { EngineContext } from './context.js';
import { LeaderElector } from './leader-elector.js';
import { ServerRegistry, type ServerStatus } from './server-registry.js';
import { fleetModeOf, type IdleAwareDuty, type IdleGate } from './fleet-mode.js';

const coordination = { ...TEST_CONFIG.serverCoordination, idleLeaderLeaseMs: 4_000, idleHeartbeatIntervalMs: 2_000, idleHousekeepingMs: 3_000 };

/** An idle gate the test drives: `quiet` decides, `handlers` is what the leader watches with. */
class TestGate implements IdleGate {
  wokeAt = 0;
  isQuiet = false;
  watching = 0;
  handlers: Parameters<IdleGate['watch']>[0] | null = null;
  quiet(): boolean {
    return this.isQuiet;
  }
  watch(handlers: Parameters<IdleGate['watch']>[0]) {
    this.watching += 1;
    this.handlers = handlers;
    return () => {
      this.watching -= 1;
      this.handlers = null;
    };
  }
}

function setup() {
  const clock = new FakeClock();
  const shared = new MemoryDatabase();
  const stores = [new MemoryStore({ shared, prefix: 'idle_', clock }), new MemoryStore({ shared, prefix: 'idle_', clock })] as const;
  const ctx = stores.map((store, i) => engineContext(store, { serverId: `srv-${'ab'[i]}`, clock, config: { serverCoordination: coordination } }));
  const gate = new TestGate();
  const runs = { stats: 0, work: 0, cleanup: 0 };
  const duties = (): IdleAwareDuty[] => [
    { name: 'stats', intervalMs: 200, idleGate: gate, run: async () => void (runs.stats += 1) },
    { name: 'work', intervalMs: 200, run: async () => void (runs.work += 1) },
    { name: 'cleanup', intervalMs: 1_000, idleIntervalMs: 3_000, run: async () => void (runs.cleanup += 1) },
  ];
  return { clock, stores, ctx, gate, runs, duties };
}

const lease = async (ctx: EngineContext) => (await ctx.store.get('leader', SINGLETON_IDS.leaderLease)).doc!;

describe('leader elector: idle fleet', () => {
  const stops: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('stops its duties and renews a longer lease marked idle while the gate finds nothing to do; work wakes it at once', async () => {
    const f = setup();
    const leader = new LeaderElector(f.ctx[0]!, f.duties());
    const follower = new LeaderElector(f.ctx[1]!, []);
    stops.push(() => leader.stop(), () => follower.stop());
    leader.start();
    await f.clock.advanceUntil(() => leader.current.isLeader, 50);
    follower.start();
    await f.clock.advance(1_000);
    expect(f.runs.work).toBeGreaterThan(2);
    expect((await lease(f.ctx[0]!)).idle).toBe(false);

    f.gate.isQuiet = true;
    await f.clock.advanceUntil(() => leader.current.fleetIdle === true, 50);
    await f.clock.advanceUntil(async () => (await lease(f.ctx[0]!)).idle, 50);
    const idleLease = await lease(f.ctx[0]!);
    expect(idleLease.expiresAt - idleLease.renewedAt).toBe(4_000);
    await f.clock.advanceUntil(() => follower.current.fleetIdle === true, 50);
    expect(fleetModeOf(f.ctx[1]!).idle).toBe(true);
    expect(f.gate.watching).toBe(1);

    // Idle: no duty runs on a timer except the time-driven one, on its slow cadence.
    const before = { ...f.runs };
    await f.clock.advance(10_000);
    expect(f.runs.work).toBe(before.work);
    expect(f.runs.stats).toBe(before.stats);
    expect(f.runs.cleanup - before.cleanup).toBeGreaterThanOrEqual(2);
    expect(f.runs.cleanup - before.cleanup).toBeLessThanOrEqual(4);
    expect(leader.current.isLeader).toBe(true);

    // A change makes named duties run once, without waking the fleet.
    f.gate.handlers!.run(['stats']);
    await f.clock.advance(50);
    expect(f.runs.stats).toBe(before.stats + 1);
    expect(f.runs.work).toBe(before.work);

    // Work: the short lease is back at once, the followers see it, every duty runs again.
    f.gate.isQuiet = false;
    const wokeAt = f.stores[0].now();
    f.gate.handlers!.wake('test');
    await f.clock.advanceUntil(async () => !(await lease(f.ctx[0]!)).idle, 10);
    const busy = await lease(f.ctx[0]!);
    expect(busy.expiresAt - busy.renewedAt).toBe(800);
    expect(busy.renewedAt - wokeAt).toBeLessThan(100);
    expect(f.gate.wokeAt).toBeGreaterThanOrEqual(wokeAt);
    expect(f.gate.watching).toBe(0);
    await f.clock.advanceUntil(() => follower.current.fleetIdle === false, 10);
    const work = f.runs.work;
    await f.clock.advance(1_000);
    expect(f.runs.work).toBeGreaterThan(work + 2);
  });

  it('a crashed idle leader is replaced within the idle lease, and the new leader starts busy', async () => {
    const f = setup();
    const a = new LeaderElector(f.ctx[0]!, f.duties());
    const gateB = new TestGate();
    const dutiesB: IdleAwareDuty[] = [{ name: 'stats', intervalMs: 200, idleGate: gateB, run: async () => undefined }];
    const b = new LeaderElector(f.ctx[1]!, dutiesB);
    stops.push(() => b.stop());
    a.start();
    await f.clock.advanceUntil(() => a.current.isLeader, 50);
    b.start();
    f.gate.isQuiet = true;
    await f.clock.advanceUntil(() => b.current.fleetIdle === true, 50);
    const last = await lease(f.ctx[1]!);
    a.abandon();
    await f.clock.advanceUntil(() => b.current.isLeader, 50, 20_000);
    const next = await lease(f.ctx[1]!);
    expect(next).toMatchObject({ holder: 'srv-b', term: last.term + 1, idle: false });
    expect(next.acquiredAt).toBeGreaterThanOrEqual(last.expiresAt);
    expect(next.acquiredAt - last.renewedAt).toBeLessThan(4_000 + 500);
    // It took over an idle fleet: liveness judging waits for the servers to speed up.
    expect(gateB.wokeAt).toBe(next.acquiredAt);
  });
});

describe('server heartbeats', () => {
  it('slow down while the fleet is idle and this server holds nothing, and speed up at once when it takes a job', async () => {
    const f = setup();
    const ctx = f.ctx[0]!;
    let inFlight = 0;
    const status = (): ServerStatus => ({ inFlight, concurrencyLimit: 4, maxConcurrency: 4, jobsCompleted: 0, jobsFailed: 0, upstream: {}, budget: {} });
    const registry = new ServerRegistry(ctx, { hostname: 'h', pid: 1, version: 't' }, status);
    const beats: { at: number; interval: number; inFlight: number }[] = [];
    const unsubscribe = ctx.store.listenDoc(
      'servers',
      'srv-a',
      ({ doc }) => void (doc && beats.push({ at: doc.heartbeatAt, interval: doc.heartbeatIntervalMs, inFlight: doc.inFlight })),
      () => undefined,
    );
    await registry.register();
    await f.clock.advance(1_000);
    expect(beats.length).toBeGreaterThanOrEqual(5); // every 200 ms
    fleetModeOf(ctx).set(true);
    await f.clock.advance(10);
    expect(beats.at(-1)!.interval).toBe(2_000); // announced at once
    const slowFrom = beats.length;
    await f.clock.advance(6_000);
    expect(beats.length - slowFrom).toBeGreaterThanOrEqual(2);
    expect(beats.length - slowFrom).toBeLessThanOrEqual(3);
    inFlight = 1;
    const took = f.stores[0].now();
    await f.clock.advanceUntil(() => beats.at(-1)!.inFlight === 1, 10);
    expect(beats.at(-1)!.interval).toBe(200);
    expect(beats.at(-1)!.at - took).toBeLessThanOrEqual(200);
    unsubscribe();
    await registry.deregister();
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/memory/memory-store.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { engineContext } from '../../testing/engine-fixture.js';
import { ServerRegistry, type ServerStatus } from '../server-registry.js';
import { StatsRefresher } from './stats.js';

const idle: ServerStatus = { inFlight: 0, concurrencyLimit: 4, maxConcurrency: 4, jobsCompleted: 0, jobsFailed: 0, upstream: {}, budget: {} };

function fleet() {
  const clock = new FakeClock();
  const store = new MemoryStore({ prefix: 'fleet_', clock });
  const config = { serverCoordination: { heartbeatIntervalMs: 5_000, serverTimeoutMs: 20_000, leaderLeaseMs: 15_000, maintenanceIntervalMs: 5_000 } };
  const registry = (serverId: string, load: () => ServerStatus) =>
    new ServerRegistry(engineContext(store, { serverId, clock, config }), { hostname: `host-${serverId}`, pid: 1, version: '1.2.3' }, load);
  const stats = new StatsRefresher(engineContext(store, { serverId: 'srv-a', clock, config }), () => ({ id: 'srv-a', term: 1 }));
  return { clock, store, registry, stats };
}

describe('fleet summary in the stats document', () => {
  it('lists the servers by id and state, stays the same across heartbeats and changes when a server drains or stops', async () => {
    const f = fleet();
    let inFlight = 0;
    const a = f.registry('srv-a', () => idle);
    const b = f.registry('srv-b', () => ({ ...idle, inFlight }));
    await a.register();
    await b.register();
    const first = (await f.stats.run()).fleet!;
    expect(first.servers.map((s) => [s.serverId, s.state, s.version])).toEqual([
      ['srv-a', 'active', '1.2.3'],
      ['srv-b', 'active', '1.2.3'],
    ]);
    expect(first.servers[0]!.routing).toMatchObject({ model: expect.any(String) });
    expect(first.changedAt).toBe(f.store.now());

    // Heartbeats with new load: the server documents change, the summary does not.
    const heartbeatBefore = (await f.store.get('servers', 'srv-b')).doc!.heartbeatAt;
    inFlight = 3;
    await f.clock.advance(12_000);
    expect((await f.store.get('servers', 'srv-b')).doc!.heartbeatAt).toBeGreaterThan(heartbeatBefore);
    expect((await f.store.get('servers', 'srv-b')).doc!.inFlight).toBe(3);
    const afterHeartbeats = (await f.stats.run()).fleet;
    expect(afterHeartbeats).toEqual(first);
    expect((await f.store.get('stats', 'queue')).doc!.fleet).toEqual(first);

    await b.drain();
    const drained = (await f.stats.run()).fleet!;
    expect(drained.servers.find((s) => s.serverId === 'srv-b')?.state).toBe('draining');
    expect(drained.changedAt).toBe(f.store.now());
    expect(drained.changedAt).toBeGreaterThan(first.changedAt);

    await b.deregister();
    await f.clock.advance(1_000);
    const stopped = (await f.stats.run()).fleet!;
    expect(stopped.servers.map((s) => [s.serverId, s.state])).toEqual([
      ['srv-a', 'active'],
      ['srv-b', 'stopped'],
    ]);
    expect(stopped.changedAt).toBeGreaterThan(drained.changedAt);
    await a.deregister();
  });
});

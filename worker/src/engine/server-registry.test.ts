import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext } from '../testing/engine-fixture.js';
import { ServerRegistry, type ServerStatus } from './server-registry.js';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ prefix: 'reg_', clock });
  const ctx = engineContext(store, { serverId: 'srv-a', clock, config: { serverCoordination: { heartbeatIntervalMs: 5_000 } } });
  let news = 0;
  const status = (): ServerStatus => ({
    inFlight: 1,
    concurrencyLimit: 4,
    maxConcurrency: 4,
    jobsCompleted: news,
    jobsFailed: 0,
    upstream: {},
    budget: {},
  });
  const registry = new ServerRegistry(ctx, { hostname: 'test', pid: 1, version: 'test' }, status);
  const seen = async () => (await store.get('servers', 'srv-a')).doc?.jobsCompleted;
  return { clock, registry, seen, tell: (n: number) => (news = n) };
}

describe('early reports', () => {
  it('news within a second of the last write goes out when that second is over, not at the next heartbeat', async () => {
    const { clock, registry, seen, tell } = setup();
    await registry.register();
    await clock.advance(300);
    tell(1);
    registry.reportNow();
    await clock.advance(0);
    expect(await seen()).toBe(0);
    // The second since the registration's write ends: the news is written then (not 5 s later).
    await clock.advance(700);
    expect(await seen()).toBe(1);
    // Two more pieces of news in the next second: one write carries the last of them.
    tell(2);
    registry.reportNow();
    tell(3);
    registry.reportNow();
    await clock.advance(1_000);
    expect(await seen()).toBe(3);
    await registry.deregister();
  });

  it('news long after the last write goes out at once', async () => {
    const { clock, registry, seen, tell } = setup();
    await registry.register();
    await clock.advance(4_500);
    tell(1);
    registry.reportNow();
    await clock.advance(0);
    expect(await seen()).toBe(1);
    await registry.deregister();
  });
});

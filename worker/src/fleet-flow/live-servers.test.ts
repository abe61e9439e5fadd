import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { serverDocSchema, type ServerDoc } from '../schema/coordination.js';
import { silentLogger } from '../ports/logger.js';
import { FakeClock } from '../testing/fake-clock.js';
import { LiveServers } from './live-servers.js';

function server(id: string, heartbeatAt: number, state: ServerDoc['state'] = 'active'): ServerDoc {
  return serverDocSchema.parse({
    serverId: id,
    hostname: 'h',
    pid: 1,
    version: 'v',
    state,
    startedAt: 0,
    heartbeatAt,
    heartbeatIntervalMs: 5_000,
    inFlight: 0,
    concurrencyLimit: 4,
    maxConcurrency: 4,
  });
}

describe('LiveServers (the flow leader reads heartbeats as they change, not every server each tick)', () => {
  it('follows heartbeats and state changes, reads each change once, and stops when ticks stop or leadership ends', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    const ids = [...Array(12).keys()].map((i) => `s${i}`);
    await store.commit(ids.map((id) => ({ op: 'set' as const, collection: 'servers' as const, id, data: server(id, 0) })));
    const live = new LiveServers(store, clock, silentLogger, 6_000);
    const term = new AbortController();
    const before = store.meter.reads;
    expect((await live.current(term.signal))!.map((s) => s.serverId).sort()).toEqual([...ids].sort());
    expect(store.meter.reads - before).toBe(12);
    // Ten 2 s ticks; every other tick three servers heartbeat (12 heartbeats in all).
    for (let t = 1; t <= 10; t++) {
      await clock.advance(2_000);
      if (t % 2 === 0 && t < 10) await store.commit(ids.slice((t / 2 - 1) * 3, (t / 2) * 3).map((id) => ({ op: 'set' as const, collection: 'servers' as const, id, data: server(id, clock.now()) })));
      const seen = await live.current(term.signal);
      expect(seen).toHaveLength(12);
    }
    // Each heartbeat read once; a query per tick would have read 12 x 10 = 120.
    expect(store.meter.reads - before).toBe(12 + 12);
    // A server that stops leaves the result.
    await store.commit([{ op: 'set', collection: 'servers', id: 's0', data: server('s0', clock.now(), 'stopped') }]);
    await clock.advanceUntil(async () => (await live.current(term.signal))!.length === 11, 10, 1_000);
    // No tick for longer than the idle stop: the listener closes and reads nothing more.
    await clock.advance(7_000);
    const idle = store.meter.reads;
    await store.commit([{ op: 'set', collection: 'servers', id: 's1', data: server('s1', clock.now()) }]);
    await clock.advance(1_000);
    expect(store.meter.reads).toBe(idle);
    // The next tick subscribes again (one read per server), and leadership's end closes it.
    expect(await live.current(term.signal)).toHaveLength(11);
    term.abort();
    const ended = store.meter.reads;
    await store.commit([{ op: 'set', collection: 'servers', id: 's2', data: server('s2', clock.now()) }]);
    await clock.advance(1_000);
    expect(store.meter.reads).toBe(ended);
    expect(await live.current(term.signal)).toBeNull();
  });
});

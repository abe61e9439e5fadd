import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { MINUTE_MS } from '../../core/analytics/rollup.js';
import { silentLogger } from '../../ports/logger.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { engineContext } from '../../testing/engine-fixture.js';
import { RollupMerger } from './merger.js';
import { AnalyticsRecorder } from './recorder.js';
import { StatsRefresher } from './stats.js';

async function fleet(startedAgoMs: number) {
  // 30 s into a minute.
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 30));
  const store = createMemoryStore({ clock });
  const now = clock.now();
  await store.commit([
    {
      op: 'set',
      collection: 'servers',
      id: 'srv-a',
      data: {
        serverId: 'srv-a', hostname: 'h', pid: 1, version: 'v', state: 'active', startedAt: now - startedAgoMs, heartbeatAt: now,
        heartbeatIntervalMs: 1_000, inFlight: 0, concurrencyLimit: 4, maxConcurrency: 4, jobsCompleted: 0, jobsFailed: 0, upstream: {}, budget: {}, labels: {},
      },
    },
  ]);
  const ctx = engineContext(store, { serverId: 'srv-a', clock });
  const recorder = new AnalyticsRecorder({ store, clock, serverId: 'srv-a', log: silentLogger, flushIntervalMs: 1_000 });
  const merger = new RollupMerger(ctx);
  const stats = new StatsRefresher(ctx, () => ({ id: 'srv-a', term: 1 }), { recent: (m) => merger.recent(m) });
  return { clock, recorder, merger, stats };
}

describe('StatsRefresher throughput: the one definition over the leader window', () => {
  it('divides the window buckets jobs by the time they cover (4.5 min here), not by 5 whole minutes', async () => {
    const { clock, recorder, merger, stats } = await fleet(60 * MINUTE_MS);
    for (let i = 0; i < 9; i++) recorder.record({ type: 'succeeded', latencyMs: 1_000 });
    await recorder.flush();
    await merger.run();
    expect((await stats.run()).throughputPerMin).toBeCloseTo(9 / 4.5, 6);
    expect(clock.now() % MINUTE_MS).toBe(30_000);
  });

  it('starts the window when the fleet started, if later (ETAs of a fresh fleet)', async () => {
    const { recorder, merger, stats } = await fleet(20_000);
    for (let i = 0; i < 10; i++) recorder.record({ type: 'failed' });
    await recorder.flush();
    await merger.run();
    // 10 jobs in the 20 s the fleet has been up: 30 a minute.
    expect((await stats.run()).throughputPerMin).toBeCloseTo(30, 6);
  });
});

import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../adapters/memory/index.js';
import { emptyCounters, HOUR_MS, MINUTE_MS } from '../../core/analytics/rollup.js';
import type { AnalyticsRollupDoc, RollupCounters } from '../../schema/analytics.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { engineContext } from '../../testing/engine-fixture.js';
import { silentLogger } from '../../ports/logger.js';
import type { DocStore } from '../../ports/store.js';
import { RollupMerger } from './merger.js';
import { AnalyticsRecorder } from './recorder.js';

/** Small deterministic PRNG (mulberry32): the same traffic on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function rollups(store: DocStore, granularity: 'minute' | 'hour'): Promise<AnalyticsRollupDoc[]> {
  const { docs } = await store.query({ collection: 'analytics', where: [{ field: 'granularity', op: '==', value: granularity }] });
  return docs.map((d) => d.data);
}

function totals(docs: readonly AnalyticsRollupDoc[], from: number, to: number): RollupCounters & { latency: number } {
  const out = { ...emptyCounters(), latency: 0 };
  for (const d of docs) {
    if (d.periodStart < from || d.periodStart >= to) continue;
    for (const [k, v] of Object.entries(d.counters) as [keyof RollupCounters, number][]) out[k] += v;
    out.latency += d.latency.reduce((a, b) => a + b, 0);
  }
  return out;
}

describe('RollupMerger: hour rollups count the same jobs as their minutes', () => {
  it('after every run, over hours of random traffic from two servers and a change of leader, each hour equals the sum of its minutes and of its four 15 minute windows', async () => {
    // Starts 10 minutes before an hour so the traffic crosses two hour boundaries.
    const clock = new FakeClock(Date.UTC(2026, 11, 7, 11, 50, 0));
    const store = createMemoryStore({ clock });
    const rnd = random(19);
    const recorders = ['srv-a', 'srv-b'].map(
      (serverId) => new AnalyticsRecorder({ store, clock, serverId, log: silentLogger, flushIntervalMs: 5_000 }),
    );
    let merger = new RollupMerger(engineContext(store, { serverId: 'srv-a', clock }));
    const end = clock.now() + HOUR_MS + 40 * MINUTE_MS;
    let recorded = 0;
    let runs = 0;
    while (clock.now() < end) {
      for (const rec of recorders) {
        // Bursts and idle stretches: the fleet going idle stopped the old hourly merge.
        const n = rnd() < 0.3 ? 0 : Math.floor(rnd() * 6);
        for (let i = 0; i < n; i++) {
          const r = rnd();
          rec.record(r < 0.8 ? { type: 'succeeded', latencyMs: Math.floor(rnd() * 20_000) } : r < 0.9 ? { type: 'failed' } : { type: 'dead_lettered' });
          recorded += 1;
        }
        if (rnd() < 0.7) await rec.flush();
      }
      await merger.run();
      runs += 1;
      // A new leader half-way: it learns the current hour's earlier minutes from the store.
      if (runs === 250) merger = new RollupMerger(engineContext(store, { serverId: 'srv-b', clock }));
      const minutes = await rollups(store, 'minute');
      const hours = await rollups(store, 'hour');
      for (const h of hours) {
        expect(totals([h], h.periodStart, h.periodStart + HOUR_MS), `hour ${new Date(h.periodStart).toISOString()} after run ${runs}`).toEqual(
          totals(minutes, h.periodStart, h.periodStart + HOUR_MS),
        );
      }
      await clock.advance(5_000 + Math.floor(rnd() * 10_000));
    }
    for (const rec of recorders) await rec.flush();
    await merger.run();
    const minutes = await rollups(store, 'minute');
    const hours = await rollups(store, 'hour');
    // 11:50 to 13:30: three hours.
    expect(hours.length).toBe(3);
    const finished = (c: RollupCounters) => c.succeeded + c.failed + c.deadLettered;
    const day = hours.reduce((s, h) => s + finished(h.counters), 0);
    expect(day).toBe(recorded);
    // The 24 h total is the sum of the 15 minute totals over the same period.
    const first = Math.min(...hours.map((h) => h.periodStart));
    let quarterSum = 0;
    for (let from = first; from < first + hours.length * HOUR_MS; from += 15 * MINUTE_MS) {
      quarterSum += finished(totals(minutes, from, from + 15 * MINUTE_MS));
    }
    expect(quarterSum).toBe(day);
  });

  it('writes the hour with its minute in one commit, with no slower cadence to wait for', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 7, 12, 0, 30));
    const store = createMemoryStore({ clock });
    const rec = new AnalyticsRecorder({ store, clock, serverId: 'srv-a', log: silentLogger, flushIntervalMs: 5_000 });
    const merger = new RollupMerger(engineContext(store, { serverId: 'srv-a', clock }));
    rec.record({ type: 'succeeded', latencyMs: 900 });
    await rec.flush();
    expect(await merger.run()).toEqual({ minutes: 1, hours: 1 });
    await clock.advance(3_000);
    rec.record({ type: 'succeeded', latencyMs: 900 });
    await rec.flush();
    expect(await merger.run()).toEqual({ minutes: 1, hours: 1 });
    expect((await rollups(store, 'hour'))[0]?.counters.succeeded).toBe(2);
    // Nothing new: nothing written.
    await clock.advance(3_000);
    expect(await merger.run()).toEqual({ minutes: 0, hours: 0 });
  });
});

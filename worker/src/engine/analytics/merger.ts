import type { AnalyticsRollupDoc, RollupBody } from '../../schema/analytics.js';
import { analyticsRollupId } from '../../schema/names.js';
import {
  bodiesEqual,
  emptyRollupBody,
  HOUR_MS,
  mergeBodies,
  MINUTE_MS,
  percentile,
  periodStart,
} from '../../core/analytics/rollup.js';
import { at } from '../../ports/store.js';
import type { EngineContext } from '../context.js';

/**
 * Leader duty: merges the servers' per-minute partials into minute rollups, and minute
 * rollups into hour rollups. Reads only recent partials (a few per server) and writes a
 * rollup only when it changed, so an idle system costs almost nothing.
 */
export class RollupMerger {
  private readonly written = new Map<string, RollupBody>();
  private lastHourRun = 0;
  private readonly dirtyHours = new Set<number>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: { lookbackMinutes?: number; hourEveryMs?: number } = {},
  ) {}

  private rollupDoc(granularity: 'minute' | 'hour', start: number, body: RollupBody, servers: string[], now: number): AnalyticsRollupDoc {
    const retention =
      granularity === 'minute' ? this.ctx.config.retention.minuteRollupsMs : this.ctx.config.retention.hourRollupsMs;
    return {
      ...body,
      granularity,
      periodStart: start,
      servers: [...new Set(servers)].sort(),
      p50Ms: percentile(body.latency, 0.5),
      p95Ms: percentile(body.latency, 0.95),
      p99Ms: percentile(body.latency, 0.99),
      updatedAt: now,
      expireAt: start + retention,
    };
  }

  async run(): Promise<{ minutes: number; hours: number }> {
    const now = this.ctx.store.now();
    const lookback = (this.options.lookbackMinutes ?? 3) * MINUTE_MS;
    const { docs } = await this.ctx.store.query({
      collection: 'analyticsPartials',
      where: [{ field: 'periodStart', op: '>=', value: at(periodStart(now, 'minute') - lookback) }],
    });
    const byMinute = new Map<number, { body: RollupBody; servers: string[] }>();
    for (const d of docs) {
      const cur = byMinute.get(d.data.periodStart) ?? { body: emptyRollupBody(), servers: [] };
      cur.body = mergeBodies(cur.body, d.data);
      cur.servers.push(d.data.serverId);
      byMinute.set(d.data.periodStart, cur);
    }
    const writes = [];
    for (const [start, { body, servers }] of byMinute) {
      const id = analyticsRollupId('minute', start);
      const prev = this.written.get(id);
      if (prev && bodiesEqual(prev, body)) continue;
      writes.push({ op: 'set' as const, collection: 'analytics' as const, id, data: this.rollupDoc('minute', start, body, servers, now) });
      this.written.set(id, body);
      this.dirtyHours.add(periodStart(start, 'hour'));
    }
    if (writes.length) await this.ctx.store.commit(writes);
    for (const id of [...this.written.keys()]) {
      const start = Number(id.split('_')[1]);
      if (start < now - lookback - 2 * MINUTE_MS) this.written.delete(id);
    }
    // Hours: on a slower cadence, and whenever one of its minutes changed after the last run.
    let hourWrites = 0;
    if (this.dirtyHours.size && now - this.lastHourRun >= (this.options.hourEveryMs ?? 60_000)) {
      this.lastHourRun = now;
      for (const hour of [...this.dirtyHours]) {
        await this.mergeHour(hour, now);
        this.dirtyHours.delete(hour);
        hourWrites += 1;
      }
    }
    return { minutes: writes.length, hours: hourWrites };
  }

  /** Recomputes one hour rollup from its minute rollups (at most 60 reads). */
  async mergeHour(hourStart: number, now = this.ctx.store.now()): Promise<void> {
    const { docs } = await this.ctx.store.query({
      collection: 'analytics',
      where: [
        { field: 'granularity', op: '==', value: 'minute' },
        { field: 'periodStart', op: '>=', value: at(hourStart) },
        { field: 'periodStart', op: '<', value: at(hourStart + HOUR_MS) },
      ],
    });
    let body = emptyRollupBody();
    const servers: string[] = [];
    for (const d of docs) {
      body = mergeBodies(body, d.data);
      servers.push(...d.data.servers);
    }
    await this.ctx.store.commit([
      { op: 'set', collection: 'analytics', id: analyticsRollupId('hour', hourStart), data: this.rollupDoc('hour', hourStart, body, servers, now) },
    ]);
  }
}

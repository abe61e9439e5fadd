import type { AnalyticsPartialDoc, AnalyticsRollupDoc, RollupBody } from '../../schema/analytics.js';
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
import { at, queryOf } from '../../ports/store.js';
import { QUERIES } from '../../schema/queries.js';
import type { EngineContext } from '../context.js';

/** Partials written up to this long before the last query are read again (writer clock skew). */
const SKEW_MARGIN_MS = 10_000;

/**
 * Leader duty: merges the servers' per-minute partials into minute rollups, and minute
 * rollups into hour rollups. The leader keeps the recent partials in memory and only reads
 * the ones updated since its last run (one read when nothing changed), and writes a rollup
 * only when it changed, so an idle system costs almost nothing.
 */
export class RollupMerger {
  private readonly partials = new Map<string, AnalyticsPartialDoc>();
  private readonly written = new Map<number, RollupBody>();
  private readonly dirtyHours = new Set<number>();
  private lastQueryAt: number | null = null;
  private lastHourRun = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: { windowMinutes?: number; hourEveryMs?: number } = {},
  ) {}

  private get windowMs(): number {
    return (this.options.windowMinutes ?? 6) * MINUTE_MS;
  }

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

  private minute(start: number): { body: RollupBody; servers: string[] } {
    let body = emptyRollupBody();
    const servers: string[] = [];
    for (const p of this.partials.values()) {
      if (p.periodStart !== start) continue;
      body = mergeBodies(body, p);
      servers.push(p.serverId);
    }
    return { body, servers };
  }

  /** Store time of the last read of partials (null before the first run): later ones are unmerged. */
  get coveredUntil(): number | null {
    return this.lastQueryAt;
  }

  async run(): Promise<{ minutes: number; hours: number }> {
    const now = this.ctx.store.now();
    const since = periodStart(now, 'minute') - this.windowMs;
    const { docs } = await this.ctx.store.query(
      this.lastQueryAt === null
        ? queryOf(QUERIES.partialsFrom, { periodStart: at(since) })
        : queryOf(QUERIES.partialsUpdatedSince, { updatedAt: at(this.lastQueryAt - SKEW_MARGIN_MS) }),
    );
    this.lastQueryAt = now;
    const touched = new Set<number>();
    for (const d of docs) {
      if (d.data.periodStart < since) continue;
      this.partials.set(d.id, d.data);
      touched.add(d.data.periodStart);
    }
    for (const [id, p] of this.partials) if (p.periodStart < since) this.partials.delete(id);
    for (const start of this.written.keys()) if (start < since) this.written.delete(start);

    const writes = [];
    for (const start of touched) {
      const { body, servers } = this.minute(start);
      const prev = this.written.get(start);
      if (prev && bodiesEqual(prev, body)) continue;
      writes.push({
        op: 'set' as const,
        collection: 'analytics' as const,
        id: analyticsRollupId('minute', start),
        data: this.rollupDoc('minute', start, body, servers, now),
      });
      this.written.set(start, body);
      this.dirtyHours.add(periodStart(start, 'hour'));
    }
    if (writes.length) await this.ctx.store.commit(writes);

    // Hours: on a slower cadence, from the minute rollups of each hour that changed.
    let hours = 0;
    if (this.dirtyHours.size && now - this.lastHourRun >= (this.options.hourEveryMs ?? 60_000)) {
      this.lastHourRun = now;
      for (const hour of [...this.dirtyHours]) {
        await this.mergeHour(hour, now);
        this.dirtyHours.delete(hour);
        hours += 1;
      }
    }
    return { minutes: writes.length, hours };
  }

  /** Merged activity of the last `minutes` minutes from memory (null before the first run). */
  recent(minutes: number): RollupBody | null {
    if (this.lastQueryAt === null) return null;
    const since = periodStart(this.lastQueryAt, 'minute') - (minutes - 1) * MINUTE_MS;
    let body = emptyRollupBody();
    for (const p of this.partials.values()) if (p.periodStart >= since) body = mergeBodies(body, p);
    return body;
  }

  /** Recomputes one hour rollup from its minute rollups (at most 60 reads). */
  async mergeHour(hourStart: number, now = this.ctx.store.now()): Promise<void> {
    const { docs } = await this.ctx.store.query(
      queryOf(QUERIES.rollupsBetween, { granularity: 'minute', from: at(hourStart), to: at(hourStart + HOUR_MS) }),
    );
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

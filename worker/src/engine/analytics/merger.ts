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

/** One minute rollup's content as the hour it belongs to sums it. */
interface MinuteEntry {
  body: RollupBody;
  servers: string[];
}

/**
 * Leader duty: merges the servers' per-minute partials into minute rollups, and minute
 * rollups into hour rollups. The leader keeps the recent partials in memory and only reads
 * the ones updated since its last run (one read when nothing changed), and writes a rollup
 * only when it changed, so an idle system costs almost nothing.
 *
 * An hour rollup is written in the same commit as the minute rollups it sums, so the two
 * granularities always count the same jobs. (They were merged on a slower cadence from the
 * stored minutes, and not at all once the fleet went idle, whose duties stop: the 24 h view
 * said 349 completed where the 15 min view of the same jobs said 433.)
 */
export class RollupMerger {
  private readonly partials = new Map<string, AnalyticsPartialDoc>();
  private readonly written = new Map<number, RollupBody>();
  /** Per recent hour, every minute rollup in it (loaded once per hour, then kept current). */
  private readonly hours = new Map<number, Map<number, MinuteEntry>>();
  private lastQueryAt: number | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: { windowMinutes?: number } = {},
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
    const changedHours = new Map<number, Map<number, MinuteEntry>>();
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
      const hour = periodStart(start, 'hour');
      const minutes = changedHours.get(hour) ?? new Map<number, MinuteEntry>();
      minutes.set(start, { body, servers });
      changedHours.set(hour, minutes);
    }
    for (const [hour, minutes] of changedHours) {
      const known = await this.hourMinutes(hour);
      for (const [start, entry] of minutes) known.set(start, entry);
      let body = emptyRollupBody();
      const servers: string[] = [];
      for (const entry of known.values()) {
        body = mergeBodies(body, entry.body);
        servers.push(...entry.servers);
      }
      writes.push({ op: 'set' as const, collection: 'analytics' as const, id: analyticsRollupId('hour', hour), data: this.rollupDoc('hour', hour, body, servers, now) });
    }
    if (writes.length) await this.ctx.store.commit(writes);
    for (const hour of this.hours.keys()) if (hour < periodStart(since, 'hour')) this.hours.delete(hour);
    return { minutes: writes.length - changedHours.size, hours: changedHours.size };
  }

  /**
   * The minute rollups of one hour as this leader knows them: read once (at most 60
   * documents, the first time a term touches the hour), then kept current by `run`.
   */
  private async hourMinutes(hourStart: number): Promise<Map<number, MinuteEntry>> {
    const cached = this.hours.get(hourStart);
    if (cached) return cached;
    const { docs } = await this.ctx.store.query(
      queryOf(QUERIES.rollupsBetween, { granularity: 'minute', from: at(hourStart), to: at(hourStart + HOUR_MS) }),
    );
    const minutes = new Map<number, MinuteEntry>();
    for (const d of docs) {
      const { counters, failuresByClass, latency, wait, upstreamLatency } = d.data;
      minutes.set(d.data.periodStart, { body: { counters, failuresByClass, latency, wait, upstreamLatency }, servers: d.data.servers });
    }
    this.hours.set(hourStart, minutes);
    return minutes;
  }

  /** Merged activity of the last `minutes` minutes from memory (null before the first run). */
  recent(minutes: number): RollupBody | null {
    if (this.lastQueryAt === null) return null;
    const since = periodStart(this.lastQueryAt, 'minute') - (minutes - 1) * MINUTE_MS;
    let body = emptyRollupBody();
    for (const p of this.partials.values()) if (p.periodStart >= since) body = mergeBodies(body, p);
    return body;
  }
}

import type { RollupBody } from '../../schema/analytics.js';
import { analyticsPartialId } from '../../schema/names.js';
import type { ErrorClass } from '../../schema/job.js';
import { emptyRollupBody, MINUTE_MS, observe, periodStart } from '../../core/analytics/rollup.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { DocStore, OpsMeter } from '../../ports/store.js';

export type AnalyticsEvent =
  | { type: 'enqueued' }
  | { type: 'admitted' }
  | { type: 'rejected' }
  | { type: 'started'; waitMs: number }
  | { type: 'succeeded'; latencyMs: number }
  /** A failed attempt, whatever happens next. */
  | { type: 'attempt_failed'; errorClass: ErrorClass }
  | { type: 'failed' }
  | { type: 'retried' }
  | { type: 'dead_lettered' }
  | { type: 'cancelled' }
  | { type: 'redriven' }
  | { type: 'upstream'; ok: boolean; latencyMs: number; audioSeconds: number | null; tokens: number | null };

/**
 * This server's analytics for the current minute, flushed to its OWN partial document
 * (`{minute}_{serverId}`) every few seconds: per-job events never write a shared document.
 * The leader merges partials into minute/hour rollups.
 */
/** How often store counters alone (no job event) are written to the partial. */
const OPS_ONLY_FLUSH_MS = 60 * MINUTE_MS;

export class AnalyticsRecorder {
  private readonly periods = new Map<number, { body: RollupBody; dirty: boolean }>();
  private timer: TimerHandle | null = null;
  private lastMeter: OpsMeter;
  private flushing: Promise<void> | null = null;
  private lastOpsFlush = 0;

  constructor(
    private readonly deps: { store: DocStore; clock: Clock; serverId: string; log: Logger; flushIntervalMs: number },
  ) {
    this.lastMeter = { ...deps.store.meter };
  }

  private current(): RollupBody {
    const start = periodStart(this.deps.store.now(), 'minute');
    let p = this.periods.get(start);
    if (!p) {
      p = { body: emptyRollupBody(), dirty: true };
      this.periods.set(start, p);
    }
    p.dirty = true;
    return p.body;
  }

  record(event: AnalyticsEvent): void {
    const body = this.current();
    const c = body.counters;
    switch (event.type) {
      case 'enqueued':
        c.enqueued += 1;
        break;
      case 'admitted':
        c.admitted += 1;
        break;
      case 'rejected':
        c.rejected += 1;
        break;
      case 'started':
        c.started += 1;
        observe(body.wait, event.waitMs);
        break;
      case 'succeeded':
        c.succeeded += 1;
        observe(body.latency, event.latencyMs);
        break;
      case 'attempt_failed':
        body.failuresByClass[event.errorClass] = (body.failuresByClass[event.errorClass] ?? 0) + 1;
        break;
      case 'failed':
        c.failed += 1;
        break;
      case 'retried':
        c.retried += 1;
        break;
      case 'dead_lettered':
        c.deadLettered += 1;
        break;
      case 'cancelled':
        c.cancelled += 1;
        break;
      case 'redriven':
        c.redriven += 1;
        break;
      case 'upstream':
        c.upstreamCalls += 1;
        if (!event.ok) c.upstreamWasted += 1;
        if (event.audioSeconds) c.audioSeconds += event.audioSeconds;
        if (event.tokens) c.tokens += event.tokens;
        if (event.ok && event.audioSeconds && event.audioSeconds > 0) {
          observe(body.upstreamLatency, event.latencyMs / event.audioSeconds);
        }
        break;
    }
  }

  start(): void {
    // A fresh server's start-up operations wait for its first job event (or the hour) too.
    this.lastOpsFlush = this.deps.store.now();
    const tick = () => {
      this.timer = this.deps.clock.setTimer(() => {
        this.flush().catch((error: unknown) => this.deps.log.warn({ err: error }, 'analytics flush failed'));
        tick();
      }, this.deps.flushIntervalMs);
    };
    tick();
  }

  /** Writes every period that changed since the last flush (one blind write per period). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    this.flushing = this.doFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    const meter = this.deps.store.meter;
    const delta = {
      reads: meter.reads - this.lastMeter.reads,
      writes: meter.writes - this.lastMeter.writes,
      deletes: meter.deletes - this.lastMeter.deletes,
    };
    // Store operations alone (an idle server's heartbeats) are flushed at most once an hour,
    // job events on every tick: each flush is a write, and every partial written makes the
    // leader merge rollups, so counting an idle fleet's few operations must not cost more
    // operations than it counts. They are never lost: the next flush carries them.
    const events = [...this.periods.values()].some((p) => p.dirty);
    const opsOnly = delta.reads + delta.writes + delta.deletes > 0;
    if (!events && !(opsOnly && this.deps.store.now() - this.lastOpsFlush >= OPS_ONLY_FLUSH_MS)) return;
    this.lastOpsFlush = this.deps.store.now();
    const body = this.current();
    const writes = [...this.periods.entries()].filter(([, p]) => p.dirty);
    body.counters.firestoreReads += delta.reads;
    // Counts the writes this flush is about to make, so the numbers add up.
    body.counters.firestoreWrites += delta.writes + writes.length;
    body.counters.firestoreDeletes += delta.deletes;
    const now = this.deps.store.now();
    for (const [, p] of writes) p.dirty = false;
    try {
      await this.deps.store.commit(
        writes.map(([start, p]) => ({
          op: 'set' as const,
          collection: 'analyticsPartials' as const,
          id: analyticsPartialId(start, this.deps.serverId),
          data: { ...structuredClone(p.body), periodStart: start, serverId: this.deps.serverId, updatedAt: now },
        })),
      );
      this.lastMeter = {
        reads: this.lastMeter.reads + delta.reads,
        writes: this.lastMeter.writes + delta.writes + writes.length,
        deletes: this.lastMeter.deletes + delta.deletes,
      };
    } catch (error) {
      for (const [, p] of writes) p.dirty = true;
      body.counters.firestoreReads -= delta.reads;
      body.counters.firestoreWrites -= delta.writes + writes.length;
      body.counters.firestoreDeletes -= delta.deletes;
      throw error;
    }
    // Keep only recent periods in memory; older ones are final once flushed.
    for (const start of [...this.periods.keys()]) {
      if (start < periodStart(now, 'minute') - 2 * MINUTE_MS && !this.periods.get(start)?.dirty) this.periods.delete(start);
    }
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.flush();
  }
}

import type { Actor } from '../schema/audit.js';
import type { BulkControlDoc } from '../schema/bulk.js';
import { QUERIES } from '../schema/queries.js';
import { readDocsFrom } from '../core/mutations.js';
import { QueueError } from '../core/errors.js';
import { runControl, type ControlPlan, type ControlStore } from '../core/controls/index.js';
import {
  BULK_LEASE_MS,
  BULK_PAGE_SIZE,
  advanceBulk,
  bulkLeaseProblem,
  bulkPageQuery,
  finishBulk,
  planBulkPage,
  takeBulkLease,
  type BulkLease,
  type BulkPageQuery,
  type BulkStep,
  type BulkStepOutcome,
} from '../core/controls/bulk-pager.js';
import { decideBulkPageFailure, planUnreadableBulk, unreadableBulkLease } from '../core/controls/bulk-failure.js';
import { at, queryOf, type SelectResult, type Unsubscribe } from '../ports/store.js';
import type { TimerHandle } from '../ports/clock.js';
import type { EngineContext } from './context.js';
import { listenResilient } from './resilient-listen.js';

/**
 * How a carrier's run of one bulk control ended. `failed`: it gave up on it (see
 * core/controls/bulk-failure); `unreadable`: a document it cannot read that is not running
 * (nothing to carry).
 */
export type CarryOutcome = 'done' | 'stopped' | 'failed' | 'lost' | 'busy' | 'absent' | 'released' | 'unreadable';

/** The carrier's lease was taken over (it stalled past it) or the control left `running`. */
export class BulkLeaseLostError extends Error {
  constructor(bulkId: string, why: string) {
    super(`bulk control ${bulkId}: lease lost (${why})`);
    this.name = 'BulkLeaseLostError';
  }
}

/** An operator asked the control to stop: the carrier stops before its next step. */
class StopRequested extends Error {}

export interface BulkCarrierOptions {
  pageSize?: number;
  leaseMs?: number;
  /** Store failures of one step tolerated before its jobs are counted as failed. */
  stepAttempts?: number;
  /** Test hook: called before each step; throwing from it stops the carrier like a crash. */
  beforeStep?: (bulkId: string, doc: BulkControlDoc) => void | Promise<void>;
}

/** How long a watcher waits before looking again after a lost race or a failed run. */
const RETRY_MS = 1_000;

type Ctx = Pick<EngineContext, 'store' | 'config' | 'serverId' | 'log' | 'clock'>;

/**
 * Carries out bulk controls (`transcription_bulk_controls`): takes a control's lease (fenced
 * by its token), then page by page and step by step applies its job action through the one
 * control executor (`runControl`: the job state machine, the audio deletes, the analytics
 * counts and an audit entry per step, as if an operator had selected those jobs), and in
 * the same transaction checks its lease and the stop switch and writes the step's progress
 * and the cursor past it. So a step is applied and counted exactly once: a carrier that dies
 * between steps leaves a cursor the next carrier resumes from, and one that stalled past
 * its lease finds its next step refused.
 */
export class BulkCarrier {
  private readonly pageSize: number;
  private readonly leaseMs: number;
  private readonly stepAttempts: number;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: BulkCarrierOptions = {},
  ) {
    this.pageSize = options.pageSize ?? BULK_PAGE_SIZE;
    this.leaseMs = options.leaseMs ?? BULK_LEASE_MS;
    this.stepAttempts = options.stepAttempts ?? 3;
  }

  /**
   * Takes the control's lease and carries it until it is done, stopped or taken over; when
   * `leaving()` turns true (the server shuts down) it releases the lease before its next
   * step, so another server resumes at once instead of after the lease.
   */
  async carry(bulkId: string, leaving: () => boolean = () => false): Promise<CarryOutcome> {
    const taken = await this.take(bulkId);
    if (typeof taken === 'string') return taken;
    let { doc } = taken;
    const { lease } = taken;
    try {
      for (;;) {
        const query = bulkPageQuery(doc, this.pageSize);
        const page = await this.readPage(bulkId, query);
        if ('gaveUp' in page) {
          this.ctx.log.error({ bulkId, reason: page.gaveUp }, 'bulk control: gave up, the store refuses its page query');
          await this.finish(bulkId, lease, 'failed', page.gaveUp);
          return 'failed';
        }
        const plan = planBulkPage(doc, page.docs.map((d) => ({ id: d.id, ...d.data })), query.limit);
        for (const step of plan.steps) {
          if (leaving()) {
            await this.release(bulkId, lease);
            return 'released';
          }
          await this.options.beforeStep?.(bulkId, doc);
          doc = await this.step(bulkId, doc, lease, step);
        }
        if (plan.exhausted || plan.steps.length === 0) {
          await this.finish(bulkId, lease, 'done');
          return 'done';
        }
      }
    } catch (error) {
      if (error instanceof StopRequested) {
        await this.finish(bulkId, lease, 'stopped');
        return 'stopped';
      }
      if (error instanceof BulkLeaseLostError) {
        this.ctx.log.warn({ bulkId, err: error }, 'bulk control: lease lost, another carrier goes on');
        return 'lost';
      }
      throw error;
    }
  }

  /**
   * The next page, its query retried like a step; `gaveUp` when the store keeps refusing it
   * in a way no retry gets past (see core/controls/bulk-failure). A failure that may pass
   * is thrown once the attempts are spent: the control stays running and the watcher tries
   * again later.
   */
  private async readPage(bulkId: string, query: BulkPageQuery): Promise<SelectResult<'jobs', 'createdAt' | 'priority'> | { gaveUp: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ctx.store.select(
          queryOf(
            QUERIES.jobSearch,
            {
              userId: query.userId,
              status: query.status,
              from: query.from === undefined ? undefined : at(query.from),
              to: at(query.to),
            },
            { limit: query.limit },
          ),
          ['createdAt', 'priority'],
        );
      } catch (error) {
        const decision = decideBulkPageFailure(error, attempt, this.stepAttempts);
        this.ctx.log.warn({ bulkId, attempt, err: error, decision: decision.kind }, 'bulk control: page query failed');
        if (decision.kind === 'give-up') return { gaveUp: decision.lastError };
        if (decision.kind === 'hand-back') throw error;
        await this.ctx.clock.sleep(decision.afterMs);
      }
    }
  }

  private take(bulkId: string): Promise<{ doc: BulkControlDoc; lease: BulkLease } | CarryOutcome> {
    return this.ctx.store.runTransaction(async (tx) => {
      const read = await tx.getLenient('bulkControls', bulkId);
      if (read.kind === 'missing') return 'absent' as const;
      const now = tx.now();
      if (read.kind === 'undecodable') {
        // Nobody can carry what nobody can read: it ends failed with why, unless another
        // server's lease still covers it (that one, maybe a newer version, decides).
        if (read.raw.state !== 'running') return 'unreadable' as const;
        const fields = planUnreadableBulk(read.raw, read.error.issues, { now, serverId: this.ctx.serverId });
        if (!fields) return 'busy' as const;
        tx.update('bulkControls', bulkId, fields);
        this.ctx.log.error({ bulkId, reason: fields.progress?.lastError }, 'bulk control: gave up, its document does not match the schema');
        return 'failed' as const;
      }
      const doc = read.doc;
      if (doc.state === 'running' && doc.stopRequested) {
        tx.set('bulkControls', bulkId, finishBulk(doc, 'stopped', now));
        return 'stopped' as const;
      }
      const taken = takeBulkLease(doc, this.ctx.serverId, now, this.leaseMs);
      if (!taken) return doc.state === 'running' ? ('busy' as const) : doc.state;
      tx.set('bulkControls', bulkId, taken.doc);
      return taken;
    });
  }

  /** Reads the control under this carrier's lease (in a transaction); stops on a stop request. */
  private async guarded(tx: Parameters<Parameters<Ctx['store']['runTransaction']>[0]>[0], bulkId: string, lease: BulkLease): Promise<BulkControlDoc> {
    const doc = await tx.get('bulkControls', bulkId);
    const problem = bulkLeaseProblem(doc, lease, tx.now());
    if (problem || !doc) throw new BulkLeaseLostError(bulkId, problem ?? 'gone');
    if (doc.stopRequested) throw new StopRequested();
    return doc;
  }

  private async step(bulkId: string, doc: BulkControlDoc, lease: BulkLease, step: BulkStep): Promise<BulkControlDoc> {
    if (step.targets.length === 0) return this.commitProgress(bulkId, lease, step, { done: 0, skipped: {}, failed: 0 });
    let written: BulkControlDoc | null = null;
    // The executor's store: the step's job transitions, its audit entry and the bulk
    // document's progress in ONE transaction, under this carrier's lease.
    const store: ControlStore = {
      commitPlan: (refs, decide) =>
        this.ctx.store.runTransaction(async (tx) => {
          const current = await this.guarded(tx, bulkId, lease);
          const docs = await tx.getAll(refs);
          const now = tx.now();
          const plan = decide(readDocsFrom(refs.map((ref, i) => ({ ref, doc: docs[i] ?? null }))), now);
          tx.apply(plan.mutations);
          tx.create('audit', plan.auditId, plan.audit);
          written = advanceBulk(current, step, outcomeOf(plan), now, this.leaseMs);
          tx.set('bulkControls', bulkId, written);
          return plan;
        }),
    };
    const actor: Actor = doc.requestedBy;
    const { finishedJobsMs, auditMs } = this.ctx.config.retention;
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= this.stepAttempts; attempt++) {
      try {
        await runControl(
          store,
          { type: doc.action, jobIds: step.targets, selection: `bulk ${bulkId}: ${doc.description}`, reason: doc.reason },
          actor,
          { finishedJobsMs, auditMs },
        );
        return written!;
      } catch (error) {
        if (error instanceof StopRequested || error instanceof BulkLeaseLostError) throw error;
        // The planner refused every job of the step (none can take the action): all skipped.
        if (error instanceof QueueError) return this.commitProgress(bulkId, lease, step, { done: 0, skipped: { [error.code]: step.targets.length }, failed: 0 });
        lastError = error;
        this.ctx.log.warn({ bulkId, attempt, err: error }, 'bulk control: step failed in the store');
        if (attempt < this.stepAttempts) await this.ctx.clock.sleep(200 * attempt);
      }
    }
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    return this.commitProgress(bulkId, lease, step, { done: 0, skipped: {}, failed: step.targets.length, error: message });
  }

  /** A step without job writes: progress and cursor only (every job skipped, failed or filtered out). */
  private commitProgress(bulkId: string, lease: BulkLease, step: BulkStep, outcome: BulkStepOutcome): Promise<BulkControlDoc> {
    return this.ctx.store.runTransaction(async (tx) => {
      const current = await this.guarded(tx, bulkId, lease);
      const next = advanceBulk(current, step, outcome, tx.now(), this.leaseMs);
      tx.set('bulkControls', bulkId, next);
      return next;
    });
  }

  private async release(bulkId: string, lease: BulkLease): Promise<void> {
    await this.ctx.store.runTransaction(async (tx) => {
      const doc = await tx.get('bulkControls', bulkId);
      if (bulkLeaseProblem(doc, lease, tx.now()) !== null || !doc) return;
      tx.set('bulkControls', bulkId, { ...doc, carrier: null, carrierExpiresAt: null, updatedAt: Math.max(tx.now(), doc.updatedAt + 1) });
    });
  }

  private async finish(bulkId: string, lease: BulkLease, state: 'done' | 'stopped' | 'failed', error?: string): Promise<void> {
    await this.ctx.store.runTransaction(async (tx) => {
      const doc = await tx.get('bulkControls', bulkId);
      if (bulkLeaseProblem(doc, lease, tx.now()) !== null || !doc) return;
      tx.set('bulkControls', bulkId, finishBulk(doc, state, tx.now(), error));
    });
  }
}

function outcomeOf(plan: ControlPlan): BulkStepOutcome {
  const skipped: Record<string, number> = {};
  for (const s of plan.skipped) skipped[s.error.code] = (skipped[s.error.code] ?? 0) + 1;
  return { done: plan.applied.length, skipped, failed: 0 };
}

/**
 * Every server watches the running bulk controls (one listener) and carries one whose lease
 * is free or ran out, one at a time; a lease held by another server is looked at again when
 * it would run out, so a control whose carrier died is resumed from its cursor.
 */
export class BulkWatcher {
  private unsubscribe: Unsubscribe | null = null;
  private timer: TimerHandle | null = null;
  private carrying: Promise<void> | null = null;
  /** The running controls, readable or not (a carrier fails an unreadable one; see BulkCarrier.take). */
  private latest: { id: string; carrier: string | null; carrierExpiresAt: number | null }[] = [];
  private stopped = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly carrier: BulkCarrier = new BulkCarrier(ctx),
  ) {}

  start(): void {
    this.unsubscribe = listenResilient(
      this.ctx.store,
      queryOf(QUERIES.bulkControlsInStates, { state: ['running'] }),
      (snapshot) => {
        this.latest = [
          ...snapshot.docs.map((d) => ({ id: d.id, carrier: d.data.carrier, carrierExpiresAt: d.data.carrierExpiresAt })),
          ...snapshot.undecodable.map((d) => {
            const lease = unreadableBulkLease(d.raw);
            return { id: d.id, carrier: lease.carrier, carrierExpiresAt: lease.carrier === null ? null : lease.expiresAt };
          }),
        ];
        this.consider();
      },
      { clock: this.ctx.clock, log: this.ctx.log, what: 'bulk controls' },
    );
  }

  /** Stops watching; a step in flight finishes and the lease is released (another server resumes after it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.timer?.cancel();
    await this.carrying;
  }

  private consider(): void {
    if (this.stopped || this.carrying) return;
    const now = this.ctx.store.now();
    const free = this.latest.find((c) => c.carrier === null || c.carrier === this.ctx.serverId || (c.carrierExpiresAt ?? 0) <= now);
    if (free) {
      let settled = false;
      this.carrying = this.carrier
        .carry(free.id, () => this.stopped)
        .then((outcome) => {
          this.ctx.log.info({ bulkId: free.id, outcome }, 'bulk control: carrier finished');
          settled = outcome !== 'busy' && outcome !== 'lost' && outcome !== 'released';
        })
        .catch((error: unknown) => this.ctx.log.error({ bulkId: free.id, err: error }, 'bulk control: carrier failed'))
        .finally(() => {
          this.carrying = null;
          // A lease another server took, or a store failure: look again a little later, not in a loop.
          if (settled) this.consider();
          else this.later(RETRY_MS);
        });
      return;
    }
    const next = Math.min(...this.latest.map((c) => c.carrierExpiresAt ?? Infinity));
    if (Number.isFinite(next)) this.later(next - now + 50);
  }

  private later(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.ctx.clock.setTimer(() => {
      this.timer = null;
      this.consider();
    }, ms);
  }
}

import type { Priority } from '../schema/job.js';
import type { TimerHandle } from '../ports/clock.js';
import { queryOf, type Snapshot, type Unsubscribe } from '../ports/store.js';
import { QUERIES } from '../schema/queries.js';
import type { EngineContext } from '../engine/context.js';
import type { Admission } from '../engine/admission.js';
import { listenResilient } from '../engine/resilient-listen.js';

import { rendezvousDelayMs } from '../core/coordination/rendezvous.js';

/** Admits or rejects client-written `submitted` jobs (readable or not) as they appear. */
export class SubmissionAdmitter {
  private unsub: Unsubscribe | null = null;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly admission: Admission,
    private readonly spreadMs = 1_000,
  ) {}

  start(): void {
    this.unsub = listenResilient(
      this.ctx.store,
      queryOf(QUERIES.submittedJobs, { status: 'submitted' }, { limit: 50 }),
      (snapshot) => {
        // Submissions the engine cannot read are decided too (rejected as INVALID_JOB): left
        // alone they would stay `submitted` and, at the head of this oldest-first query,
        // keep every later submission out of it.
        const pending = [
          ...snapshot.docs.map((d) => ({ id: d.id, hint: { priority: d.data.priority }, known: d as Snapshot<'jobs'> | null })),
          ...snapshot.undecodable.map((d) => ({ id: d.id, hint: null, known: null })),
        ];
        const present = new Set(pending.map((p) => p.id));
        for (const [id, timer] of this.timers) {
          if (!present.has(id)) {
            timer.cancel();
            this.timers.delete(id);
          }
        }
        for (const { id, hint, known } of pending) {
          if (this.timers.has(id) || this.inProgress.has(id)) continue;
          const delay = rendezvousDelayMs(this.ctx.serverId, id, this.spreadMs);
          // The listener's copy and version: deciding it needs no read unless someone came first.
          this.timers.set(id, this.ctx.clock.setTimer(() => void this.admit(id, hint, known), delay));
        }
      },
      { clock: this.ctx.clock, log: this.ctx.log, what: 'client submissions' },
    );
  }

  private async admit(jobId: string, hint: { priority: Priority } | null, known: Snapshot<'jobs'> | null = null): Promise<void> {
    this.timers.delete(jobId);
    this.inProgress.add(jobId);
    try {
      const outcome = await this.admission.admitSubmitted(jobId, hint, known);
      if (outcome !== 'skipped') this.ctx.log.info({ jobId, outcome }, 'client submission decided');
    } catch (error) {
      this.ctx.log.warn({ jobId, err: error }, 'admitting a client submission failed; will retry');
      // Still `submitted`: try again later (the listener does not fire for an unchanged doc).
      if (this.unsub) this.timers.set(jobId, this.ctx.clock.setTimer(() => void this.admit(jobId, hint), this.spreadMs * 2));
    } finally {
      this.inProgress.delete(jobId);
    }
  }

  stop(): void {
    this.unsub?.();
    this.unsub = null;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}

import type { Priority } from '../schema/job.js';
import type { TimerHandle } from '../ports/clock.js';
import { queryOf, type Snapshot, type Unsubscribe } from '../ports/store.js';
import { QUERIES } from '../schema/queries.js';
import type { EngineContext } from '../engine/context.js';
import type { Admission } from '../engine/admission.js';
import { listenResilient } from '../engine/resilient-listen.js';

import { rendezvousDelayMs, rendezvousRank } from '../core/coordination/rendezvous.js';

/**
 * Submissions the admitter listens to, oldest first. Each user can have at most 2 x the
 * quota's perWindow (20 by default) waiting, so one user fills at most part of it.
 */
export const SUBMITTED_WINDOW = 50;

/**
 * Admits or rejects client-written `submitted` jobs (readable or not) as they appear.
 *
 * It listens to the oldest submissions (`SUBMITTED_WINDOW`), shared by every user: a user
 * with more waiting than that would hold everyone else's behind theirs, which is why the
 * security rules cap how fast one user can write submissions (the submission quota, see
 * schema/submission-gate), so a user never has more than two windows' worth waiting.
 * Inside the window users do not wait for each other: each submission is decided on its
 * own timer, and only one user's own admissions queue behind each other (in `Admission`,
 * where they would only race for that user's rate-limit document).
 */
export class SubmissionAdmitter {
  private unsub: Unsubscribe | null = null;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly admission: Admission,
    private readonly spreadMs = 1_000,
    /** The fleet's members (the leader's budget allocation), null while unknown. */
    private readonly members: () => readonly string[] | null = () => null,
  ) {}

  start(): void {
    this.unsub = listenResilient(
      this.ctx.store,
      queryOf(QUERIES.submittedJobs, { status: 'submitted' }, { limit: SUBMITTED_WINDOW }),
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
          const delay = this.delayFor(id);
          // The listener's copy and version: deciding it needs no read unless someone came first.
          this.timers.set(id, this.ctx.clock.setTimer(() => void this.admit(id, hint, known), delay));
        }
      },
      { clock: this.ctx.clock, log: this.ctx.log, what: 'client submissions' },
    );
  }

  /**
   * With the fleet's members known, their rendezvous order for the job: the first decides it
   * at once, the next only a spread later and only if it is still submitted (the first was
   * busy or gone). Without them, a hashed delay within the spread, so the workers that all
   * see the same submission do not all write it at once: the earliest of N uniform delays,
   * which left a submission waiting about spread / (N + 1) on average (a third of a
   * second with two workers) before anyone looked at it.
   */
  private delayFor(jobId: string): number {
    const members = this.members();
    const rank = members ? rendezvousRank(this.ctx.serverId, members, jobId) : null;
    if (rank !== null) return rank * this.spreadMs;
    return rendezvousDelayMs(this.ctx.serverId, jobId, this.spreadMs);
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

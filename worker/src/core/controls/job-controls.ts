import { payloadChunkId } from '../../schema/names.js';
import type { AuditDoc } from '../../schema/audit.js';
import type { JobDoc, JobStatus } from '../../schema/job.js';
import { InvalidTransitionError, NotFoundError, PayloadGoneError, type QueueError } from '../errors.js';
import { cancelUnheld } from '../jobs/transitions.js';
import { shardOf } from '../coordination/rendezvous.js';
import type { DocMutation } from '../mutations.js';
import type { CommandOf } from './commands.js';
import {
  DEFAULT_CONTROL_RETENTION,
  MAX_PLAN_WRITES,
  type ControlContext,
  type UnsealedResult,
  type SkippedTarget,
} from './plan.js';

type JobCommand = CommandOf<'job.cancel'> | CommandOf<'job.retry'> | CommandOf<'job.redrive'>;

const CANCELLABLE: readonly JobStatus[] = ['submitted', 'queued', 'waiting', 'running'];
const RETRYABLE: readonly JobStatus[] = ['waiting', 'failed'];
const REDRIVABLE: readonly JobStatus[] = ['dead_lettered', 'failed'];

interface JobOutcome {
  job: JobDoc;
  /** Payload chunks to delete because the job no longer needs its audio. */
  deletePayload: boolean;
  from: JobStatus;
}

function requeue(jobId: string, job: JobDoc, now: number, patch: Partial<JobDoc>): JobDoc {
  return {
    ...job,
    status: 'queued',
    shard: job.shard ?? shardOf(jobId),
    availableAt: null,
    lease: null,
    cancelRequest: null,
    completedAt: null,
    expireAt: null,
    result: null,
    progress: null,
    // Keeps its original rank: a job an operator sends back has already waited its turn.
    rank: job.rank ?? now,
    updatedAt: now,
    ...patch,
  };
}

function planOne(command: JobCommand, jobId: string, job: JobDoc, ctx: ControlContext): JobOutcome {
  const now = ctx.now;
  const retention = ctx.retention ?? DEFAULT_CONTROL_RETENTION;
  const from = job.status;
  switch (command.type) {
    case 'job.cancel': {
      if (!CANCELLABLE.includes(from)) throw InvalidTransitionError.forJob(jobId, from, 'cancelled', CANCELLABLE);
      if (from === 'running') {
        // The holder listens to its running jobs, aborts the upstream call and finishes the
        // job as `cancelled` itself (a fenced write); if it died, lease reclaim cancels it.
        // Already requested: nothing to change, so nothing to audit (an entry must describe a write).
        if (job.cancelRequest) {
          throw new InvalidTransitionError(jobId, from, 'cancelled', `cancellation of job ${jobId} was already requested`);
        }
        return {
          job: { ...job, cancelRequest: { at: now, by: ctx.actor.id, reason: command.reason }, updatedAt: now },
          deletePayload: false,
          from,
        };
      }
      const cancelled = cancelUnheld(job, {
        now,
        by: ctx.actor.id,
        reason: command.reason,
        retentionMs: retention.finishedJobsMs,
      });
      return { job: cancelled, deletePayload: job.payloadDeletedAt === null, from };
    }
    case 'job.retry': {
      if (!RETRYABLE.includes(from)) throw InvalidTransitionError.forJob(jobId, from, 'retried', RETRYABLE);
      if (job.payloadDeletedAt !== null) throw new PayloadGoneError(jobId);
      // waiting: skip the rest of the backoff; failed: a fresh attempt budget.
      return { job: requeue(jobId, job, now, from === 'failed' ? { attempts: 0 } : {}), deletePayload: false, from };
    }
    case 'job.redrive': {
      if (!REDRIVABLE.includes(from)) throw InvalidTransitionError.forJob(jobId, from, 'redriven', REDRIVABLE);
      if (job.payloadDeletedAt !== null) throw new PayloadGoneError(jobId);
      return {
        job: requeue(jobId, job, now, { attempts: 0, redriveCount: job.redriveCount + 1 }),
        deletePayload: false,
        from,
      };
    }
  }
}

const VERB: Record<JobCommand['type'], string> = {
  'job.cancel': 'cancelled',
  'job.retry': 'retried',
  'job.redrive': 'redriven',
};

export function jobControlReads(command: JobCommand): { collection: 'jobs'; id: string }[] {
  return command.jobIds.map((id) => ({ collection: 'jobs' as const, id }));
}

export function planJobControl(command: JobCommand, ctx: ControlContext): UnsealedResult {
  const retention = ctx.retention ?? DEFAULT_CONTROL_RETENTION;
  const mutations: DocMutation[] = [];
  const applied: string[] = [];
  const skipped: SkippedTarget[] = [];
  const transitions: string[] = [];
  const payloadDeletes: { id: string; chunkCount: number; jobIndex: number }[] = [];

  for (const jobId of command.jobIds) {
    const job = ctx.docs.get('jobs', jobId);
    try {
      if (!job) throw new NotFoundError('job', jobId);
      const outcome = planOne(command, jobId, job, ctx);
      applied.push(jobId);
      transitions.push(`${outcome.from}->${outcome.job.status}`);
      mutations.push({ op: 'set', collection: 'jobs', id: jobId, data: outcome.job });
      // Inline audio (0 chunks) already left with the job's own write (see `cancelUnheld`).
      if (outcome.deletePayload && job.audio.chunkCount > 0) {
        payloadDeletes.push({ id: jobId, chunkCount: job.audio.chunkCount, jobIndex: mutations.length - 1 });
      }
    } catch (error) {
      skipped.push({ id: jobId, error: error as QueueError });
    }
  }

  if (applied.length === 0) {
    const first = skipped[0]!.error;
    if (skipped.length === 1) return { ok: false, error: first };
    return {
      ok: false,
      error: new InvalidTransitionError(
        command.selection ?? `${skipped.length} jobs`,
        'mixed',
        VERB[command.type],
        `none of the ${skipped.length} jobs can be ${VERB[command.type]}; first: ${first.message}`,
      ),
    };
  }

  // Delete audio in the same transaction while the write budget allows; past it, mark the
  // payload as still present so the leader's payload sweep removes it later.
  let writes = mutations.length + 1;
  for (const del of payloadDeletes) {
    if (writes + del.chunkCount <= MAX_PLAN_WRITES) {
      for (let i = 0; i < del.chunkCount; i++) {
        mutations.push({ op: 'delete', collection: 'payloads', id: payloadChunkId(del.id, i) });
      }
      writes += del.chunkCount;
    } else {
      const m = mutations[del.jobIndex];
      if (m?.op === 'set' && m.collection === 'jobs') m.data = { ...m.data, payloadDeletedAt: null };
    }
  }

  const single = command.jobIds.length === 1;
  const audit: AuditDoc = {
    at: ctx.now,
    actor: ctx.actor,
    action: command.type,
    target: { kind: 'job', id: single ? command.jobIds[0]! : (command.selection ?? `${command.jobIds.length} jobs`) },
    targetIds: applied,
    reason: command.reason,
    details: single
      ? { transition: transitions[0] ?? 'unchanged' }
      : { applied: applied.length, skipped: skipped.length, requested: command.jobIds.length },
    expireAt: ctx.now + retention.auditMs,
  };
  return { ok: true, plan: { command, mutations, audit, applied, skipped } };
}

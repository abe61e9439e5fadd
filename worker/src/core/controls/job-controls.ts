import { payloadChunkId } from '../../schema/names.js';
import type { AuditDoc } from '../../schema/audit.js';
import { InvalidTransitionError, NotFoundError, type QueueError } from '../errors.js';
import { operateJob, type OperatorJobAction } from '../jobs/transitions.js';
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

const ACTION: Record<JobCommand['type'], OperatorJobAction> = {
  'job.cancel': 'cancel',
  'job.retry': 'retry',
  'job.redrive': 'redrive',
};

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
      // The job's own state machine decides; this adds the audio deletes and the audit entry.
      const outcome = operateJob(jobId, job, ACTION[command.type], {
        now: ctx.now,
        by: ctx.actor.id,
        reason: command.reason,
        retentionMs: retention.finishedJobsMs,
      });
      applied.push(jobId);
      transitions.push(`${job.status}->${outcome.job.status}`);
      mutations.push({ op: 'set', collection: 'jobs', id: jobId, data: outcome.job });
      // Inline audio (0 chunks) already left with the job's own write (see `cancelUnheld`).
      if (outcome.releasesPayload && job.audio.chunkCount > 0) {
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
  // payload as still present so the leader's payload sweep removes it later. Two more
  // writes join the plan: the audit entry and the control's analytics counts.
  let writes = mutations.length + 2;
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

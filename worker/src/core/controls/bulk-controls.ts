import { describeBulkFilter, type BulkControlDoc } from '../../schema/bulk.js';
import type { AuditDoc } from '../../schema/audit.js';
import { InvalidTransitionError, NotFoundError } from '../errors.js';
import type { CommandOf } from './commands.js';
import { DEFAULT_CONTROL_RETENTION, type ControlContext, type UnsealedResult } from './plan.js';
import { bulkProgressSchema } from '../../schema/bulk.js';

type BulkCommand = CommandOf<'bulk.start'> | CommandOf<'bulk.stop'> | CommandOf<'bulk.resume'>;

export function bulkControlReads(command: BulkCommand): { collection: 'bulkControls'; id: string }[] {
  return [{ collection: 'bulkControls', id: command.bulkId }];
}

/** A new bulk control: running, nothing seen, no carrier yet (a server takes its lease). */
function started(command: CommandOf<'bulk.start'>, ctx: ControlContext): BulkControlDoc {
  return {
    action: command.action,
    filter: command.filter,
    description: describeBulkFilter(command.filter),
    reason: command.reason,
    requestedBy: ctx.actor,
    createdAt: ctx.now,
    createdBefore: ctx.now,
    expectedCount: command.expectedCount,
    state: 'running',
    stopRequested: false,
    progress: bulkProgressSchema.parse({}),
    cursor: { createdAt: null, idsAt: [] },
    carrier: null,
    carrierToken: 0,
    carrierExpiresAt: null,
    updatedAt: ctx.now,
    finishedAt: null,
    controlAudit: null,
  };
}

/**
 * Start, stop and resume of a bulk control. Only the operator's switch changes here: the
 * carrier owns `state` while it runs (it stops at its next step once `stopRequested`), so a
 * stop never races a step's progress. A stop is refused when it would change nothing. Done
 * is final; stopped and failed can be resumed.
 */
export function planBulkControl(command: BulkCommand, ctx: ControlContext): UnsealedResult {
  const current = ctx.docs.get('bulkControls', command.bulkId);
  let next: BulkControlDoc;
  if (command.type === 'bulk.start') {
    if (current) {
      return { ok: false, error: new InvalidTransitionError(command.bulkId, current.state, 'started', `bulk control ${command.bulkId} already exists`) };
    }
    next = started(command, ctx);
  } else {
    if (!current) return { ok: false, error: new NotFoundError('bulk control', command.bulkId) };
    if (command.type === 'bulk.stop') {
      if (current.state !== 'running' || current.stopRequested) {
        const why = current.stopRequested ? 'a stop was already requested' : `it is ${current.state}`;
        return { ok: false, error: new InvalidTransitionError(command.bulkId, current.state, 'stopped', `bulk control ${command.bulkId} cannot be stopped: ${why}`) };
      }
      next = { ...current, stopRequested: true, updatedAt: ctx.now };
    } else {
      // A stopped one, one whose stop no carrier has acted on yet (none was running), or one a
      // carrier gave up on (`failed`, the reason in progress.lastError) once its cause is
      // fixed: it goes on from its cursor, so what was done is not done twice. Its progress,
      // with that last error, stays as it was (the audit entry records it was resumed from failed).
      if (current.state !== 'stopped' && current.state !== 'failed' && !(current.state === 'running' && current.stopRequested)) {
        return { ok: false, error: new InvalidTransitionError(command.bulkId, current.state, 'resumed', `bulk control ${command.bulkId} cannot be resumed: it is ${current.state}`) };
      }
      next = { ...current, state: 'running', stopRequested: false, finishedAt: null, updatedAt: ctx.now };
    }
  }
  const retention = ctx.retention ?? DEFAULT_CONTROL_RETENTION;
  const audit: AuditDoc = {
    at: ctx.now,
    actor: ctx.actor,
    action: command.type,
    target: { kind: 'bulk', id: command.bulkId },
    targetIds: [],
    reason: command.reason,
    details: {
      action: next.action,
      filter: next.description,
      from: current ? current.state : 'none',
      expected: next.expectedCount,
      done: next.progress.done,
    },
    expireAt: ctx.now + retention.auditMs,
  };
  return {
    ok: true,
    plan: {
      command,
      mutations: [{ op: 'set', collection: 'bulkControls', id: command.bulkId, data: next }],
      audit,
      applied: [command.bulkId],
      skipped: [],
    },
  };
}

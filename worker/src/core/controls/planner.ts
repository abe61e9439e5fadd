import { auditEntryId, MAX_AUDITED_JOBS_PER_COMMIT, type AuditedCollection } from '../../schema/control-audit.js';
import type { DocOf } from '../../schema/documents.js';
import { ValidationError } from '../errors.js';
import type { DocMutation, DocRef } from '../mutations.js';
import { breakerControlReads, planBreakerControl } from './breaker-controls.js';
import { bulkControlReads, planBulkControl } from './bulk-controls.js';
import { controlCommandSchema, type ControlCommand, type ControlCommandInput } from './commands.js';
import { controlCountsMutation } from './control-counts.js';
import { jobControlReads, planJobControl } from './job-controls.js';
import { lockControlReads, planLockControl } from './lock-controls.js';
import type { ControlContext, ControlPlan, ControlResult, UnsealedResult } from './plan.js';
import { planQueueControl, queueControlReads } from './queue-controls.js';
import { planServerControl, serverControlReads } from './server-controls.js';

/** Validates a command (typed `ValidationError` on bad input). */
export function parseControlCommand(input: ControlCommandInput): ControlCommand {
  const parsed = controlCommandSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromIssues(parsed.error.issues, 'control command');
  return parsed.data;
}

/** The documents an adapter must read (in its transaction) before planning `command`. */
export function controlReads(command: ControlCommand): DocRef[] {
  switch (command.type) {
    case 'queue.pause':
    case 'queue.resume':
      return queueControlReads();
    case 'job.cancel':
    case 'job.retry':
    case 'job.redrive':
      return jobControlReads(command);
    case 'lock.force_release':
      return lockControlReads(command);
    case 'breaker.force_open':
    case 'breaker.force_close':
    case 'breaker.clear_override':
    case 'breaker.reset':
      return breakerControlReads(command);
    case 'server.drain':
    case 'server.resume':
      return serverControlReads(command);
    case 'bulk.start':
    case 'bulk.stop':
    case 'bulk.resume':
      return bulkControlReads(command);
  }
}

/** The per-kind planners' plan, before the documents name their audit entry. */
function planUnsealed(command: ControlCommand, ctx: ControlContext): UnsealedResult {
  switch (command.type) {
    case 'queue.pause':
    case 'queue.resume':
      return planQueueControl(command, ctx);
    case 'job.cancel':
    case 'job.retry':
    case 'job.redrive':
      return planJobControl(command, ctx);
    case 'lock.force_release':
      return planLockControl(command, ctx);
    case 'breaker.force_open':
    case 'breaker.force_close':
    case 'breaker.clear_override':
    case 'breaker.reset':
      return planBreakerControl(command, ctx);
    case 'server.drain':
    case 'server.resume':
      return planServerControl(command, ctx);
    case 'bulk.start':
    case 'bulk.stop':
    case 'bulk.resume':
      return planBulkControl(command, ctx);
  }
}

/**
 * Plans a control: the document writes (the controlled documents, a cancel's audio deletes
 * and the control's analytics counts) plus the audit entry, or a typed error. Pure; an
 * executor (`runControl`, over the worker's store or the console's data port) reads
 * `controlReads(command)` in a transaction, calls this, and applies `plan.mutations` +
 * creates `plan.audit` under `plan.auditId` in the same transaction.
 */
export function planControl(command: ControlCommand, ctx: ControlContext): ControlResult {
  const now = controlTime(command, ctx);
  const result = planUnsealed(command, { ...ctx, now });
  if (!result.ok) return result;
  const plan = sealWithAudit(result.plan, now);
  const counts = controlCountsMutation(plan, now);
  return { ok: true, plan: counts ? { ...plan, mutations: [...plan.mutations, counts] } : plan };
}

/**
 * The control's time, the version it stamps on what it changes: `ctx.now`, or 1 ms after the
 * newest version among the documents it reads. Each document's versions then strictly
 * increase, so no two controls of a document derive the same audit entry id, even from a
 * lagging (or, in tests, frozen) clock. The rules accept times within minutes of theirs.
 */
function controlTime(command: ControlCommand, ctx: ControlContext): number {
  let t = ctx.now;
  for (const ref of controlReads(command)) {
    const doc = ctx.docs.get(ref.collection, ref.id);
    // A server document is the worker's, not the control's: its version is its heartbeat.
    if (!doc || ref.collection === 'servers') continue;
    const version = ref.collection === 'locks' ? (doc as DocOf<'locks'>).releasedAt : (doc as { updatedAt: number }).updatedAt;
    if (version !== null && version >= t) t = version + 1;
  }
  return t;
}

type AuditedSet = Extract<DocMutation, { op: 'set'; collection: AuditedCollection }>;

function isAuditedSet(m: DocMutation): m is AuditedSet {
  return (
    m.op === 'set' &&
    (m.collection === 'controls' || m.collection === 'breakers' || m.collection === 'locks' || m.collection === 'jobs' || m.collection === 'bulkControls')
  );
}

/**
 * Names the audit entry in every document the control writes: the entry id derives from the
 * first controlled document and the control's time (the version it stamps), and each
 * document records its place in the entry's `targetIds` (jobs) or 0 (the single target).
 */
function sealWithAudit(plan: Omit<ControlPlan, 'auditId'>, now: number): ControlPlan {
  const targets = plan.mutations.filter(isAuditedSet);
  const first = targets[0];
  if (!first) throw new Error(`control ${plan.command.type} planned no document write to audit`);
  const auditId = auditEntryId(first.collection, first.id, now);
  const mutations = plan.mutations.map((m): DocMutation => {
    if (!isAuditedSet(m)) return m;
    const index = m.collection === 'jobs' ? plan.audit.targetIds.indexOf(m.id) : 0;
    if (index < 0) throw new Error(`job ${m.id} is written but not listed in the audit entry`);
    return { ...m, data: { ...m.data, controlAudit: { id: auditId, index } } } as DocMutation;
  });
  return { ...plan, mutations, auditId };
}

/**
 * A bulk job command as the commands a browser commits one by one: each carries at most
 * MAX_AUDITED_JOBS_PER_COMMIT jobs, so the rules can follow its audit entry to every job it
 * lists within Firestore's 20 document reads per request. Other commands come back as they are.
 */
export function auditedParts(command: ControlCommand): ControlCommand[] {
  if (command.type !== 'job.cancel' && command.type !== 'job.retry' && command.type !== 'job.redrive') return [command];
  const size = MAX_AUDITED_JOBS_PER_COMMIT;
  if (command.jobIds.length <= size) return [command];
  const parts = Math.ceil(command.jobIds.length / size);
  return Array.from({ length: parts }, (_, i) => ({
    ...command,
    jobIds: command.jobIds.slice(i * size, (i + 1) * size),
    selection: `${command.selection ?? `${command.jobIds.length} jobs`} (part ${i + 1} of ${parts})`,
  }));
}

import type { Actor, AuditDoc } from '../../schema/audit.js';
import { controlRetentionSchema, type ControlRetention } from '../../schema/control-audit.js';
import type { QueueError } from '../errors.js';
import type { DocMutation, ReadDocs } from '../mutations.js';
import type { ControlCommand } from './commands.js';

/** The worker config's defaults (`retention.finishedJobsMs`, `retention.auditMs`). */
export const DEFAULT_CONTROL_RETENTION: ControlRetention = controlRetentionSchema.parse({});

export interface ControlContext {
  actor: Actor;
  /** Store time when the adapter has one (admin SDK read time), else the caller's clock. */
  now: number;
  docs: ReadDocs;
  retention?: ControlRetention;
}

export interface SkippedTarget {
  id: string;
  error: QueueError;
}

export interface ControlPlan {
  command: ControlCommand;
  /**
   * Apply all of these and create `audit` under `auditId` in ONE transaction. Every document
   * the control changes names the entry in its `controlAudit` (the security rules check the
   * entry is created by the same request and describes that write).
   */
  mutations: DocMutation[];
  audit: AuditDoc;
  /** `auditEntryId()` of the (first) controlled document and the control's time. */
  auditId: string;
  /** Targets the command changed (or that were already in the requested state). */
  applied: string[];
  /** Bulk commands: targets left alone, each with the reason. */
  skipped: SkippedTarget[];
}

export type ControlResult = { ok: true; plan: ControlPlan } | { ok: false; error: QueueError };

/** A per-kind planner's result, before the planner names the audit entry in each document. */
export type UnsealedResult = { ok: true; plan: Omit<ControlPlan, 'auditId'> } | { ok: false; error: QueueError };

/** Writes one transaction may carry in a plan (Firestore allows 500; leave room for the audit). */
export const MAX_PLAN_WRITES = 450;

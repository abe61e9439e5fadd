import { z } from 'zod';

/**
 * Audit entries are kept at least this long: the rules refuse an entry whose `expireAt` is
 * sooner (less the 5 minutes an operator's clock may lag Firestore's), and the worker
 * configuration refuses a shorter `retention.auditMs`.
 */
export const AUDIT_MIN_RETENTION_DAYS = 365;
export const AUDIT_MIN_RETENTION_MS = AUDIT_MIN_RETENTION_DAYS * 24 * 3_600_000;

/**
 * How long what a control writes is kept: a job it finishes (`expireAt` of a cancel) and its
 * audit entry. The worker config's `retention.finishedJobsMs` and `retention.auditMs`; the
 * leader publishes the fleet's values in the stats document, so a control from the console
 * stamps the same expiries as one from a worker.
 */
export const controlRetentionSchema = z.object({
  finishedJobsMs: z.number().int().positive().default(7 * 24 * 3_600_000),
  auditMs: z.number().int().min(AUDIT_MIN_RETENTION_MS).default(AUDIT_MIN_RETENTION_MS),
});
export type ControlRetention = z.infer<typeof controlRetentionSchema>;

/** Documents an operator control changes; each names the audit entry of its last control. */
export type AuditedCollection = 'controls' | 'breakers' | 'locks' | 'jobs' | 'bulkControls';

/**
 * `controlAudit` on a controlled document: the audit entry committed with the control that
 * last changed it, and this document's place in that entry's `targetIds` (0 for the single
 * target of a queue, breaker or lock control). The rules follow it to the entry and back.
 */
export const controlAuditSchema = z.object({
  id: z.string().min(1).max(1_500),
  index: z.number().int().nonnegative(),
});
export type ControlAudit = z.infer<typeof controlAuditSchema>;

/**
 * The audit entry id of a control: the (first) controlled document and the control's version
 * (the time the control stamps on it: `updatedAt`, or `releasedAt` for a lock), so the rules
 * can derive it from the written document and check the entry exists after the request.
 */
export function auditEntryId(collection: AuditedCollection, docId: string, versionMs: number): string {
  return `${collection}:${docId}:${versionMs}`;
}

/** Job controls commit at most this many jobs with one audit entry (the rules' 20 document reads per request). */
export const MAX_AUDITED_JOBS_PER_COMMIT = 16;

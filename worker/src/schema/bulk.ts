import { z } from 'zod';
import { actorSchema } from './audit.js';
import { controlAuditSchema } from './control-audit.js';
import { jobStatusSchema, prioritySchema } from './job.js';
import { documentIdString, wellFormedString } from './text.js';
import { timestampMs } from './time.js';

/** The job controls a bulk control applies to every job its filter matches. */
export const BULK_ACTIONS = ['job.retry', 'job.redrive', 'job.cancel'] as const;
export const bulkActionSchema = z.enum(BULK_ACTIONS);
export type BulkAction = z.infer<typeof bulkActionSchema>;

/**
 * `running`: a carrier works through it (or will, once a server takes its lease); `stopped`:
 * an operator stopped it between pages (it may be resumed); `done`: every matching job was
 * seen; `failed`: a carrier gave up on it (`progress.lastError` says why; when, see
 * core/controls/bulk-failure); it may be resumed from its cursor once the cause is fixed.
 */
export const BULK_STATES = ['running', 'stopped', 'done', 'failed'] as const;
export const bulkStateSchema = z.enum(BULK_STATES);
export type BulkState = z.infer<typeof bulkStateSchema>;

/**
 * Which jobs: the console's job search filter (status, user id, created range) plus a
 * priority. Null fields do not filter.
 */
export const bulkFilterSchema = z.object({
  status: jobStatusSchema.nullable().default(null),
  priority: prioritySchema.nullable().default(null),
  userId: documentIdString(128).nullable().default(null),
  /** createdAt >= fromMs */
  fromMs: timestampMs.nullable().default(null),
  /** createdAt < toMs */
  toMs: timestampMs.nullable().default(null),
});
export type BulkFilter = z.infer<typeof bulkFilterSchema>;

export const bulkProgressSchema = z.object({
  /** Jobs the filter matched so far (each counted once, when its step committed). */
  matched: z.number().int().nonnegative().default(0),
  /** Jobs the action was applied to. */
  done: z.number().int().nonnegative().default(0),
  /** Jobs that could not take the action (already moved on, say), by reason below. */
  skipped: z.number().int().nonnegative().default(0),
  /** Jobs whose step failed in the store after retries (left as they were). */
  failed: z.number().int().nonnegative().default(0),
  /** Skipped jobs by the planner's error code (`INVALID_TRANSITION`, `NOT_FOUND`, ...). */
  skippedByReason: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Steps committed (each a batch of at most MAX_AUDITED_JOBS_PER_COMMIT jobs). */
  steps: z.number().int().nonnegative().default(0),
  lastError: z.string().max(1_000).nullable().default(null),
});
export type BulkProgress = z.infer<typeof bulkProgressSchema>;

/**
 * Where the carrier is in the matching jobs, newest first: every job created after
 * `createdAt` was seen, and of the jobs created exactly at `createdAt`, those in `idsAt`.
 * Null `createdAt`: nothing seen yet. Values, not a document cursor, so a job deleted by
 * retention under the cursor does not send the carrier back to the top.
 */
export const bulkCursorSchema = z.object({
  createdAt: timestampMs.nullable().default(null),
  idsAt: z.array(z.string()).max(500).default([]),
});
export type BulkCursor = z.infer<typeof bulkCursorSchema>;

/**
 * `transcription_bulk_controls/{bulkId}`: one operator's "apply to all matching" as one
 * document. An admin creates it (audited `bulk.start`), stops or resumes it (audited
 * `bulk.stop` / `bulk.resume`); the fleet carries it out: the server holding its lease
 * (`carrier`, fenced by `carrierToken`) applies the action in steps through the one control
 * executor and advances `progress` and `cursor` in each step's transaction.
 */
export const bulkControlDocSchema = z.object({
  action: bulkActionSchema,
  filter: bulkFilterSchema,
  /** The filter in words, for the audit entries of its steps ("status=failed, user=u1"). */
  description: wellFormedString().max(200),
  reason: z.string().max(500).nullable().default(null),
  requestedBy: actorSchema,
  createdAt: timestampMs,
  /** Only jobs created before this are part of it: the set the operator counted, not newer jobs. */
  createdBefore: timestampMs,
  /** The count the operator confirmed (informational). */
  expectedCount: z.number().int().nonnegative().nullable().default(null),
  state: bulkStateSchema,
  /** An operator asked it to stop; the carrier stops at the next step boundary. */
  stopRequested: z.boolean().default(false),
  progress: bulkProgressSchema,
  cursor: bulkCursorSchema,
  /** The server carrying it out now (its lease), or null. */
  carrier: z.string().nullable().default(null),
  /** Fencing token: increases with every lease taken, so a stale carrier's writes are refused. */
  carrierToken: z.number().int().nonnegative().default(0),
  carrierExpiresAt: timestampMs.nullable().default(null),
  updatedAt: timestampMs,
  finishedAt: timestampMs.nullable().default(null),
  /** The audit entry of the last operator control of it (start, stop, resume). */
  controlAudit: controlAuditSchema.nullable().default(null),
});
export type BulkControlDoc = z.infer<typeof bulkControlDocSchema>;

/** Words for a bulk filter ("status=failed, priority=high, user=u1"), recorded with it. */
export function describeBulkFilter(filter: BulkFilter): string {
  const parts: string[] = [];
  if (filter.status) parts.push(`status=${filter.status}`);
  if (filter.priority) parts.push(`priority=${filter.priority}`);
  if (filter.userId) parts.push(`user=${filter.userId}`);
  if (filter.fromMs !== null) parts.push(`from=${new Date(filter.fromMs).toISOString()}`);
  if (filter.toMs !== null) parts.push(`to=${new Date(filter.toMs).toISOString()}`);
  return (parts.length ? parts.join(', ') : 'all jobs').slice(0, 200);
}

import { z } from 'zod';
import { timestampMs } from './time.js';

export const AUDIT_ACTIONS = [
  'queue.pause',
  'queue.resume',
  'breaker.force_open',
  'breaker.force_close',
  'breaker.clear_override',
  'breaker.reset',
  'job.cancel',
  'job.retry',
  'job.redrive',
  'lock.force_release',
  'server.drain',
  'server.resume',
  'bulk.start',
  'bulk.stop',
  'bulk.resume',
] as const;
export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const actorSchema = z.object({
  kind: z.enum(['admin', 'server', 'user', 'system']),
  /** Auth uid for people, server id for servers. */
  id: z.string().min(1),
  email: z.string().nullable().default(null),
});
export type Actor = z.infer<typeof actorSchema>;

/** `transcription_audit/{autoId}`: append-only (security rules forbid update and delete). */
export const auditDocSchema = z.object({
  at: timestampMs,
  actor: actorSchema,
  action: auditActionSchema,
  target: z.object({
    kind: z.enum(['queue', 'breaker', 'job', 'lock', 'server', 'bulk']),
    /** One id, or the filter description for bulk actions. */
    id: z.string(),
  }),
  /** Bulk actions list the affected ids (bounded). */
  targetIds: z.array(z.string()).max(500).default([]),
  reason: z.string().max(500).nullable().default(null),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  expireAt: timestampMs.nullable().default(null),
});
export type AuditDoc = z.infer<typeof auditDocSchema>;

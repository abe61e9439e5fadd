import { z } from 'zod';
import { bulkActionSchema, bulkFilterSchema } from '../../schema/bulk.js';
import { prioritySchema } from '../../schema/job.js';
import { documentIdString, wellFormedString } from '../../schema/text.js';

/** Upper bound on ids per bulk command: keeps one transaction well under the write limits. */
export const MAX_BULK_IDS = 100;

// Job ids, lock names and models name documents (`jobs/{id}`, `locks/{name}`,
// `breakers/{model}`): an id that cannot is refused here, not by the SDK mid-transaction.
const reason = wellFormedString().trim().max(500).nullish().transform((r) => (r ? r : null));
const jobIds = z
  .array(documentIdString(128))
  .min(1)
  .max(MAX_BULK_IDS)
  .transform((ids) => [...new Set(ids)]);
/** Human description of the filter behind a bulk selection, recorded in the audit entry. */
const selection = wellFormedString().max(200).nullish().transform((s) => s ?? null);
const priorities = z
  .array(prioritySchema)
  .min(1)
  .nullish()
  .transform((p) => (p ? [...new Set(p)] : null));
const model = documentIdString(128);
/** A bulk control's document id (the console picks a random one). */
const bulkId = documentIdString(128);
const expectedCount = z.number().int().nonnegative().nullish().transform((n) => n ?? null);

/**
 * Every operator action, as data. The dashboard builds these in the browser; the worker's
 * admin API takes the same shapes. Bulk job actions are the same commands with many ids.
 */
export const controlCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queue.pause'), priorities, reason }),
  z.object({ type: z.literal('queue.resume'), priorities, reason }),
  z.object({ type: z.literal('job.cancel'), jobIds, selection, reason }),
  z.object({ type: z.literal('job.retry'), jobIds, selection, reason }),
  z.object({ type: z.literal('job.redrive'), jobIds, selection, reason }),
  z.object({ type: z.literal('lock.force_release'), name: documentIdString(256), reason }),
  z.object({ type: z.literal('breaker.force_open'), model, reason }),
  z.object({ type: z.literal('breaker.force_close'), model, reason }),
  z.object({ type: z.literal('breaker.clear_override'), model, reason }),
  z.object({ type: z.literal('breaker.reset'), model, reason }),
  // Every job matching a filter, carried out by the fleet in steps (see core/controls/bulk-pager).
  z.object({ type: z.literal('bulk.start'), bulkId, action: bulkActionSchema, filter: bulkFilterSchema, expectedCount, reason }),
  z.object({ type: z.literal('bulk.stop'), bulkId, reason }),
  z.object({ type: z.literal('bulk.resume'), bulkId, reason }),
  z.object({ type: z.literal('server.drain'), serverId: documentIdString(128), reason }),
  z.object({ type: z.literal('server.resume'), serverId: documentIdString(128), reason }),
]);

export type ControlCommandInput = z.input<typeof controlCommandSchema>;
export type ControlCommand = z.output<typeof controlCommandSchema>;
export type ControlType = ControlCommand['type'];
export type CommandOf<T extends ControlType> = Extract<ControlCommand, { type: T }>;

import type { z } from 'zod';
import type { CollectionKey } from './names.js';
import { jobDocSchema } from './job.js';
import { payloadChunkDocSchema } from './payload.js';
import { leaderLeaseDocSchema, lockDocSchema, serverDocSchema } from './coordination.js';
import { breakerDocSchema, budgetDocSchema, queueControlsDocSchema, rateLimitDocSchema } from './flow.js';
import { analyticsPartialDocSchema, analyticsRollupDocSchema, queueStatsDocSchema } from './analytics.js';
import { auditDocSchema } from './audit.js';
import { idempotencyDocSchema } from './misc.js';
import { submissionGateDocSchema } from './submission-gate.js';
import { alertEventDocSchema, alertStateDocSchema } from './alerts.js';
import { bulkControlDocSchema } from './bulk.js';

/**
 * The schema of the documents in each collection. Adapters (admin SDK, web SDK, memory) encode
 * domain values with it on write and decode on read, so the rest of the code only ever sees
 * epoch-ms times and Uint8Array bytes.
 */
export const DOC_SCHEMAS = {
  jobs: jobDocSchema,
  payloads: payloadChunkDocSchema,
  servers: serverDocSchema,
  leader: leaderLeaseDocSchema,
  locks: lockDocSchema,
  breakers: breakerDocSchema,
  rateLimits: rateLimitDocSchema,
  budgets: budgetDocSchema,
  controls: queueControlsDocSchema,
  stats: queueStatsDocSchema,
  analytics: analyticsRollupDocSchema,
  analyticsPartials: analyticsPartialDocSchema,
  audit: auditDocSchema,
  idempotency: idempotencyDocSchema,
  submissionGates: submissionGateDocSchema,
  alerts: alertEventDocSchema,
  alertState: alertStateDocSchema,
  bulkControls: bulkControlDocSchema,
} as const satisfies Record<CollectionKey, z.ZodType>;

/** Domain shape of a document in collection K. */
export type DocOf<K extends CollectionKey> = z.output<(typeof DOC_SCHEMAS)[K]>;
/** Stored (encoded) shape: Dates for times, Uint8Array for bytes. */
export type EncodedDocOf<K extends CollectionKey> = z.input<(typeof DOC_SCHEMAS)[K]>;

export function encodeDoc<K extends CollectionKey>(collection: K, doc: DocOf<K>): Record<string, unknown> {
  const schema = DOC_SCHEMAS[collection] as unknown as z.ZodType<DocOf<K>, Record<string, unknown>>;
  return schema.encode(doc);
}

/**
 * A client-written `submitted` job carries only the fields of `clientSubmissionSchema`; the
 * engine fills the rest on admission. Reading one as a job gives it `updatedAt = createdAt`
 * and a placeholder `maxAttempts` of 1 (admission sets the configured value).
 */
function normalize(collection: CollectionKey, raw: unknown): unknown {
  if (collection !== 'jobs' || typeof raw !== 'object' || raw === null) return raw;
  const job = raw as Record<string, unknown>;
  if (job.status !== 'submitted') return raw;
  return { ...job, updatedAt: job.updatedAt ?? job.createdAt, maxAttempts: job.maxAttempts ?? 1 };
}

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

const picked = new Map<string, ObjectSchema>();

/**
 * The schema of some fields of a document. Cached: zod compiles each object schema on first
 * use, so building one per call would cost time and memory on every projected document.
 */
function pickSchema(collection: CollectionKey, fields: readonly string[]): ObjectSchema {
  const key = `${collection}:${[...fields].sort().join(',')}`;
  let schema = picked.get(key);
  if (!schema) {
    const full = DOC_SCHEMAS[collection] as unknown as ObjectSchema;
    schema = full.pick(Object.fromEntries(fields.map((f) => [f, true])) as Record<string, true>) as unknown as ObjectSchema;
    picked.set(key, schema);
  }
  return schema;
}

/** Encodes some top-level fields of a document (a partial update). */
export function encodeFields<K extends CollectionKey>(collection: K, fields: Partial<DocOf<K>>): Record<string, unknown> {
  return pickSchema(collection, Object.keys(fields)).encode(fields) as Record<string, unknown>;
}

/** Decodes the selected top-level fields of a projection; absent ones get their defaults. */
export function decodeFields<K extends CollectionKey, F extends keyof DocOf<K> & string>(
  collection: K,
  fields: readonly F[],
  raw: unknown,
): Pick<DocOf<K>, F> {
  return pickSchema(collection, fields).decode(raw as Record<string, unknown>) as unknown as Pick<DocOf<K>, F>;
}

export function decodeDoc<K extends CollectionKey>(collection: K, raw: unknown): DocOf<K> {
  const schema = DOC_SCHEMAS[collection] as unknown as z.ZodType<DocOf<K>, unknown>;
  return schema.decode(normalize(collection, raw));
}

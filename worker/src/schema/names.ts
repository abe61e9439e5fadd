import { z } from 'zod';

/**
 * Collection names. Every name takes a configurable prefix so that several tenants or test
 * runs can share one project without seeing each other's data. Defaults follow the seed
 * implementation's names (`transcription_queue`, `transcription_servers`, ...).
 */
export const COLLECTION_BASE_NAMES = {
  jobs: 'transcription_queue',
  payloads: 'transcription_payloads',
  servers: 'transcription_servers',
  leader: 'transcription_leader',
  locks: 'transcription_locks',
  breakers: 'transcription_circuit_breaker',
  rateLimits: 'transcription_rate_limits',
  budgets: 'transcription_budgets',
  controls: 'transcription_controls',
  stats: 'transcription_stats',
  analytics: 'transcription_enterprise_analytics',
  analyticsPartials: 'transcription_analytics_partials',
  audit: 'transcription_audit',
  idempotency: 'transcription_idempotency',
  /** Per-user submission windows the security rules keep (see schema/submission-gate). */
  submissionGates: 'transcription_submission_gates',
  /** The alert feed: one document per alert message the leader sent (see schema/alerts). */
  alerts: 'transcription_alerts',
  /** The alerts firing now (`current`), so a new leader does not send them again. */
  alertState: 'transcription_alert_state',
  /** Operators' "apply to all matching" job controls, carried out by the fleet in steps (see schema/bulk). */
  bulkControls: 'transcription_bulk_controls',
} as const;

export type CollectionKey = keyof typeof COLLECTION_BASE_NAMES;
export type CollectionNames = { readonly [K in CollectionKey]: string };

/** A prefix is a Firestore-safe identifier fragment: letters, digits, `_` and `-`. */
export const collectionPrefixSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]*$/, 'collection prefix may only contain letters, digits, "_" and "-"');

export function collectionNames(prefix = ''): CollectionNames {
  collectionPrefixSchema.parse(prefix);
  const out = {} as Record<CollectionKey, string>;
  for (const key of Object.keys(COLLECTION_BASE_NAMES) as CollectionKey[]) {
    out[key] = `${prefix}${COLLECTION_BASE_NAMES[key]}`;
  }
  return out;
}

/** Well-known document ids inside singleton collections. */
export const SINGLETON_IDS = {
  leaderLease: 'current',
  queueControls: 'queue',
  queueStats: 'queue',
  alertState: 'current',
} as const;

/**
 * A job id: 1-128 letters, digits, "_" or "-" (so it is safe in chunk ids, URLs and rules),
 * and not of the form `__name__`, which Firestore reserves.
 */
export const JOB_ID_PATTERN = /^(?!__.*__$)[A-Za-z0-9_-]{1,128}$/;

/** Payload chunk ids sort by index within a job: `<jobId>_<index padded to 4>`. */
export function payloadChunkId(jobId: string, index: number): string {
  return `${jobId}_${String(index).padStart(4, '0')}`;
}

/** One partial rollup per server per minute keeps per-job counter writes off a hot document. */
export function analyticsPartialId(periodStartMs: number, serverId: string): string {
  return `${periodStartMs}_${serverId}`;
}

export function analyticsRollupId(granularity: 'minute' | 'hour', periodStartMs: number): string {
  return `${granularity}_${periodStartMs}`;
}

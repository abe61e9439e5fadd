import { z } from 'zod';
import { timestampMs } from './time.js';
import { controlAuditSchema } from './control-audit.js';
import { prioritySchema } from './job.js';

export const SERVER_STATES = ['active', 'draining', 'stopped', 'lost'] as const;
export const serverStateSchema = z.enum(SERVER_STATES);
export type ServerState = z.infer<typeof serverStateSchema>;

/** Upstream outcome counts a server observed in its current reporting window. */
export const upstreamWindowSchema = z.object({
  windowStart: timestampMs,
  calls: z.number().int().nonnegative().default(0),
  successes: z.number().int().nonnegative().default(0),
  failuresByClass: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Sum of latency per audio second over successes, for the gradient/AIMD limiter. */
  latencyPerAudioSecMsSum: z.number().nonnegative().default(0),
  tokens: z.number().int().nonnegative().default(0),
  /** Overload answers that came after the call was served a while (absent in older reports). */
  lateOverloads: z.number().int().nonnegative().optional(),
  /** State, not counters: the outage evidence of `core/flow-policy/outage` (absent in older reports). */
  health: z
    .object({
      lastSuccessAt: timestampMs.nullable(),
      /** When the latest-started successful call began (absent in older reports). */
      lastSuccessStartedAt: timestampMs.nullable().optional(),
      failingSince: timestampMs.nullable(),
      failingCount: z.number().int().nonnegative(),
      /** The streak's latest failure (absent in older reports). */
      lastFailureAt: timestampMs.nullable().optional(),
      running: z.number().int().nonnegative(),
    })
    .optional(),
  /**
   * Concurrency cuts this server's limiter has made (a counter; absent in older reports). The
   * leader echoes the count it saw in the server's slice, which ends the server's hold.
   */
  cuts: z.number().int().nonnegative().optional(),
  /** While a cut is unacknowledged: the calls the upstream had taken from this server when refused. */
  found: z.number().int().nonnegative().nullable().optional(),
});
export type UpstreamWindow = z.infer<typeof upstreamWindowSchema>;

/** A slice of the global upstream budget leased by the leader to one live server. */
export const budgetSliceSchema = z.object({
  model: z.string(),
  requestsPerMinute: z.number().nonnegative(),
  tokensPerMinute: z.number().nonnegative(),
  /** Concurrency this server may use against the model (share of the fleet's adaptive limit). */
  concurrency: z.number().int().nonnegative(),
  term: z.number().int().nonnegative(),
  expiresAt: timestampMs,
});
export type BudgetSlice = z.infer<typeof budgetSliceSchema>;

/**
 * The upstream route a server was started with (its `upstream` config): the primary model,
 * and the model that serves `fallbackPriorities` while the primary's breaker is open. The
 * console derives the fleet's active route from it and the breaker documents.
 */
export const serverRoutingSchema = z.object({
  model: z.string().min(1),
  fallbackModel: z.string().min(1).nullable(),
  fallbackPriorities: z.array(prioritySchema),
});
export type ServerRouting = z.infer<typeof serverRoutingSchema>;

/**
 * How long a server may stay silent before it counts as gone: the worker config's
 * `serverCoordination.heartbeatIntervalMs` and `serverTimeoutMs` (with its defaults). The leader publishes the
 * fleet's values in the stats document, so the console judges staleness by the same numbers
 * and the same rule (`core/coordination/server-liveness`) as the leader.
 */
export const serverLivenessSchema = z.object({
  heartbeatIntervalMs: z.number().int().positive().default(5_000),
  /** A server whose heartbeat is older than this (Firestore time) is considered dead. */
  serverTimeoutMs: z.number().int().positive().default(20_000),
});
export type ServerLiveness = z.infer<typeof serverLivenessSchema>;

/** `transcription_servers/{serverId}`: each server writes only its own document. */
export const serverDocSchema = z.object({
  serverId: z.string().min(1),
  hostname: z.string(),
  pid: z.number().int(),
  version: z.string(),
  state: serverStateSchema,
  startedAt: timestampMs,
  /** Firestore server time of the last heartbeat (judged by the leader against Firestore time). */
  heartbeatAt: timestampMs,
  heartbeatIntervalMs: z.number().int().positive(),
  inFlight: z.number().int().nonnegative(),
  /** Current local concurrency limit (after the budget slice and adaptive limiter). */
  concurrencyLimit: z.number().int().nonnegative(),
  maxConcurrency: z.number().int().nonnegative(),
  jobsCompleted: z.number().int().nonnegative().default(0),
  jobsFailed: z.number().int().nonnegative().default(0),
  upstream: z.record(z.string(), upstreamWindowSchema).default({}),
  budget: z.record(z.string(), budgetSliceSchema).default({}),
  labels: z.record(z.string(), z.string()).default({}),
  /** Absent in documents of workers older than the field. */
  routing: serverRoutingSchema.nullable().optional(),
});
export type ServerDoc = z.infer<typeof serverDocSchema>;

/** `transcription_leader/current`: a fenced lease; `term` increments on every new holder. */
export const leaderLeaseDocSchema = z.object({
  holder: z.string().nullable(),
  term: z.number().int().nonnegative(),
  acquiredAt: timestampMs,
  renewedAt: timestampMs,
  expiresAt: timestampMs,
  /**
   * The leader found no active job in the fleet (see `core/coordination/fleet-mode`): servers
   * holding nothing heartbeat at their idle interval until it turns false.
   */
  idle: z.boolean().default(false),
});
export type LeaderLeaseDoc = z.infer<typeof leaderLeaseDocSchema>;

/**
 * `transcription_locks/{name}`: kept after release (holder null) so the fencing token keeps
 * increasing across holders.
 */
export const lockDocSchema = z.object({
  name: z.string().min(1).max(256),
  holder: z.string().nullable(),
  token: z.number().int().nonnegative(),
  acquiredAt: timestampMs.nullable(),
  renewedAt: timestampMs.nullable(),
  expiresAt: timestampMs.nullable(),
  purpose: z.string().max(256).nullable().default(null),
  releasedAt: timestampMs.nullable().default(null),
  releasedBy: z.string().nullable().default(null),
  /** The audit entry of the operator control that last changed this document (see schema/control-audit). */
  controlAudit: controlAuditSchema.nullable().optional(),
});
export type LockDoc = z.infer<typeof lockDocSchema>;

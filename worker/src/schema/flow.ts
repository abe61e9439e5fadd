import { z } from 'zod';
import { prioritySchema } from './job.js';
import { timestampMs } from './time.js';
import { controlAuditSchema } from './control-audit.js';

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export const breakerStateSchema = z.enum(BREAKER_STATES);
export type BreakerState = z.infer<typeof breakerStateSchema>;

export const breakerOverrideSchema = z.enum(['force_open', 'force_closed']);
export type BreakerOverride = z.infer<typeof breakerOverrideSchema>;

export const breakerTransitionSchema = z.object({
  from: breakerStateSchema,
  to: breakerStateSchema,
  at: timestampMs,
  reason: z.string().max(500),
  /** Server id, or admin uid for manual actions. */
  by: z.string().nullable().default(null),
});
export type BreakerTransition = z.infer<typeof breakerTransitionSchema>;
export const MAX_BREAKER_HISTORY = 50;

/** Which rule opened the breaker (see `core/flow-policy/breaker-rules` and `core/flow-policy/outage`). */
export const BREAKER_TRIP_RULES = ['window', 'outage', 'streak'] as const;

export const breakerTripSchema = z.object({
  at: timestampMs,
  /** `window`: the fleet's time window; `outage`: the fleet's outage evidence; `streak`: one server's failures in a row. */
  rule: z.enum(BREAKER_TRIP_RULES),
  reason: z.string().max(500),
  /** Server id that judged it (the leader for `window` and `outage`). */
  by: z.string(),
  /** Counted failures that opened it, and the outcomes (calls) they were among. */
  failures: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
  /** Failures by error class (the window's, ignored classes included, as in `window`). */
  failuresByClass: z.record(z.string(), z.number().int().nonnegative()),
  /** Since when these outcomes were counted (null when the server did not know). */
  since: timestampMs.nullable(),
});
export type BreakerTrip = z.infer<typeof breakerTripSchema>;

/**
 * `transcription_circuit_breaker/{model}`: one per upstream model, shared by all servers.
 * Written on transitions and by the leader's window aggregation, never once per job.
 */
export const breakerDocSchema = z.object({
  model: z.string().min(1),
  state: breakerStateSchema,
  /** Increments on every transition; a fencing token for transition transactions. */
  generation: z.number().int().nonnegative(),
  since: timestampMs,
  openedAt: timestampMs.nullable().default(null),
  /** While open: when a half-open probe may start. */
  nextProbeAt: timestampMs.nullable().default(null),
  /** The single fenced half-open probe across the fleet. */
  probe: z
    .object({
      holder: z.string(),
      token: z.number().int().positive(),
      startedAt: timestampMs,
      expiresAt: timestampMs,
    })
    .nullable()
    .default(null),
  probeToken: z.number().int().nonnegative().default(0),
  /** Fleet-wide counts in the current evaluation window. */
  window: z
    .object({
      start: timestampMs,
      calls: z.number().int().nonnegative(),
      failures: z.number().int().nonnegative(),
      failuresByClass: z.record(z.string(), z.number().int().nonnegative()),
    })
    .nullable()
    .default(null),
  consecutiveFailures: z.number().int().nonnegative().default(0),
  /**
   * The evidence behind the last automatic opening (null until one happens). Opening starts a
   * new `window` (outcomes judged against the new state), so without this the failures that
   * tripped the breaker were gone from the document the moment it opened. Kept through the
   * open and half-open states and after closing; the next automatic trip replaces it; manual
   * actions leave it alone.
   */
  trip: breakerTripSchema.nullable().default(null),
  override: breakerOverrideSchema.nullable().default(null),
  overrideBy: z.string().nullable().default(null),
  overrideAt: timestampMs.nullable().default(null),
  history: z.array(breakerTransitionSchema).max(MAX_BREAKER_HISTORY).default([]),
  updatedAt: timestampMs,
  /** The audit entry of the operator control that last changed this document (see schema/control-audit). */
  controlAudit: controlAuditSchema.nullable().optional(),
});
export type BreakerDoc = z.infer<typeof breakerDocSchema>;

/** `transcription_rate_limits/{userId}`: per-user sliding window, written at admission only. */
export const rateLimitDocSchema = z.object({
  userId: z.string().min(1),
  tier: z.string(),
  /** Admission times (ms) still inside the window, oldest first; bounded by limit + burst. */
  recent: z.array(z.number()).max(10_000),
  limit: z.number().int().nonnegative(),
  burst: z.number().int().nonnegative(),
  windowMs: z.number().int().positive(),
  /** Count inside the window at the last update (for "top consumers" queries). */
  count: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
  resetAt: timestampMs,
  rejected: z.number().int().nonnegative().default(0),
  updatedAt: timestampMs,
  /**
   * What admissions that already left the window still weigh (a leaky bucket draining at
   * limit per window) at `carryAt`; keeps the long-run rate at `limit` per window.
   * See `core/flow-policy/rate-limit`.
   */
  carry: z.number().nonnegative().default(0),
  carryAt: timestampMs.nullable().default(null),
  /**
   * Fair-share virtual finish time (epoch-ms scale) of the user's last admitted job; the
   * next job's rank starts at max(now, virtualTime). See `core/flow-policy/fair-share`.
   */
  virtualTime: z.number().finite().nullable().default(null),
  /** Fair-share weight of the user's tier at the last admission. */
  weight: z.number().positive().default(1),
  /** Admissions ever counted for this user (for "top consumers"). */
  admitted: z.number().int().nonnegative().default(0),
});
export type RateLimitDoc = z.infer<typeof rateLimitDocSchema>;

/**
 * `transcription_budgets/{model}`: the global upstream budget and the fleet's adaptive
 * concurrency limit, maintained by the leader from servers' reports.
 */
export const budgetDocSchema = z.object({
  model: z.string(),
  requestsPerMinute: z.number().nonnegative(),
  tokensPerMinute: z.number().nonnegative(),
  /** Usage over the last minute, aggregated from server reports. */
  usedRequests: z.number().nonnegative(),
  usedTokens: z.number().nonnegative(),
  /** Current fleet-wide concurrency limit chosen by the adaptive limiter. */
  adaptiveLimit: z.number().nonnegative(),
  /**
   * Share of calls the upstream refuses whatever the fleet's concurrency (the fleet limiter's
   * noise floor, core/flow-policy/adaptive-limit): servers' local limiters do not cut for refusals
   * this share explains.
   */
  overloadNoise: z.number().min(0).max(1).default(0),
  limiterState: z.record(z.string(), z.unknown()).default({}),
  /** Per-server slices handed out at the last allocation. */
  slices: z.record(
    z.string(),
    z.object({
      requestsPerMinute: z.number(),
      tokensPerMinute: z.number(),
      concurrency: z.number().int(),
      /** The server's limiter cuts this allocation knew of (see `UpstreamWindow.cuts`). */
      cuts: z.number().int().nonnegative().optional(),
    }),
  ),
  term: z.number().int().nonnegative(),
  updatedAt: timestampMs,
  /** Slices are void after this; servers then fall back to a conservative share. */
  slicesExpireAt: timestampMs.nullable().default(null),
  /** Live servers counted at the last allocation. */
  servers: z.number().int().nonnegative().default(0),
  /** Fleet in-flight calls summed from server heartbeats at the last allocation. */
  inFlight: z.number().int().nonnegative().default(0),
});
export type BudgetDoc = z.infer<typeof budgetDocSchema>;

/** `transcription_controls/queue`: operator switches read by every worker through a listener. */
/** At most this many servers are drained at once (the rules hold the same bound). */
export const MAX_DRAINED_SERVERS = 50;

export const queueControlsDocSchema = z.object({
  paused: z.boolean(),
  pausedPriorities: z.array(prioritySchema).default([]),
  reason: z.string().max(500).nullable().default(null),
  updatedAt: timestampMs,
  updatedBy: z.string(),
  /**
   * Servers an operator drained (`server.drain`, undone by `server.resume`): each listed
   * server stops claiming, finishes or releases what it runs and stays `draining`. Kept here,
   * not in the server's own document, because every worker already listens to this one and
   * a server's heartbeat rewrites its document whole. Absent in documents written before it.
   */
  drainedServers: z.array(z.string().min(1).max(128)).max(MAX_DRAINED_SERVERS).default([]),
  /** The audit entry of the operator control that last changed this document (see schema/control-audit). */
  controlAudit: controlAuditSchema.nullable().optional(),
});
export type QueueControlsDoc = z.infer<typeof queueControlsDocSchema>;

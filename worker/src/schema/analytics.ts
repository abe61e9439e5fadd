import { z } from 'zod';
import { PRIORITIES, JOB_STATUSES, prioritySchema } from './job.js';
import { timestampMs } from './time.js';
import { submissionQuotaSchema } from './submission-gate.js';
import { serverLivenessSchema, serverRoutingSchema, serverStateSchema } from './coordination.js';
import { controlRetentionSchema } from './control-audit.js';

/**
 * Upper bounds (ms, inclusive) of the latency histogram buckets; the last bucket is open.
 * Fixed buckets make histograms from many servers and minutes mergeable by addition, so
 * percentiles of any range come from summed counts, not from averaging percentiles.
 */
export const LATENCY_BUCKETS_MS = [
  10, 25, 50, 100, 200, 350, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000,
  45_000, 60_000, 90_000, 120_000, 180_000, 300_000, 600_000, 1_800_000, 3_600_000,
] as const;
/** counts[i] = samples <= LATENCY_BUCKETS_MS[i]; counts[last] = samples above every bound. */
export const HISTOGRAM_LENGTH = LATENCY_BUCKETS_MS.length + 1;
export const histogramSchema = z.array(z.number().int().nonnegative()).length(HISTOGRAM_LENGTH);

const count = z.number().int().nonnegative().default(0);

export const rollupCountersSchema = z.object({
  enqueued: count,
  admitted: count,
  rejected: count,
  started: count,
  succeeded: count,
  failed: count,
  retried: count,
  deadLettered: count,
  cancelled: count,
  redriven: count,
  upstreamCalls: count,
  /** Upstream calls that did not produce a success (errors, timeouts, aborted). */
  upstreamWasted: count,
  audioSeconds: z.number().nonnegative().default(0),
  tokens: count,
  /** Firestore operations the engine itself performed (client-side count). */
  firestoreReads: count,
  firestoreWrites: count,
  firestoreDeletes: count,
});
export type RollupCounters = z.infer<typeof rollupCountersSchema>;

export const rollupBodySchema = z.object({
  counters: rollupCountersSchema,
  failuresByClass: z.record(z.string(), z.number().int().nonnegative()).default({}),
  /** Enqueue-to-completion latency of succeeded jobs. */
  latency: histogramSchema,
  /** Enqueue-to-start wait. */
  wait: histogramSchema,
  /** Upstream call latency per audio second (successes). */
  upstreamLatency: histogramSchema,
});
export type RollupBody = z.infer<typeof rollupBodySchema>;

/** `transcription_analytics_partials/{minuteStart}_{serverId}`: written by one server only. */
export const analyticsPartialDocSchema = rollupBodySchema.extend({
  periodStart: timestampMs,
  serverId: z.string(),
  updatedAt: timestampMs,
});
export type AnalyticsPartialDoc = z.infer<typeof analyticsPartialDocSchema>;

export const granularitySchema = z.enum(['minute', 'hour']);
export type Granularity = z.infer<typeof granularitySchema>;

/** `transcription_enterprise_analytics/{granularity}_{periodStart}`: merged by the leader. */
export const analyticsRollupDocSchema = rollupBodySchema.extend({
  granularity: granularitySchema,
  periodStart: timestampMs,
  /** Servers whose partials are merged in. */
  servers: z.array(z.string()).default([]),
  p50Ms: z.number().nonnegative().nullable().default(null),
  p95Ms: z.number().nonnegative().nullable().default(null),
  p99Ms: z.number().nonnegative().nullable().default(null),
  updatedAt: timestampMs,
  expireAt: timestampMs.nullable().default(null),
});
export type AnalyticsRollupDoc = z.infer<typeof analyticsRollupDocSchema>;

const priorityCounts = z.object(
  Object.fromEntries(PRIORITIES.map((p) => [p, count])) as Record<(typeof PRIORITIES)[number], typeof count>,
);
const statusCounts = z.object(
  Object.fromEntries(JOB_STATUSES.map((s) => [s, count])) as Record<(typeof JOB_STATUSES)[number], typeof count>,
);

/** One server as the fleet summary lists it: who it is and its state, none of its load. */
export const fleetServerSchema = z.object({
  serverId: z.string().min(1),
  state: serverStateSchema,
  version: z.string(),
  startedAt: timestampMs,
  routing: serverRoutingSchema.nullable().default(null),
});
export type FleetServer = z.infer<typeof fleetServerSchema>;

/**
 * The fleet as the leader last judged it: the servers seen in the stats window with their
 * state (`lost` once the leader declared them silent). It changes when a server joins,
 * leaves or changes state, never on a heartbeat, so the console reads the fleet here instead
 * of listening to every server document (one read per heartbeat per server per open page).
 */
export const fleetSummarySchema = z.object({
  servers: z.array(fleetServerSchema).default([]),
  /** When the list last changed (Firestore time of the leader's run that saw the change). */
  changedAt: timestampMs,
});
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

/**
 * `transcription_stats/queue`: one small document the leader refreshes every few seconds
 * from count aggregations, so dashboards and end users read queue depth without listening to
 * job lists (a listener pays a read per changed document).
 */
export const queueStatsDocSchema = z.object({
  at: timestampMs,
  leaderId: z.string().nullable(),
  leaderTerm: z.number().int().nonnegative(),
  /** Claimable (`queued`) jobs per priority. */
  queuedByPriority: priorityCounts,
  /** Active statuses are counted exactly; terminal ones over the retention window. */
  byStatus: statusCounts,
  inFlight: count,
  activeServers: count,
  /** Completions per minute over the last 5 minutes (since the fleet started, when later). */
  throughputPerMin: z.number().nonnegative(),
  successRate: z.number().min(0).max(1).nullable(),
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  /** Mean service time of one job, for position/ETA estimates by clients. */
  avgServiceMs: z.number().nonnegative().nullable(),
  fleetConcurrency: z.number().int().nonnegative(),
  oldestQueuedAt: timestampMs.nullable(),
  /** Engine-side Firestore operations per completed job over the last 5 minutes. */
  firestoreOpsPerJob: z.number().nonnegative().nullable(),
  /**
   * The queue controls' pause switches, mirrored here so end users learn that their jobs are
   * held without reading `transcription_controls/queue` (admins only: it names the operator
   * and the reason). Same meaning as there: `paused` holds every priority, otherwise the
   * priorities listed are held. Refreshed with the rest of this document.
   */
  paused: z.boolean().default(false),
  pausedPriorities: z.array(prioritySchema).default([]),
  /**
   * The leader keeps the position of the first this-many claimable jobs current (bucketed);
   * a job further back shows its admission-time position until it gets this close, which
   * clients may count down with `throughputPerMin` (never below this value).
   */
  positionWindow: z.number().int().nonnegative().default(0),
  /**
   * The fleet's `submissionQuota` (worker config), published for the security rules, which
   * refuse a browser's submission beyond it, and for the end-user hook, which refuses it
   * first without writing. Absent (a stats document from before it existed, or none yet):
   * the rules use the same defaults.
   */
  submissionQuota: submissionQuotaSchema.prefault({}),
  /**
   * The fleet's liveness settings (worker config `serverCoordination`), published for the
   * console, which judges a server stale by them exactly as the leader does. Absent (a stats
   * document from before it existed): the config's defaults.
   */
  serverLiveness: serverLivenessSchema.prefault({}),
  /** The fleet summary (see `fleetSummarySchema`); null in a stats document from before it existed. */
  fleet: fleetSummarySchema.nullable().default(null),
  /**
   * The fleet's retention for what an operator control writes (worker config `retention`),
   * published for the console, whose controls then stamp the expiries a worker's would.
   * Absent: the config's defaults.
   */
  controlRetention: controlRetentionSchema.prefault({}),
});
export type QueueStatsDoc = z.infer<typeof queueStatsDocSchema>;

import { z } from 'zod';
import { collectionPrefixSchema } from './names.js';
import { ERROR_CLASSES, PRIORITIES, prioritySchema } from './job.js';
import { AUDIT_MIN_RETENTION_DAYS, AUDIT_MIN_RETENTION_MS } from './control-audit.js';
import { submissionQuotaSchema } from './submission-gate.js';
import { PAYLOAD_LIMITS } from './payload.js';
import { alertsConfigSchema } from './alerts.js';

const ms = z.number().int().positive();

/**
 * Worker configuration. Field names of the seed's `EnterpriseQueueConfig`
 * (maxConcurrentRequests, maxQueueSize, requestTimeoutMs, circuitBreaker.failureThreshold /
 * recoveryTimeMs, rateLimiting.requestsPerMinute / burstLimit / windowSizeMs,
 * serverCoordination.heartbeatIntervalMs / serverTimeoutMs / leaderElectionEnabled) keep
 * their meaning. Every field has a default a new user can trust; parse `{}` to get them all.
 */
export const rateLimitTierSchema = z.object({
  /** Sustained admissions per window. */
  requestsPerMinute: z.number().int().nonnegative(),
  /** Extra admissions allowed above the sustained rate inside one window. */
  burstLimit: z.number().int().nonnegative(),
  /** Fair-share weight when many users queue at once. */
  weight: z.number().positive().default(1),
  /** This tier's choice over the limit (absent: `rateLimiting.whenExceeded`). */
  whenExceeded: z.enum(['defer', 'reject']).optional(),
  /** This tier's longest deferral (absent: `rateLimiting.maxDeferMs`). */
  maxDeferMs: z.number().int().positive().optional(),
});
export type RateLimitTier = z.infer<typeof rateLimitTierSchema>;

export const workerConfigSchema = z.object({
  collectionPrefix: collectionPrefixSchema.default(''),
  /** Upper bound on concurrent upstream calls per worker process. */
  maxConcurrentRequests: z.number().int().positive().max(256).default(4),
  /** Admission refuses new jobs (QUEUE_FULL) when this many are queued or waiting. */
  maxQueueSize: z.number().int().positive().default(10_000),
  /** Deadline of one upstream call; the request is aborted after it. */
  requestTimeoutMs: ms.default(120_000),
  maxAttempts: z.number().int().positive().max(50).default(5),
  /**
   * How long a job may keep meeting busy answers (503 overloaded, 429 quota) before it is
   * dead-lettered. Busy answers do not spend `maxAttempts`: they say the upstream is busy, not
   * that the job is bad. 0 counts them as ordinary attempts.
   */
  busyBudgetMs: z.number().int().nonnegative().default(30 * 60_000),
  backoff: z
    .object({
      baseMs: ms.default(1_000),
      maxMs: ms.default(60_000),
      multiplier: z.number().min(1).default(2),
      /**
       * Longest wait after a busy answer (503 overloaded, 429 quota) unless the upstream asked
       * for longer (RetryInfo). Flow control already paces the fleet's calls to what the
       * upstream takes; a busy job's own backoff only spreads its retries, and growing it
       * to `maxMs` leaves capacity idle while unlucky jobs sit out their waits.
       */
      busyMaxMs: ms.default(1_000),
    })
    .prefault({}),
  /** Aging offsets: rank = admission time + offset; see core/priority. */
  priorityAgingMs: z
    .object(Object.fromEntries(PRIORITIES.map((p) => [p, z.number().int().nonnegative()])) as Record<
      (typeof PRIORITIES)[number],
      z.ZodNumber
    >)
    .default({ urgent: 0, high: 15_000, normal: 60_000, low: 300_000 }),
  lease: z
    .object({
      durationMs: ms.default(30_000),
      /** Renew the lease this often while working (well inside durationMs). */
      heartbeatMs: ms.default(10_000),
    })
    .prefault({}),
  circuitBreaker: z
    .object({
      /**
       * Failures that open the breaker (seed field): failures in a row on one server, or inside
       * the fleet window when it holds no success. See `core/flow-policy/breaker-rules`.
       */
      failureThreshold: z.number().int().positive().default(5),
      /** How long the breaker stays open before one half-open probe (seed field). */
      recoveryTimeMs: ms.default(30_000),
      windowMs: ms.default(60_000),
      /** Also open when the failure rate exceeds this with at least minimumCalls in the window. */
      failureRateThreshold: z.number().min(0).max(1).default(0.5),
      minimumCalls: z.number().int().positive().default(10),
      /**
       * Fast outage rule (`core/flow-policy/outage`): the breaker opens when the fleet has gone this
       * long without a success, with failureThreshold failures since and no call in flight.
       */
      outageQuietMs: ms.default(3_000),
      /** Per error class overrides of failureThreshold (e.g. quota errors are expected more often). */
      thresholdsByClass: z.partialRecord(z.enum(ERROR_CLASSES), z.number().int().positive()).default({}),
      /**
       * "Too much traffic" classes (503 overloaded, 429 quota): our own concurrency can cause
       * them, so the adaptive limiter answers them. They open the breaker only when the fleet
       * window holds no success at all (a sustained outage), never by one server's streak or
       * by the failure rate.
       */
      overloadClasses: z.array(z.enum(ERROR_CLASSES)).default(['overloaded', 'quota']),
      /** Error classes that never count as breaker failures. */
      ignoredClasses: z.array(z.enum(ERROR_CLASSES)).default(['invalid', 'payload', 'cancelled', 'lease_lost']),
      probeTimeoutMs: ms.default(120_000),
      /** Each failed half-open probe doubles the wait before the next one, up to this. */
      maxRecoveryTimeMs: ms.default(300_000),
    })
    .prefault({}),
  rateLimiting: z
    .object({
      requestsPerMinute: z.number().int().nonnegative().default(120),
      burstLimit: z.number().int().nonnegative().default(20),
      windowSizeMs: ms.default(60_000),
      /**
       * Over the limit (the design document's "graceful queuing"): 'defer' admits the job for
       * the first moment the window allows (status `waiting` until then, `deferredUntil` on
       * the job, the time in the enqueue answer), 'reject' refuses it (RATE_LIMITED).
       */
      whenExceeded: z.enum(['defer', 'reject']).default('defer'),
      /** A job that would wait longer than this is refused as under 'reject': a flood cannot book the hours ahead. */
      maxDeferMs: ms.default(600_000),
      /** Named tiers; a job's `tier` picks one, unknown tiers use the defaults above. */
      tiers: z.record(z.string(), rateLimitTierSchema).default({}),
    })
    .prefault({}),
  /**
   * How fast one end user's browser may write submissions: refused by the security rules
   * before anything is stored (see schema/submission-gate). The leader publishes it in the
   * stats document, where the rules and the end-user hook read it.
   */
  submissionQuota: submissionQuotaSchema.prefault({}),
  /**
   * Fair scheduling by user (start-time fair queuing on a virtual clock): each admitted job
   * advances its user's virtual time by costMs / tier weight, and its rank starts at
   * max(now, user's virtual time). The scale only matters relative to the priority aging
   * offsets and to new arrivals: one virtual ms per ms of fleet time a job occupies is a
   * good guide. See `core/flow-policy/fair-share`.
   */
  fairScheduling: z
    .object({
      enabled: z.boolean().default(true),
      /** Virtual cost of one job regardless of length. */
      costMsPerJob: z.number().nonnegative().default(250),
      /** Virtual cost per second of audio. */
      costMsPerAudioSecond: z.number().nonnegative().default(10),
      /** Audio length assumed when a job's duration is unknown. */
      defaultAudioSeconds: z.number().nonnegative().default(30),
      /**
       * A user's virtual time never runs more than this ahead of now, which bounds how long
       * a user who used idle capacity yields to others afterwards.
       */
      maxLeadMs: ms.default(600_000),
      /**
       * A new job never starts more than this behind now, even behind a long backlog: bounds
       * how long priority aging can be held up by a steady stream of newcomers.
       */
      maxLagMs: ms.default(300_000),
    })
    .prefault({}),
  serverCoordination: z
    .object({
      heartbeatIntervalMs: ms.default(5_000),
      /** A server whose heartbeat is older than this (Firestore time) is considered dead. */
      serverTimeoutMs: ms.default(20_000),
      leaderElectionEnabled: z.boolean().default(true),
      leaderLeaseMs: ms.default(15_000),
      /** How often the leader runs maintenance (reclaim, promote, rollups, stats). */
      maintenanceIntervalMs: ms.default(5_000),
      /**
       * Heartbeat interval of a server that holds no job while the leader reports the fleet
       * idle (no active job anywhere); null: always heartbeatIntervalMs. The server advertises
       * it in its document, and liveness judges add it to serverTimeoutMs.
       */
      idleHeartbeatIntervalMs: ms.nullable().default(60_000),
      /**
       * Leader lease while the fleet is idle (renewed every third of it); null: always
       * leaderLeaseMs. A dead idle leader is replaced within it; the first active job brings
       * the lease back to leaderLeaseMs at once.
       */
      idleLeaderLeaseMs: ms.nullable().default(90_000),
      /** Time-driven leader work (retention clean-up) runs this often while the fleet is idle. */
      idleHousekeepingMs: ms.default(1_800_000),
      /**
       * An operator drained this server (`server.drain`): how long its running jobs may take to
       * finish before they are released (attempt refunded) for other servers to run. The
       * default covers one upstream call at the default `requestTimeoutMs` and its outcome write.
       */
      drainGraceMs: ms.default(150_000),
    })
    .prefault({}),
  upstream: z
    .object({
      model: z.string().min(1).default('gemini-2.5-flash'),
      /** Used for priorities in fallbackPriorities while the primary model's breaker is open. */
      fallbackModel: z.string().min(1).nullable().default(null),
      fallbackPriorities: z.array(prioritySchema).default(['urgent', 'high']),
      /** Instruction sent with every audio file. */
      prompt: z
        .string()
        .min(1)
        .max(4_000)
        .default('Transcribe this audio verbatim. Return only the transcript text, without commentary, labels or timestamps.'),
      /**
       * Gemini API base URL (a fake, a proxy); null = Google's endpoint, or the
       * GOOGLE_GEMINI_BASE_URL environment variable when set. The key comes from GEMINI_API_KEY.
       */
      baseUrl: z.string().url().nullable().default(null),
      /** Global budget per model across the fleet (0 = unlimited). */
      requestsPerMinute: z.number().nonnegative().default(0),
      tokensPerMinute: z.number().nonnegative().default(0),
      tokensPerAudioSecond: z.number().positive().default(32),
      adaptive: z
        .object({
          enabled: z.boolean().default(true),
          initialLimit: z.number().int().positive().default(4),
          minLimit: z.number().int().positive().default(1),
          maxLimit: z.number().int().positive().default(256),
          /** Multiplicative decrease on overload. */
          decreaseFactor: z.number().gt(0).lt(1).default(0.7),
          /** Fleet limit growth per leader tick while healthy and in use (after slow start). */
          additiveIncrease: z.number().int().positive().default(1),
          /** Share of overload answers (503/429) among a tick's calls that counts as overload. */
          overloadRateThreshold: z.number().min(0).max(1).default(0.02),
          /**
           * Latency per audio second above this multiple of the best recent level stops growth;
           * above twice the multiple the limit shrinks (gradient guard).
           */
          latencyTolerance: z.number().gt(1).default(2),
          /**
           * The longest the fleet limit stays below a level that drew refusals before it probes
           * one step above it: probes start 10 s after a refusal and double their wait while
           * they fail, up to this (each failed probe is a wasted call). See adaptive-limit.
           */
          ceilingProbeMs: ms.default(30_000),
        })
        .prefault({}),
      /** How often the leader aggregates server reports into breaker and budget decisions. */
      flowIntervalMs: ms.default(2_000),
      /** Budget slices expire this long after the leader's last allocation. */
      sliceTtlMs: ms.default(20_000),
      /** A server's request/token buckets hold this many seconds of its slice. */
      rateBurstSeconds: z.number().positive().default(5),
    })
    .prefault({}),
  /** Queue positions and ETAs the leader publishes on queued jobs (see `core/queue-position`). */
  queuePositions: z
    .object({
      enabled: z.boolean().default(true),
      /** How many jobs at the head of the queue get exact, bucketed positions. */
      headSize: z.number().int().positive().max(500).default(100),
      /** How often the leader recomputes them (null: every maintenance interval). */
      refreshIntervalMs: ms.nullable().default(10_000),
    })
    .prefault({}),
  /** Where server submissions keep their audio (see schema/payload). */
  payload: z
    .object({
      /**
       * Audio of at most this many bytes travels inside the job document instead of chunk
       * documents: 3 billed operations fewer per job (no chunk write, read or delete), paid
       * for in bandwidth, since every listener of a job gets the whole document on every
       * write to it. 64 KiB holds 2 s of 16 kHz 16-bit PCM WAV or about 16 s of 32 kbit/s
       * compressed speech (voice notes, commands: the jobs where Firestore is a large share
       * of the cost); a queued job is sent to the two workers listening to its shard a few
       * times (admission, position refreshes, claim), so at most a few hundred KiB per job;
       * a console table page of 25 active jobs holds at most 1.6 MiB of it (100: 6.4 MiB).
       * Larger audio keeps its chunks. 0 turns inlining off. At most
       * PAYLOAD_LIMITS.maxInlineBytes (256 KiB), so the job document stays under 1 MiB.
       */
      inlineMaxBytes: z.number().int().nonnegative().max(PAYLOAD_LIMITS.maxInlineBytes).default(PAYLOAD_LIMITS.defaultInlineBytes),
    })
    .prefault({}),
  /** Alerts the leader sends to webhooks and records for the console (see schema/alerts). */
  alerts: alertsConfigSchema.prefault({}),
  retention: z
    .object({
      finishedJobsMs: ms.default(7 * 24 * 3_600_000),
      minuteRollupsMs: ms.default(2 * 24 * 3_600_000),
      hourRollupsMs: ms.default(90 * 24 * 3_600_000),
      /** At least AUDIT_MIN_RETENTION_MS: the security rules refuse shorter-lived entries. */
      auditMs: ms.min(AUDIT_MIN_RETENTION_MS, `audit entries are kept at least ${AUDIT_MIN_RETENTION_DAYS} days`).default(AUDIT_MIN_RETENTION_MS),
      /** Payload chunks without a live job are deleted after this. */
      orphanPayloadMs: ms.default(3_600_000),
    })
    .prefault({}),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;

export function resolveConfig(input: WorkerConfigInput = {}): WorkerConfig {
  return workerConfigSchema.parse(input);
}

import {
  HISTOGRAM_LENGTH,
  LATENCY_BUCKETS_MS,
  analyticsRollupDocSchema,
  auditDocSchema,
  breakerDocSchema,
  budgetDocSchema,
  jobDocSchema,
  leaderLeaseDocSchema,
  lockDocSchema,
  queueControlsDocSchema,
  queueStatsDocSchema,
  rateLimitDocSchema,
  serverDocSchema,
  type AnalyticsRollupDoc,
  type AuditDoc,
  type BreakerDoc,
  type BudgetDoc,
  type JobDoc,
  type LeaderLeaseDoc,
  type LockDoc,
  type QueueControlsDoc,
  type QueueStatsDoc,
  type RateLimitDoc,
  type ServerDoc,
} from '@fq/worker/schema';
import type { z } from 'zod';

/**
 * Test documents built THROUGH the worker's schemas (decode fills defaults and rejects
 * shapes the schema would reject), so a schema change breaks these fixtures loudly.
 */
type In<S extends z.ZodType> = Partial<z.input<S>>;

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function histogramWith(samples: Record<number, number>): number[] {
  const h = new Array<number>(HISTOGRAM_LENGTH).fill(0);
  for (const [ms, n] of Object.entries(samples)) {
    const idx = LATENCY_BUCKETS_MS.findIndex((b) => Number(ms) <= b);
    h[idx === -1 ? HISTOGRAM_LENGTH - 1 : idx]! += n;
  }
  return h;
}

export function rollup(input: In<typeof analyticsRollupDocSchema> & { periodStart: number }): AnalyticsRollupDoc {
  return analyticsRollupDocSchema.decode({
    granularity: 'minute',
    counters: {},
    latency: histogramWith({}),
    wait: histogramWith({}),
    upstreamLatency: histogramWith({}),
    updatedAt: input.periodStart,
    ...input,
  } as z.input<typeof analyticsRollupDocSchema>);
}

export function job(input: In<typeof jobDocSchema> = {}): JobDoc {
  return jobDocSchema.decode({
    status: 'queued',
    priority: 'normal',
    userId: 'user-1',
    audio: { mimeType: 'audio/wav', bytes: 1000, chunkCount: 1 },
    source: 'client',
    createdAt: T0,
    updatedAt: T0,
    maxAttempts: 5,
    ...input,
  } as z.input<typeof jobDocSchema>);
}

export function server(input: In<typeof serverDocSchema> = {}): ServerDoc {
  return serverDocSchema.decode({
    serverId: 'srv-a',
    hostname: 'host-a',
    pid: 100,
    version: '0.1.0',
    state: 'active',
    startedAt: T0 - 60_000,
    heartbeatAt: T0,
    heartbeatIntervalMs: 5_000,
    inFlight: 1,
    concurrencyLimit: 4,
    maxConcurrency: 4,
    ...input,
  } as z.input<typeof serverDocSchema>);
}

export function leader(input: In<typeof leaderLeaseDocSchema> = {}): LeaderLeaseDoc {
  return leaderLeaseDocSchema.decode({
    holder: 'srv-a',
    term: 3,
    acquiredAt: T0 - 30_000,
    renewedAt: T0,
    expiresAt: T0 + 15_000,
    ...input,
  } as z.input<typeof leaderLeaseDocSchema>);
}

export function breaker(input: In<typeof breakerDocSchema> = {}): BreakerDoc {
  return breakerDocSchema.decode({
    model: 'gemini-2.5-flash',
    state: 'closed',
    generation: 1,
    since: T0 - 120_000,
    updatedAt: T0,
    ...input,
  } as z.input<typeof breakerDocSchema>);
}

export function lock(input: In<typeof lockDocSchema> = {}): LockDoc {
  return lockDocSchema.decode({
    name: 'maintenance',
    holder: 'srv-a',
    token: 7,
    acquiredAt: T0 - 5_000,
    renewedAt: T0,
    expiresAt: T0 + 30_000,
    ...input,
  } as z.input<typeof lockDocSchema>);
}

export function rateLimit(input: In<typeof rateLimitDocSchema> = {}): RateLimitDoc {
  return rateLimitDocSchema.decode({
    userId: 'user-1',
    tier: 'default',
    recent: [],
    limit: 120,
    burst: 20,
    windowMs: 60_000,
    count: 10,
    remaining: 130,
    resetAt: T0 + 60_000,
    updatedAt: T0,
    ...input,
  } as z.input<typeof rateLimitDocSchema>);
}

export function budget(input: In<typeof budgetDocSchema> = {}): BudgetDoc {
  return budgetDocSchema.decode({
    model: 'gemini-2.5-flash',
    requestsPerMinute: 600,
    tokensPerMinute: 1_000_000,
    usedRequests: 150,
    usedTokens: 250_000,
    adaptiveLimit: 12,
    slices: {},
    term: 3,
    updatedAt: T0,
    ...input,
  } as z.input<typeof budgetDocSchema>);
}

export function controls(input: In<typeof queueControlsDocSchema> = {}): QueueControlsDoc {
  return queueControlsDocSchema.decode({
    paused: false,
    updatedAt: T0,
    updatedBy: 'admin-1',
    ...input,
  } as z.input<typeof queueControlsDocSchema>);
}

export function stats(input: In<typeof queueStatsDocSchema> = {}): QueueStatsDoc {
  return queueStatsDocSchema.decode({
    at: T0,
    leaderId: 'srv-a',
    leaderTerm: 3,
    queuedByPriority: { urgent: 1, high: 2, normal: 3, low: 4 },
    byStatus: { queued: 10, running: 2 },
    inFlight: 2,
    activeServers: 3,
    throughputPerMin: 42,
    successRate: 0.95,
    p50Ms: 1200,
    p95Ms: 4800,
    avgServiceMs: 1500,
    fleetConcurrency: 12,
    oldestQueuedAt: T0 - 10_000,
    firestoreOpsPerJob: 9.5,
    ...input,
  } as z.input<typeof queueStatsDocSchema>);
}

export function audit(input: In<typeof auditDocSchema> = {}): AuditDoc {
  return auditDocSchema.decode({
    at: T0,
    actor: { kind: 'admin', id: 'admin-1', email: 'admin@example.com' },
    action: 'queue.pause',
    target: { kind: 'queue', id: 'queue' },
    ...input,
  } as z.input<typeof auditDocSchema>);
}

import {
  breakerDocSchema,
  jobDocSchema,
  leaderLeaseDocSchema,
  queueStatsDocSchema,
  rateLimitDocSchema,
  serverDocSchema,
  type BreakerDoc,
  type JobDoc,
  type LeaderLeaseDoc,
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

export function job(input: In<typeof jobDocSchema> = {}): JobDoc {
  return jobDocSchema.decode({
    status: 'queued',
    priority: 'normal',
    userId: 'u-1',
    audio: { mimeType: 'audio/wav', bytes: 1000, chunkCount: 1 },
    source: 'client',
    createdAt: T0,
    updatedAt: T0,
    maxAttempts: 5,
    ...input,
  } as z.input<typeof jobDocSchema>);
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

export function rateLimit(input: In<typeof rateLimitDocSchema> = {}): RateLimitDoc {
  return rateLimitDocSchema.decode({
    userId: 'u-1',
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

export function server(input: In<typeof serverDocSchema> = {}): ServerDoc {
  return serverDocSchema.decode({
    serverId: 'srv-a',
    hostname: 'host-a',
    pid: 1,
    version: '0.1.0',
    state: 'active',
    startedAt: T0 - 60_000,
    heartbeatAt: T0 - 1_000,
    heartbeatIntervalMs: 5_000,
    inFlight: 1,
    concurrencyLimit: 4,
    maxConcurrency: 4,
    ...input,
  } as z.input<typeof serverDocSchema>);
}

export function breaker(input: In<typeof breakerDocSchema> = {}): BreakerDoc {
  return breakerDocSchema.decode({ model: 'gemini-2.5-flash', state: 'closed', generation: 1, since: T0 - 60_000, updatedAt: T0, ...input } as z.input<typeof breakerDocSchema>);
}

export function leaderLease(input: In<typeof leaderLeaseDocSchema> = {}): LeaderLeaseDoc {
  return leaderLeaseDocSchema.decode({ holder: 'srv-a', term: 3, acquiredAt: T0 - 60_000, renewedAt: T0 - 1_000, expiresAt: T0 + 14_000, ...input } as z.input<typeof leaderLeaseDocSchema>);
}

export function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

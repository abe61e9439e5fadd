import { jobDocSchema, queueStatsDocSchema, rateLimitDocSchema, type JobDoc, type QueueStatsDoc, type RateLimitDoc } from '@fq/worker/schema';
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

export function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

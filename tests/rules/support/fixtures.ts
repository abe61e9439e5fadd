/**
 * Documents as the engine writes them (schema-valid, encoded with the worker's codecs), for
 * seeding with rules disabled. Times are an hour old: nothing here is "recent" the way an
 * operator's write must be.
 */
import { decodeDoc, encodeDoc, HISTOGRAM_LENGTH, type CollectionKey, type DocOf, type JobDoc } from '@fq/worker/schema';
import { Bytes, doc, setDoc, writeBatch, type DocumentData, type Firestore } from 'firebase/firestore';
import type { RulesEnv } from './env.js';

export const HOUR_AGO = Date.now() - 3_600_000;
const T = HOUR_AGO;
const SHA = 'ab'.repeat(32);
const emptyHistogram = (): number[] => Array.from({ length: HISTOGRAM_LENGTH }, () => 0);

/** Domain values -> web SDK values (what the dashboard's adapter does): bytes become `Bytes`. */
export function toWeb(value: unknown): unknown {
  if (value instanceof Uint8Array) return Bytes.fromUint8Array(value);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toWeb);
  if (value instanceof Bytes) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWeb(v);
  return out;
}

export function encoded<K extends CollectionKey>(collection: K, data: DocOf<K>): DocumentData {
  return toWeb(encodeDoc(collection, data)) as DocumentData;
}

/** A job in any state; `status` picks sensible engine fields for it. */
export function job(userId: string, status: JobDoc['status'], patch: Partial<JobDoc> = {}): JobDoc {
  const base = decodeDoc('jobs', {
    status: 'queued',
    priority: 'normal',
    userId,
    audio: { mimeType: 'audio/wav', bytes: 32_044, chunkCount: 1, durationSec: 1, sha256: SHA },
    source: 'client',
    createdAt: T,
    updatedAt: T,
    admittedAt: T,
    rank: T,
    maxAttempts: 5,
    position: 3,
    estimatedWaitMs: 4_000,
    positionAt: T,
  });
  const error = {
    at: T + 2_000,
    attempt: 1,
    errorClass: 'overloaded' as const,
    code: 503,
    message: 'The model is overloaded',
    retryAfterMs: null,
    serverId: 'server-1',
    model: 'gemini-2.5-flash',
  };
  const started = { attempts: 1, fence: 1, firstStartedAt: T + 1_000, lastStartedAt: T + 1_000, position: null, estimatedWaitMs: null, positionAt: null };
  const finished = { completedAt: T + 3_000, expireAt: T + 7 * 86_400_000 };
  const byStatus: Partial<Record<JobDoc['status'], Partial<JobDoc>>> = {
    running: {
      ...started,
      lease: { owner: 'server-1', token: 1, acquiredAt: T + 1_000, expiresAt: T + 61_000, heartbeatAt: T + 1_000 },
    },
    waiting: { ...started, availableAt: T + 10_000, errors: [error], lastErrorClass: 'overloaded' },
    failed: { ...started, ...finished, errors: [{ ...error, errorClass: 'invalid', code: 400 }], lastErrorClass: 'invalid' },
    dead_lettered: { ...started, ...finished, attempts: 5, errors: [error], lastErrorClass: 'overloaded' },
    succeeded: {
      ...started,
      ...finished,
      progress: 1,
      payloadDeletedAt: T + 3_000,
      result: { transcript: 'hello', model: 'gemini-2.5-flash', latencyMs: 3_000, upstreamMs: 900, audioSeconds: 1, tokens: 32 },
    },
  };
  return { ...base, status, ...byStatus[status], ...patch };
}

/** A payload chunk of a one-chunk job. */
export function chunk(jobId: string, userId: string): DocOf<'payloads'> {
  return { jobId, userId, index: 0, count: 1, data: new Uint8Array(32_044), createdAt: T };
}

/** One engine-shaped document per collection, keyed by id (jobs/payloads/rateLimits belong to alice). */
export function engineDocs(owner: string): { [K in CollectionKey]: { id: string; data: DocOf<K> } } {
  const body = { latency: emptyHistogram(), wait: emptyHistogram(), upstreamLatency: emptyHistogram(), counters: {} };
  return {
    jobs: { id: 'job-alice', data: job(owner, 'queued') },
    payloads: { id: 'job-alice_0000', data: chunk('job-alice', owner) },
    servers: {
      id: 'server-1',
      data: decodeDoc('servers', {
        serverId: 'server-1', hostname: 'host-a', pid: 42, version: '0.1.0', state: 'active', startedAt: T, heartbeatAt: T,
        heartbeatIntervalMs: 5_000, inFlight: 1, concurrencyLimit: 4, maxConcurrency: 8,
      }),
    },
    leader: { id: 'current', data: decodeDoc('leader', { holder: 'server-1', term: 3, acquiredAt: T, renewedAt: T, expiresAt: T + 15_000 }) },
    locks: {
      id: 'maintenance',
      data: decodeDoc('locks', { name: 'maintenance', holder: 'server-1', token: 7, acquiredAt: T, renewedAt: T, expiresAt: T + 30_000, purpose: 'rollups' }),
    },
    breakers: {
      id: 'gemini-2.5-flash',
      data: decodeDoc('breakers', { model: 'gemini-2.5-flash', state: 'closed', generation: 2, since: T, updatedAt: T }),
    },
    rateLimits: {
      id: owner,
      data: decodeDoc('rateLimits', {
        userId: owner, tier: 'default', recent: [T], limit: 60, burst: 10, windowMs: 60_000, count: 1, remaining: 59, resetAt: T + 60_000, updatedAt: T,
      }),
    },
    budgets: {
      id: 'gemini-2.5-flash',
      data: decodeDoc('budgets', {
        model: 'gemini-2.5-flash', requestsPerMinute: 60, tokensPerMinute: 100_000, usedRequests: 3, usedTokens: 96, adaptiveLimit: 8, slices: {}, term: 3, updatedAt: T,
      }),
    },
    controls: { id: 'queue', data: decodeDoc('controls', { paused: false, pausedPriorities: [], updatedAt: T, updatedBy: 'server-1' }) },
    stats: {
      id: 'queue',
      data: decodeDoc('stats', {
        at: T, leaderId: 'server-1', leaderTerm: 3, queuedByPriority: {}, byStatus: {}, throughputPerMin: 2, successRate: 1, p50Ms: 900,
        p95Ms: 2_000, avgServiceMs: 1_000, fleetConcurrency: 4, oldestQueuedAt: null, firestoreOpsPerJob: 9,
      }),
    },
    analytics: { id: `minute_${T}`, data: decodeDoc('analytics', { ...body, granularity: 'minute', periodStart: T, updatedAt: T }) },
    analyticsPartials: { id: `${T}_server-1`, data: decodeDoc('analyticsPartials', { ...body, periodStart: T, serverId: 'server-1', updatedAt: T }) },
    audit: {
      id: 'entry-1',
      data: decodeDoc('audit', { at: T, actor: { kind: 'admin', id: 'ops-admin', email: 'ops@example.com' }, action: 'queue.pause', target: { kind: 'queue', id: 'all' } }),
    },
    idempotency: { id: 'key-1', data: decodeDoc('idempotency', { userId: owner, key: 'k1', jobId: 'job-alice', createdAt: T, expireAt: T + 86_400_000 }) },
    submissionGates: { id: owner, data: decodeDoc('submissionGates', { windowStart: T, count: 1, lastJobId: 'job-alice' }) },
    alerts: {
      id: 'alert-1',
      data: decodeDoc('alerts', {
        at: T, key: 'breaker_open:gemini-2.5-flash', kind: 'breaker_open', status: 'firing', firingSince: T, subject: 'gemini-2.5-flash',
        title: 'Circuit breaker open: gemini-2.5-flash', detail: 'open', text: ':red_circle: FIRING: Circuit breaker open', sentBy: 'server-1', term: 3,
        delivery: { state: 'delivered', at: T, webhooks: [{ target: 'hooks.slack.com #1', ok: true, status: 200, attempts: 1 }] }, expireAt: T + 30 * 86_400_000,
      }),
    },
    alertState: {
      id: 'current',
      data: decodeDoc('alertState', {
        active: { 'breaker_open:gemini-2.5-flash': { kind: 'breaker_open', title: 'Circuit breaker open: gemini-2.5-flash', firingSince: T, lastSentAt: T } },
        updatedAt: T, updatedBy: 'server-1',
      }),
    },
    bulkControls: {
      id: 'bulk-1',
      data: decodeDoc('bulkControls', {
        action: 'job.redrive', filter: { status: 'dead_lettered' }, description: 'status=dead_lettered', requestedBy: { kind: 'admin', id: 'ops-admin', email: 'ops@example.com' },
        createdAt: T, createdBefore: T, state: 'running', progress: { matched: 16, done: 16 }, cursor: { createdAt: T - 1, idsAt: ['job-x'] },
        carrier: 'server-1', carrierToken: 1, carrierExpiresAt: T + 20_000, updatedAt: T,
      }),
    },
  };
}

/** Writes documents with rules disabled. */
export async function seed(env: RulesEnv, docs: Array<{ collection: CollectionKey; id: string; data: DocOf<CollectionKey> }>): Promise<void> {
  await env.asOwner(async (db: Firestore) => {
    for (let i = 0; i < docs.length; i += 400) {
      const batch = writeBatch(db);
      for (const d of docs.slice(i, i + 400)) batch.set(doc(db, env.names[d.collection], d.id), encoded(d.collection, d.data as never));
      await batch.commit();
    }
  });
}

export async function seedOne<K extends CollectionKey>(env: RulesEnv, collection: K, id: string, data: DocOf<K>): Promise<void> {
  await env.asOwner((db) => setDoc(doc(db, env.names[collection], id), encoded(collection, data)));
}

import type { WorkerConfigInput } from '@fq/worker/schema';
import type { SystemOptions } from '../../../system/index.js';

/** A tier of one job a minute (the suite puts SCHEDULED_USER in it with a server-side enqueue). */
export const RATE_LIMITED_TIER = 'e2e-one-a-minute';

/**
 * Timing for the e2e system: short heartbeats, leases and leader terms so a killed worker
 * is flagged stale and leadership moves within seconds, yet long enough that a busy 2-core
 * machine does not lose leases spuriously. Retries are quick and few (dead letters after 3).
 */
export const E2E_WORKER_CONFIG: WorkerConfigInput = {
  maxAttempts: 3,
  requestTimeoutMs: 30_000,
  lease: { durationMs: 4_000, heartbeatMs: 800 },
  backoff: { baseMs: 200, maxMs: 1_000, multiplier: 2 },
  // The idle fleet's slower heartbeat and longer leader lease, scaled down like the rest.
  serverCoordination: {
    heartbeatIntervalMs: 1_000,
    serverTimeoutMs: 5_000,
    leaderLeaseMs: 4_000,
    maintenanceIntervalMs: 1_000,
    idleHeartbeatIntervalMs: 3_000,
    idleLeaderLeaseMs: 8_000,
  },
  rateLimiting: {
    requestsPerMinute: 1_000,
    burstLimit: 200,
    windowSizeMs: 60_000,
    // One a minute: the end-user spec's user over the limit sees graceful queuing (a deferred job).
    tiers: { [RATE_LIMITED_TIER]: { requestsPerMinute: 1, burstLimit: 0 } },
  },
  // A fallback model, as a deployment would have: while the primary's breaker is open, urgent
  // and high jobs go to it (the fake serves both), normal and low wait.
  upstream: { flowIntervalMs: 1_000, fallbackModel: 'gemini-2.5-flash-lite', fallbackPriorities: ['urgent', 'high'] },
};

/** The end-user page's user who goes over their rate limit (their own account: the tier sticks to the user). */
export const SCHEDULED_USER = { email: 'scheduled@firequeue.test', password: 'firequeue-user3' };

/** Users of the end-user page; each spec that enqueues uses its own user id as well. */
export const E2E_USERS = [
  { email: 'user@firequeue.test', password: 'firequeue-user' },
  { email: 'listener@firequeue.test', password: 'firequeue-user2' },
  SCHEDULED_USER,
];

/** `alertWebhooks`: where the workers send alerts (the run's local receiver). */
export function e2eSystemOptions(logDir: string, prefix: string, extra: { alertWebhooks?: string[] } = {}): SystemOptions {
  return {
    // GCLOUD_PROJECT wins (firebase emulators:exec sets it); otherwise a project of its own.
    projectId: process.env.GCLOUD_PROJECT || 'demo-firequeue-e2e',
    prefix,
    workers: 3,
    workerConcurrency: 4,
    workerConfig: { ...E2E_WORKER_CONFIG, alerts: { webhooks: extra.alertWebhooks ?? [] } },
    workerGraceMs: 2_000,
    fakeGemini: { capacity: 8, baseLatencyMs: 150, latencyMsPerAudioSecond: 50, latencyJitter: 0 },
    users: E2E_USERS,
    control: true,
    logDir,
    // The fake Gemini always: the suite injects failures and counts calls.
    geminiApiKey: null,
  };
}

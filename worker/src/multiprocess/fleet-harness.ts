import type { WorkerConfigInput } from '../schema/config.js';
import type { JobStatus } from '../schema/job.js';
import type { Actor } from '../schema/audit.js';
import { startFakeGemini, type FakeGeminiHandle } from '@fq/fake-gemini';
import type { FirestoreStore } from '../adapters/firestore/firestore-store.js';
import { createQueue, type Queue } from '../runtime/queue.js';
import { firestoreStore, startFirestoreTestEnv, type FirestoreTestEnv } from '../testing/firestore-env.js';
import { uniquePrefix } from '../testing/engine-fixture.js';
import { spawnWorker, type WorkerProcess } from '../testing/worker-process.js';
import { waitFor } from '../testing/wait.js';

export const admin: Actor = { kind: 'admin', id: 'test-operator', email: null };

/**
 * Timing for real processes on a slow, shared machine: leases long enough that a busy
 * event loop does not lose them spuriously, short enough to keep tests quick.
 */
export const PROCESS_CONFIG: WorkerConfigInput = {
  maxAttempts: 3,
  requestTimeoutMs: 60_000,
  lease: { durationMs: 3_000, heartbeatMs: 600 },
  backoff: { baseMs: 100, maxMs: 500, multiplier: 2 },
  // The leader is killed at any moment, idle or not: keep the short lease throughout.
  serverCoordination: { heartbeatIntervalMs: 500, serverTimeoutMs: 4_000, leaderLeaseMs: 3_000, maintenanceIntervalMs: 500, idleLeaderLeaseMs: null },
  rateLimiting: { requestsPerMinute: 5_000, burstLimit: 1_000, windowSizeMs: 60_000 },
};

export interface Fleet {
  env: FirestoreTestEnv;
  gemini: FakeGeminiHandle;
  prefix: string;
  store: FirestoreStore;
  queue: Queue;
  workers: WorkerProcess[];
  spawn(serverId: string): Promise<WorkerProcess>;
  status(jobId: string): Promise<JobStatus | null>;
  waitStatus(jobId: string, status: JobStatus, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFleet(tag: string, count: number, config: WorkerConfigInput = PROCESS_CONFIG): Promise<Fleet> {
  const env = await startFirestoreTestEnv();
  const gemini = await startFakeGemini({ capacity: 100, baseLatencyMs: 150, latencyMsPerAudioSecond: 100, latencyJitter: 0 });
  const prefix = uniquePrefix(tag);
  const store = firestoreStore(env, prefix);
  const queue = createQueue({ store, config, clientId: 'test-api' });
  const spawn = (serverId: string) =>
    spawnWorker({
      serverId,
      prefix,
      projectId: env.projectId,
      emulatorHost: env.host,
      fakeGeminiUrl: gemini.url,
      config,
      concurrency: 3,
      graceMs: 1_000,
    });
  const workers = await Promise.all(Array.from({ length: count }, (_, i) => spawn(`${tag}-w${i}`)));
  const status = async (jobId: string) => (await queue.getJob(jobId))?.status ?? null;
  const fleet: Fleet = {
    env,
    gemini,
    prefix,
    store,
    queue,
    workers,
    spawn,
    status,
    async waitStatus(jobId, wanted, timeoutMs = 90_000) {
      await waitFor(async () => (await status(jobId)) === wanted, { timeoutMs, intervalMs: 100, what: `job ${jobId} ${wanted}` });
    },
    async close() {
      await Promise.all(fleet.workers.map((w) => w.stop()));
      await store.close();
      await gemini.close();
      await env.stop();
    },
  };
  return fleet;
}

/** On failure, show what the workers said (their last log lines and stderr). */
export function describeWorkers(workers: readonly WorkerProcess[]): string {
  return workers
    .map((w) => `--- ${w.serverId} (${w.isRunning() ? 'running' : 'exited'})\n${w.logs.slice(-15).map((l) => JSON.stringify(l)).join('\n')}\n${w.stderr().slice(-1000)}`)
    .join('\n');
}

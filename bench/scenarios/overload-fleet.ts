import type { WorkerConfigInput } from '@fq/worker';
import type { FakeGeminiStats } from '@fq/fake-gemini';
import type { BenchJob } from '../lib/job-set.js';
import { allJobs, countBy, countTerminal, enqueueJobs, releaseBacklog, waitForTerminal } from '../lib/queue-driver.js';
import { crashedWorkers, type Rig } from '../lib/rig.js';

/**
 * Our side of the overload comparison: real worker processes with fleet flow control (the
 * CLI's default), production defaults except limits that would refuse the bench's own
 * traffic, draining a backlog released at once.
 */
export interface FleetOverloadResult {
  drainMs: number;
  /** Store time just before the release, and the harness clock at the release (epoch ms). */
  releasedAt: number;
  releasedWall: number;
  statuses: Record<string, number>;
  /** Release to completion per job, ms (store time). */
  completionMs: number[];
  upstream: FakeGeminiStats;
  adaptiveLimitAtEnd: number | null;
  breakerTransitions: number;
}

/** The highest per-user limit the limiter accepts (limit + burst <= 10,000 per window). */
export const BENCH_RATE_LIMITS = { requestsPerMinute: 9_000, burstLimit: 1_000, windowSizeMs: 60_000 };

export function benchConfig(model: string, maxAttempts: number, overrides: WorkerConfigInput = {}): WorkerConfigInput {
  return {
    maxAttempts,
    maxQueueSize: 1_000_000,
    // One bench user submits hundreds of jobs at once; the defaults (120/min) would refuse them.
    rateLimiting: BENCH_RATE_LIMITS,
    ...overrides,
    upstream: { model, ...overrides.upstream },
  };
}

/** Pause, enqueue the jobs, reset the fake's counters, release, wait for every job to finish. */
export async function drainBacklog(
  rig: Rig,
  jobs: readonly BenchJob[],
  options: {
    model: string;
    timeoutMs: number;
    what: string;
    log(message: string): void;
    /** Called just before the release and as soon as every job is terminal (e.g. CPU sampling). */
    window?: { start(): void; stop(): void };
    /**
     * Runs from the release while the fleet drains (switch an outage on and off, kill a
     * leader); the signal aborts once every job is terminal. Its error fails the drain.
     */
    during?: (signal: AbortSignal) => Promise<void>;
  },
): Promise<FleetOverloadResult> {
  const { queue, store, fake } = rig;
  // Jobs of earlier drains on the same rig are already terminal: wait for these on top.
  const before = await countTerminal(store);
  let releasedWall = 0;
  const releasedAt = await releaseBacklog(queue, store, async () => {
    options.log(`${options.what}: enqueueing ${jobs.length} jobs while paused`);
    const outcomes = await enqueueJobs(queue, jobs);
    const failed = outcomes.filter((o) => o.error);
    if (failed.length) throw new Error(`${options.what}: ${failed.length} enqueues failed, first: ${failed[0]!.error}`);
    await fake.reset({ stats: true, failures: true });
    releasedWall = Date.now();
    options.window?.start();
  });
  options.log(`${options.what}: backlog released`);
  const stopDuring = new AbortController();
  // A failed action ends the wait at once (its error is the drain's), not at the timeout.
  let failDrain: (error: unknown) => void = () => undefined;
  const duringFailed = new Promise<never>((_, reject) => (failDrain = reject));
  const during = options.during?.(stopDuring.signal).catch((error: unknown) => failDrain(error));
  const waiting = waitForTerminal(store, before + jobs.length, {
    timeoutMs: options.timeoutMs,
    what: options.what,
    onProgress: () => {
      if (stopDuring.signal.aborted) throw new Error(`${options.what}: stopped waiting`);
    },
  });
  waiting.catch(() => undefined);
  try {
    await Promise.race([waiting, duringFailed]);
  } finally {
    stopDuring.abort();
    await during;
  }
  options.window?.stop();
  const wallDrain = Date.now() - releasedWall;
  const upstream = await fake.stats();
  const ids = new Set(jobs.map((j) => j.id));
  const finished = (await allJobs(store)).filter((j) => ids.has(j.id));
  const lastDone = Math.max(...finished.map((j) => j.completedAt ?? 0));
  const budget = (await store.get('budgets', options.model)).doc;
  const breaker = (await store.get('breakers', options.model)).doc;
  const crashed = await crashedWorkers(rig.system);
  if (crashed.length) throw new Error(`${options.what}: a worker crashed: ${crashed[0]}`);
  return {
    // Store time from release to the last completion (the wall clock adds polling delay).
    drainMs: lastDone > releasedAt ? Math.min(wallDrain, lastDone - releasedAt) : wallDrain,
    releasedAt,
    releasedWall,
    statuses: countBy(finished, (j) => j.status),
    completionMs: finished.filter((j) => j.completedAt).map((j) => j.completedAt! - releasedAt),
    upstream,
    adaptiveLimitAtEnd: budget?.adaptiveLimit ?? null,
    breakerTransitions: breaker?.history.length ?? 0,
  };
}

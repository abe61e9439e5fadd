import { resolveConfig, type WorkerConfigInput } from '../schema/config.js';
import { seededRandom } from '../core/ids.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { silentLogger } from '../ports/logger.js';
import type { DocStore } from '../ports/store.js';
import type { CollectionKey } from '../schema/names.js';
import type { EngineContext } from '../engine/context.js';
import { AnalyticsRecorder } from '../engine/analytics/recorder.js';

/**
 * What engine contract suites need from an adapter: two clients of one fresh namespace
 * ("two servers"), a way to let store time pass, and the clock that drives timers.
 */
export interface EngineFixture {
  stores: [DocStore, DocStore];
  clock: Clock;
  /** Lets at least `ms` of STORE time pass (fake clock: instant; Firestore: real time). */
  passTime(ms: number): Promise<void>;
  /** Stores `data` as it is, bypassing the schema (what a browser or an admin can write). */
  writeRaw(collection: CollectionKey, id: string, data: Record<string, unknown>): Promise<void>;
  cleanup(): Promise<void>;
}

export type EngineFixtureFactory = (prefix: string) => Promise<EngineFixture>;

let counter = 0;
export function uniquePrefix(tag: string): string {
  counter += 1;
  return `t${Date.now().toString(36)}${process.pid.toString(36)}${counter}_${tag}_`.replace(/[^A-Za-z0-9_-]/g, '');
}

/** Test configuration: short leases and intervals so real-time runs stay quick. */
export const TEST_CONFIG: WorkerConfigInput = {
  maxAttempts: 3,
  busyBudgetMs: 5_000,
  lease: { durationMs: 600, heartbeatMs: 150 },
  backoff: { baseMs: 100, maxMs: 400, multiplier: 2 },
  serverCoordination: { heartbeatIntervalMs: 200, serverTimeoutMs: 800, leaderLeaseMs: 800, maintenanceIntervalMs: 200 },
  rateLimiting: { requestsPerMinute: 1_000, burstLimit: 100, windowSizeMs: 60_000 },
};

export function engineContext(
  store: DocStore,
  options: { serverId: string; clock?: Clock; config?: WorkerConfigInput; seed?: number; analytics?: boolean },
): EngineContext {
  const config = resolveConfig({ ...TEST_CONFIG, ...options.config });
  const clock = options.clock ?? systemClock;
  return {
    store,
    clock,
    config,
    serverId: options.serverId,
    random: seededRandom(options.seed ?? 42),
    log: silentLogger,
    analytics: options.analytics
      ? new AnalyticsRecorder({ store, clock, serverId: options.serverId, log: silentLogger, flushIntervalMs: 1_000 })
      : null,
  };
}

/** Waits until the store's clock has moved `ms` past its current reading (real time). */
export async function passStoreTime(store: DocStore, ms: number): Promise<void> {
  const target = store.now() + ms;
  while (store.now() < target) await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, target - store.now()))));
}

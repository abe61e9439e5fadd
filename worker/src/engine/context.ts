import type { WorkerConfig } from '../schema/config.js';
import type { RandomSource } from '../core/ids.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { DocStore } from '../ports/store.js';
import type { AnalyticsRecorder } from './analytics/recorder.js';

/** What every engine component needs; built once per server. */
export interface EngineContext {
  store: DocStore;
  /** Local clock for timers; decisions use store time (`store.now()`, read times). */
  clock: Clock;
  config: WorkerConfig;
  serverId: string;
  random: RandomSource;
  log: Logger;
  /** Per-minute counters of this server (null = not recorded, e.g. an enqueue-only client). */
  analytics: AnalyticsRecorder | null;
}

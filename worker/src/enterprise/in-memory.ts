import { resolveConfig } from '../schema/config.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { createGeminiTranscriber } from '../adapters/gemini/gemini-transcriber.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import type { Transcriber } from '../ports/transcriber.js';
import { QueueWorker } from '../runtime/worker.js';
import { createQueue } from '../runtime/queue.js';
import { EnterpriseTranscriptionQueue, type EnterpriseQueueConfig } from './enterprise-queue.js';

export interface InMemoryQueueOptions {
  config?: EnterpriseQueueConfig;
  /** Who transcribes: default Gemini through `@google/genai` (GEMINI_API_KEY). */
  transcriber?: Transcriber;
  clock?: Clock;
  log?: Logger;
}

/**
 * The design document's phase 1: the whole queue in this process, no Firestore. The same
 * engine runs on the memory store (the store contract suite holds it to Firestore's
 * semantics) with one real worker loop: priorities, per-user rate limits, retries with
 * backoff, dead letters, the breaker and the flow limiter all apply. Nothing survives the
 * process, and other processes cannot share it: for a fleet, use Firestore.
 * `close()` stops the worker (in-flight jobs finish or go back to the queue).
 */
export function createInMemoryTranscriptionQueue(options: InMemoryQueueOptions = {}): EnterpriseTranscriptionQueue {
  const config = resolveConfig(options.config);
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  const store = new MemoryStore({ clock, prefix: config.collectionPrefix });
  const transcriber = options.transcriber ?? createGeminiTranscriber(config);
  const worker = new QueueWorker({ store, transcriber, config, clock, log, serverId: 'in-memory', identity: { hostname: 'in-memory' } });
  const started = worker.start();
  // A start failure surfaces on close(); until then it is logged, not an unhandled rejection.
  started.catch((error: unknown) => log.error({ err: error }, 'in-memory worker failed to start'));
  // Jobs the rate limit defers start when due, on this worker's timer.
  const queue = createQueue({ store, config, clock, log, clientId: 'in-memory-api', onDeferred: (id, at) => worker.promoteWhenDue(id, at) });
  return new EnterpriseTranscriptionQueue(queue, async () => {
    await started;
    await worker.stop();
    await store.close();
  });
}

import { resolveConfig } from '../schema/config.js';
import { QueueError } from '../core/errors.js';
import { createFirestoreStore } from '../adapters/firestore/firestore-store.js';
import type { Logger } from '../ports/logger.js';
import type { DocStore } from '../ports/store.js';
import type { Transcriber } from '../ports/transcriber.js';
import { createQueue } from '../runtime/queue.js';
import { EnterpriseTranscriptionQueue, type EnterpriseQueueConfig } from './enterprise-queue.js';
import { createInMemoryTranscriptionQueue } from './in-memory.js';

/** The singleton cannot be made as asked (no project, or asked again with another config). */
export class EnterpriseQueueConfigError extends QueueError {
  constructor(message: string) {
    super('QUEUE_CONFIG', message);
  }
}

export interface EnterpriseRuntimeOptions {
  /**
   * `firestore` (default): the queue lives in Firestore, served by worker processes
   * (`fq-worker`); this process enqueues and reads stats. `memory`: phase 1, the queue and
   * one worker loop inside this process (see createInMemoryTranscriptionQueue).
   */
  mode?: 'firestore' | 'memory';
  /** A store you made (firestore mode); default Firestore through firebase-admin. */
  store?: DocStore;
  /** Firebase project (firestore mode; default env GCLOUD_PROJECT, then GOOGLE_CLOUD_PROJECT). */
  projectId?: string;
  /** Memory mode's transcriber (default Gemini, GEMINI_API_KEY). */
  transcriber?: Transcriber;
  log?: Logger;
  env?: Record<string, string | undefined>;
}

let current: { queue: EnterpriseTranscriptionQueue; config: string } | null = null;

/**
 * The design document's `getEnterpriseTranscriptionQueue(config)`: one queue per process.
 * The first call makes it from `config` (defaults for what is left out) and `runtime`; later
 * calls return the same instance. A later call with a config that resolves differently throws
 * `EnterpriseQueueConfigError` instead of silently ignoring it (two parts of an app that
 * disagree about the limits should hear about it); `resetEnterpriseTranscriptionQueue()`
 * closes the instance so the next call makes a new one.
 */
export function getEnterpriseTranscriptionQueue(config?: EnterpriseQueueConfig, runtime: EnterpriseRuntimeOptions = {}): EnterpriseTranscriptionQueue {
  const resolved = resolveConfig(config);
  const key = JSON.stringify(resolved);
  if (current) {
    if (config !== undefined && key !== current.config) {
      throw new EnterpriseQueueConfigError(
        'getEnterpriseTranscriptionQueue was already initialised with another config; call resetEnterpriseTranscriptionQueue() first or pass no config',
      );
    }
    return current.queue;
  }
  let queue: EnterpriseTranscriptionQueue;
  if (runtime.mode === 'memory') {
    queue = createInMemoryTranscriptionQueue({ config: resolved, ...(runtime.transcriber ? { transcriber: runtime.transcriber } : {}), ...(runtime.log ? { log: runtime.log } : {}) });
  } else {
    const env = runtime.env ?? process.env;
    let store = runtime.store;
    if (!store) {
      const projectId = runtime.projectId ?? env.GCLOUD_PROJECT ?? env.GOOGLE_CLOUD_PROJECT;
      if (!projectId) {
        throw new EnterpriseQueueConfigError('no Firebase project: pass runtime.projectId or set GCLOUD_PROJECT (or use { mode: "memory" } for one process)');
      }
      store = createFirestoreStore({ projectId, prefix: resolved.collectionPrefix });
    }
    const owned = runtime.store ? null : store;
    queue = new EnterpriseTranscriptionQueue(createQueue({ store, config: resolved, ...(runtime.log ? { log: runtime.log } : {}) }), async () => {
      await owned?.close();
    });
  }
  current = { queue, config: key };
  return queue;
}

/** Closes the singleton (if any); the next `getEnterpriseTranscriptionQueue` makes a new one. */
export async function resetEnterpriseTranscriptionQueue(): Promise<void> {
  const instance = current;
  current = null;
  await instance?.queue.close();
}

import { resolveConfig, type WorkerConfig, type WorkerConfigInput } from '../schema/config.js';
import type { Actor } from '../schema/audit.js';
import { TERMINAL_STATUSES, type Job } from '../schema/job.js';
import { cryptoRandom, newDocumentId, type RandomSource } from '../core/ids.js';
import type { ControlCommandInput, ControlPlan } from '../core/controls/index.js';
import type { SubmissionRequest } from '../core/submission.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { documentIdProblem } from '../schema/text.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import type { DocStore } from '../ports/store.js';
import type { EngineContext } from '../engine/context.js';
import { Admission, type EnqueueOptions, type EnqueueResult } from '../engine/admission.js';
import { applyControl } from '../engine/controls.js';
import { DistributedLocks } from '../engine/locks.js';
import { getEnterpriseStats, type EnterpriseStats } from '../engine/analytics/stats.js';

export interface QueueOptions {
  store: DocStore;
  config?: WorkerConfig | WorkerConfigInput;
  /** Identifies this client in audit entries and locks (default: a random id). */
  clientId?: string;
  clock?: Clock;
  random?: RandomSource;
  log?: Logger;
  /**
   * A job this queue's `enqueue` admitted deferred by the rate limit (`deferredUntil`): a
   * process that also runs a worker passes `(id, at) => worker.promoteWhenDue(id, at)` so the
   * job starts on time; without it the leader's pass over due jobs promotes it.
   */
  onDeferred?: (jobId: string, deferredUntil: number) => void;
}

/**
 * The queue's server-side API (the seed's `enqueue` / `getEnterpriseStats`): usable from any
 * Node process with store access, with or without running a worker.
 */
export interface Queue {
  /** Audio as bytes with `mimeType`, or as `audioDataUri`. */
  enqueue(input: SubmissionRequest, options?: EnqueueOptions): Promise<EnqueueResult>;
  getJob(jobId: string): Promise<Job | null>;
  /** Resolves with the job once it reaches a terminal status (listener, no polling). */
  waitForJob(jobId: string, options?: { signal?: AbortSignal }): Promise<Job>;
  /** Every operator action; appends an audit entry. */
  control(command: ControlCommandInput, actor: Actor): Promise<ControlPlan>;
  getEnterpriseStats(): Promise<EnterpriseStats>;
  readonly locks: DistributedLocks;
  readonly config: WorkerConfig;
}

/** A job id is a document id: one that cannot be is refused before the SDK sees it. */
function assertJobId(jobId: string): void {
  const problem = typeof jobId === 'string' ? documentIdProblem(jobId) : 'must be a string';
  if (problem) throw new ValidationError([{ path: 'jobId', message: problem }], 'job id');
}

export function createQueue(options: QueueOptions): Queue {
  const config = resolveConfig(options.config as WorkerConfigInput);
  const ctx: EngineContext = {
    store: options.store,
    clock: options.clock ?? systemClock,
    config,
    serverId: options.clientId ?? `client-${newDocumentId().slice(0, 8)}`,
    random: options.random ?? cryptoRandom,
    log: options.log ?? silentLogger,
    analytics: null,
  };
  const admission = new Admission(ctx, options.onDeferred ? { onDeferred: options.onDeferred } : {});
  const store = options.store;
  return {
    config,
    locks: new DistributedLocks(ctx),
    enqueue: (input, opts) => admission.enqueue(input, opts),
    async getJob(jobId) {
      assertJobId(jobId);
      const { doc } = await store.get('jobs', jobId);
      return doc ? { ...doc, id: jobId } : null;
    },
    waitForJob(jobId, opts = {}) {
      try {
        assertJobId(jobId);
      } catch (error) {
        return Promise.reject(error as ValidationError);
      }
      return new Promise<Job>((resolve, reject) => {
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          unsubscribe();
          opts.signal?.removeEventListener('abort', onAbort);
          fn();
        };
        const onAbort = () => finish(() => reject(opts.signal?.reason as Error));
        const unsubscribe = store.listenDoc(
          'jobs',
          jobId,
          ({ doc }) => {
            if (!doc) finish(() => reject(new NotFoundError('job', jobId)));
            else if (TERMINAL_STATUSES.includes(doc.status)) finish(() => resolve({ ...doc, id: jobId }));
          },
          (error) => finish(() => reject(error)),
        );
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    control: (command, actor) => applyControl(ctx, command, actor),
    getEnterpriseStats: () => getEnterpriseStats(store, config.serverCoordination.serverTimeoutMs, config.serverCoordination.heartbeatIntervalMs),
  };
}

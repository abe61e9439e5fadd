import type { ErrorClass, JobStatus } from '../schema/job.js';

/**
 * Where a claim attempt's candidate came from: the idle worker's head listener, a busy
 * worker's look at its own shards, at the other shards' head, at the whole head (the fleet's
 * members unknown), or the orphaned-shard check. Lost races per route say which contend.
 */
export type ClaimRoute = 'listen' | 'own' | 'others' | 'whole' | 'orphan';

/** Hooks for metrics and tests; every method is optional. */
export interface WorkerObserver {
  claimed?(jobId: string, route?: ClaimRoute): void;
  claimConflict?(jobId: string, route?: ClaimRoute): void;
  /** A claim attempt that failed with an error (aborted transaction, store fault) rather than losing a race. */
  claimError?(jobId: string, error: unknown): void;
  finished?(jobId: string, status: JobStatus | 'released' | 'lease_lost'): void;
  upstream?(outcome: { ok: boolean; errorClass: ErrorClass | null; latencyMs: number; model: string }): void;
  leaseLost?(jobId: string, reason: string): void;
  leadership?(isLeader: boolean, term: number): void;
}

export type StopKind = 'cancel' | 'lease_lost' | 'timeout' | 'shutdown';

/** Abort reason of a job's AbortSignal: why the upstream call was stopped. */
export class StopReason extends Error {
  constructor(
    readonly kind: StopKind,
    message: string,
  ) {
    super(message);
    this.name = 'StopReason';
  }
}

export function stopKind(signal: AbortSignal): StopKind | null {
  return signal.aborted && signal.reason instanceof StopReason ? signal.reason.kind : null;
}

import type { ErrorClass, Priority } from '../schema/job.js';
import type { BudgetSlice, UpstreamWindow } from '../schema/coordination.js';

/**
 * Flow control decides how much upstream work this worker may start and where to send it.
 * Phase one is a static limit (`maxConcurrentRequests` against the primary model); the fleet
 * implementation adds the shared circuit breaker, the global budget, adaptive concurrency and
 * fallback routing behind the same interface, so the worker loop never changes.
 */
export interface ClaimBudget {
  /** Jobs this worker may claim right now (0 = claim nothing). */
  slots: number;
  /**
   * Priorities that may be claimed now: all of them on a healthy primary route, only the
   * fallback-eligible ones while the primary breaker is open and a fallback model exists.
   */
  priorities: readonly Priority[];
  /** Why slots is 0 (for logs and metrics), e.g. 'breaker_open', 'budget', 'at_limit'. */
  reason: string | null;
}

export type UpstreamOutcome =
  | { ok: true; latencyMs: number; audioSeconds: number | null; tokens: number | null }
  | { ok: false; errorClass: ErrorClass; latencyMs: number; retryAfterMs: number | null };

export interface UpstreamPermit {
  /** Model to call: the primary model or the fallback route. */
  model: string;
  /** True when this call is the fleet's single half-open breaker probe. */
  isProbe: boolean;
  /** Report the call's outcome exactly once (also on abort/cancel). */
  complete(outcome: UpstreamOutcome): void;
}

export type PermitDecision =
  | { granted: true; permit: UpstreamPermit }
  | { granted: false; retryAfterMs: number; reason: string };

export interface AcquireOptions {
  /**
   * Wait (a bounded time) for a permit while this server is at its limit instead of refusing
   * at once: the worker claims one job ahead (see `ClaimBudget`) and hands it the next permit.
   */
  wait?: boolean;
  /** Ends a wait: the answer is then a refusal (or a permit the caller must complete). */
  signal?: AbortSignal;
}

export interface FlowJob {
  id: string;
  priority: Priority;
  /** Requested model, or null for the configured primary. */
  model: string | null;
  audioSeconds: number | null;
}

export interface FlowControl {
  /**
   * What to claim next, given the jobs this worker already has in flight: claimed and not yet
   * done with their upstream call (a job writing its outcome no longer holds a call).
   */
  claimBudget(inFlight: number): ClaimBudget;
  /**
   * Ask to call the upstream for a claimed job. A refusal means "not now": the worker puts
   * the job back (status `waiting`, availableAt = now + retryAfterMs) without spending an
   * attempt.
   */
  acquire(job: FlowJob, options?: AcquireOptions): Promise<PermitDecision>;
  /** Called when the budget may have grown (breaker closed, slice raised): wake the loop. */
  onChange(listener: () => void): () => void;
  /**
   * Called when this server's report holds news the leader needs before the next heartbeat
   * (e.g. outage evidence): the worker writes its heartbeat at once. Optional.
   */
  onReportDue?(listener: () => void): () => void;
  /** Upstream counts for this server's heartbeat document, per model. */
  report(): Record<string, UpstreamWindow>;
  /** Budget slices the leader leased to this server, per model, for its heartbeat document. */
  slices(): Record<string, BudgetSlice>;
  /**
   * The live servers as the leader last allocated the fleet's budget among them (unexpired),
   * or null when unknown. The claim loop ranks them per job so that, of all idle workers,
   * one claims a new job at once and the others only if it did not.
   */
  members?(): readonly string[] | null;
  /**
   * The members that can claim now (a slice of the routed model's concurrency above 0): the
   * claim loop splits its shards among these. Without it, `members`.
   */
  claimMembers?(): readonly string[] | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Periodic work that only the elected leader performs (maintenance, aggregation, budgets). */
export interface LeaderDuty {
  readonly name: string;
  readonly intervalMs: number;
  /** `term` is the leader lease's fencing token; writes must check it still holds. */
  run(context: { term: number; serverId: string; signal: AbortSignal }): Promise<void>;
}

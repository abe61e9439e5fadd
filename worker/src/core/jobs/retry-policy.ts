import type { ErrorClass } from '../../schema/job.js';
import type { RandomSource } from '../ids.js';

/** Error classes worth another attempt: the upstream may succeed later. */
export const RETRYABLE_CLASSES: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  'overloaded',
  'quota',
  'timeout',
  'network',
  'server',
  'lease_lost',
  'unknown',
]);

export function isRetryable(errorClass: ErrorClass): boolean {
  return RETRYABLE_CLASSES.has(errorClass);
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  multiplier: number;
  /** Cap for busy answers (see the config's `backoff.busyMaxMs`); absent: `maxMs`. */
  busyMaxMs?: number;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog "Exponential Backoff And
 * Jitter"): a uniform delay in [0, min(max, base * multiplier^(attempt-1))]. Full jitter
 * spreads a burst of failures from many workers instead of re-synchronising them.
 * The delay is never shorter than what the upstream asked for (Retry-After / retryDelay).
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: RandomSource,
  retryAfterMs: number | null = null,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.multiplier, Math.max(0, attempt - 1)));
  const jittered = Math.floor(random() * exp);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Error classes that mean "the upstream is busy", not "this job failed": overload and quota. */
export const BUSY_CLASSES: ReadonlySet<ErrorClass> = new Set<ErrorClass>(['overloaded', 'quota']);

export function isBusy(errorClass: ErrorClass): boolean {
  return BUSY_CLASSES.has(errorClass);
}

/**
 * What an ended attempt was charged to, recorded in the job's history:
 * - `attempt`: a real failure, one of the job's `maxAttempts`;
 * - `busy`: the upstream answered overloaded or quota; such answers say nothing about the job,
 *   so they spend the job's busy budget (time), not its attempts;
 * - `probe`: the job carried the fleet's half-open breaker probe and the upstream was still
 *   failing; the breaker's question cost the job nothing.
 */
export type AttemptCharge = 'attempt' | 'busy' | 'probe';

export type FailureDecision =
  | {
      kind: 'retry';
      delayMs: number;
      availableAt: number;
      charge: AttemptCharge;
      /** Start of the job's current run of busy answers (null: the run ended). */
      busySince: number | null;
      /** Busy answers in that run (drives their backoff). */
      busyAnswers: number;
    }
  | { kind: 'dead_letter'; reason: string; charge: AttemptCharge }
  | { kind: 'fail'; reason: string; charge: AttemptCharge };

/**
 * What happens after an attempt failed with `errorClass`. `attempts` counts attempts so far,
 * including the one that just failed. Busy answers (overloaded, quota) are retried until the
 * job has been meeting them for `busy.budgetMs` without a real outcome, whatever its attempt
 * count: an upstream that is merely busy must not dead-letter the work the queue protects.
 */
export function decideFailure(args: {
  errorClass: ErrorClass;
  attempts: number;
  maxAttempts: number;
  retryAfterMs: number | null;
  now: number;
  backoff: BackoffPolicy;
  random: RandomSource;
  /** The call was the fleet's half-open breaker probe. */
  isProbe?: boolean;
  /** The job's current run of busy answers and the time it may last. */
  busy?: { since: number | null; answers: number; budgetMs: number };
}): FailureDecision {
  if (!isRetryable(args.errorClass)) {
    return { kind: 'fail', reason: `${args.errorClass} errors are permanent`, charge: 'attempt' };
  }
  const busy = args.busy ?? { since: null, answers: 0, budgetMs: 0 };
  if (args.isProbe) {
    // The breaker's probe found the upstream still failing: the breaker reopens and holds
    // the queue; the job goes back without losing an attempt or its busy run.
    const delayMs = backoffDelayMs(1, args.backoff, args.random, args.retryAfterMs);
    return { kind: 'retry', delayMs, availableAt: args.now + delayMs, charge: 'probe', busySince: busy.since, busyAnswers: busy.answers };
  }
  if (isBusy(args.errorClass) && busy.budgetMs > 0) {
    const since = busy.since ?? args.now;
    if (args.now - since >= busy.budgetMs) {
      return {
        kind: 'dead_letter',
        reason: `upstream busy (${args.errorClass}) for ${Math.round((args.now - since) / 1000)} s, over the busy budget of ${Math.round(busy.budgetMs / 1000)} s`,
        charge: 'busy',
      };
    }
    const answers = busy.answers + 1;
    const policy = { ...args.backoff, maxMs: Math.min(args.backoff.maxMs, args.backoff.busyMaxMs ?? args.backoff.maxMs) };
    const delayMs = backoffDelayMs(answers, policy, args.random, args.retryAfterMs);
    return { kind: 'retry', delayMs, availableAt: args.now + delayMs, charge: 'busy', busySince: since, busyAnswers: answers };
  }
  if (args.attempts >= args.maxAttempts) {
    return { kind: 'dead_letter', reason: `${args.attempts} of ${args.maxAttempts} attempts used`, charge: 'attempt' };
  }
  const delayMs = backoffDelayMs(args.attempts, args.backoff, args.random, args.retryAfterMs);
  return { kind: 'retry', delayMs, availableAt: args.now + delayMs, charge: 'attempt', busySince: null, busyAnswers: 0 };
}

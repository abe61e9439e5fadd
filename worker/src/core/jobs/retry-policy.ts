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

export type FailureDecision =
  | { kind: 'retry'; delayMs: number; availableAt: number }
  | { kind: 'dead_letter'; reason: string }
  | { kind: 'fail'; reason: string };

/**
 * What happens after an attempt failed with `errorClass`. `attempts` counts attempts so far,
 * including the one that just failed.
 */
export function decideFailure(args: {
  errorClass: ErrorClass;
  attempts: number;
  maxAttempts: number;
  retryAfterMs: number | null;
  now: number;
  backoff: BackoffPolicy;
  random: RandomSource;
}): FailureDecision {
  if (!isRetryable(args.errorClass)) {
    return { kind: 'fail', reason: `${args.errorClass} errors are permanent` };
  }
  if (args.attempts >= args.maxAttempts) {
    return { kind: 'dead_letter', reason: `${args.attempts} of ${args.maxAttempts} attempts used` };
  }
  const delayMs = backoffDelayMs(args.attempts, args.backoff, args.random, args.retryAfterMs);
  return { kind: 'retry', delayMs, availableAt: args.now + delayMs };
}

import type { WorkerConfig } from '../schema/config.js';
import { PRIORITIES, type Priority } from '../schema/job.js';
import type { ModelFlow } from './model-flow.js';

/**
 * Where this server's next claims go, from the breakers it sees:
 * - primary closed: everything to the primary;
 * - primary due for its half-open probe and nobody here probing: claim a single job of any
 *   priority to be the probe. Any priority, even with a healthy fallback: were it only the
 *   fallback's priorities, a queue holding none of them would never probe the primary, and
 *   its other priorities would wait until an operator reset the breaker. A fallback-eligible
 *   job that loses the probe to another server still goes to the fallback (`acquire`), and
 *   once the probe is taken the fallback route below resumes at full width;
 * - primary open: the fallback model for `fallbackPriorities`, if it is configured and its
 *   own breaker lets calls through; else nothing until the probe falls due.
 */
export type Route =
  | { kind: 'route'; flow: ModelFlow; priorities: readonly Priority[]; probe: boolean }
  | { kind: 'blocked'; reason: string; retryAfterMs: number };

export function chooseRoute(now: number, primary: ModelFlow, fallback: ModelFlow | null, config: WorkerConfig): Route {
  const gate = primary.gate(now);
  if (gate.allow === 'all') return { kind: 'route', flow: primary, priorities: PRIORITIES, probe: false };
  if (gate.allow === 'probe' && !primary.probing) return { kind: 'route', flow: primary, priorities: PRIORITIES, probe: true };
  const priorities = config.upstream.fallbackPriorities;
  const usable = fallback !== null && fallback.model !== primary.model && priorities.length > 0 ? fallback : null;
  const fallbackGate = usable?.gate(now) ?? null;
  if (usable && fallbackGate?.allow === 'all') return { kind: 'route', flow: usable, priorities, probe: false };
  if (usable && fallbackGate?.allow === 'probe' && !usable.probing) return { kind: 'route', flow: usable, priorities, probe: true };
  const recovery = config.circuitBreaker.recoveryTimeMs;
  const wait = gate.allow === 'none' ? gate.retryAfterMs : Math.min(recovery, 1_000);
  return { kind: 'blocked', reason: 'breaker_open', retryAfterMs: Math.min(Math.max(100, wait), recovery) };
}

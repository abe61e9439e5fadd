import type { ServerRouting } from '../../schema/coordination.js';
import { resolveConfig, type WorkerConfig } from '../../schema/config.js';
import type { BreakerDoc } from '../../schema/flow.js';
import { PRIORITIES, type Priority } from '../../schema/job.js';
import { breakerGate, type BreakerGate } from './breaker.js';

/**
 * Where a fleet with this routing sends each priority's jobs, given the breakers of its
 * primary and fallback models: the same decision `flow/routing` (chooseRoute) takes for every
 * claim, told as a whole, for the console and for tests. A test checks the two agree.
 *
 * - `primary`: every priority goes to the primary model;
 * - `fallback`: the primary is open; `fallbackPriorities` go to the fallback, the rest wait;
 * - `held`: nothing is sent (the primary is open and no fallback can serve), except one
 *   half-open probe when `probe` names a model.
 *
 * `probe` names the model a half-open probe is due on: one job at a time tests it (the
 * primary's probe takes a job of any priority, see chooseRoute).
 */
export interface RoutePlan {
  state: 'primary' | 'fallback' | 'held';
  /** Model each priority's jobs are sent to now; null: they wait in the queue. */
  to: Record<Priority, string | null>;
  /** A half-open probe is due on this model: one job at a time tests it. */
  probe: string | null;
}

/** What a breaker lets through: 'all' without a document (a model never failed). */
export type GateKind = BreakerGate['allow'];

function plan(state: RoutePlan['state'], model: string | null, priorities: readonly Priority[], probe: string | null): RoutePlan {
  const to = Object.fromEntries(PRIORITIES.map((p) => [p, priorities.includes(p) ? model : null])) as Record<Priority, string | null>;
  return { state, to, probe };
}

export function routePlan(routing: ServerRouting, primary: GateKind, fallback: GateKind | null): RoutePlan {
  if (primary === 'all') return plan('primary', routing.model, PRIORITIES, null);
  const around = fallbackRoute(routing, fallback);
  // A due primary probe: one job of any priority tests the primary (whatever the fallback
  // does); every other claim follows the route around it.
  return primary === 'probe' ? { ...around, probe: routing.model } : around;
}

/** Where claims go while the primary does not take calls. */
function fallbackRoute(routing: ServerRouting, fallback: GateKind | null): RoutePlan {
  const { fallbackModel, fallbackPriorities } = routing;
  const usable = fallbackModel !== null && fallbackModel !== routing.model && fallbackPriorities.length > 0 ? fallbackModel : null;
  const gate = fallback ?? 'all';
  if (usable !== null && gate === 'all') return plan('fallback', usable, fallbackPriorities, null);
  if (usable !== null && gate === 'probe') return plan('fallback', usable, fallbackPriorities, usable);
  return plan('held', null, [], null);
}

let gateConfig: WorkerConfig['circuitBreaker'] | null = null;

/**
 * The gate of a breaker document as the workers judge it. The breaker settings only give a
 * forced-open gate its retry delay, which a route does not show: the defaults do.
 */
export function gateKindOf(doc: BreakerDoc | null, now: number): GateKind {
  if (doc === null) return 'all';
  gateConfig ??= resolveConfig().circuitBreaker;
  return breakerGate(doc, now, gateConfig).allow;
}

/** The route of `routing` from the breaker documents of its models (null: none yet). */
export function routePlanFromBreakers(
  routing: ServerRouting,
  breakers: ReadonlyMap<string, BreakerDoc>,
  now: number,
): RoutePlan {
  const primary = gateKindOf(breakers.get(routing.model) ?? null, now);
  const fallback = routing.fallbackModel === null ? null : gateKindOf(breakers.get(routing.fallbackModel) ?? null, now);
  return routePlan(routing, primary, fallback);
}

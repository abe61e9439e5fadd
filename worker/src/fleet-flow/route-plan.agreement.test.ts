import { describe, expect, it } from 'vitest';
import { initialBreaker } from '../core/flow-policy/breaker.js';
import { gateKindOf, routePlan, type RoutePlan } from '../core/flow-policy/route-plan.js';
import { resolveConfig } from '../schema/config.js';
import type { BreakerDoc } from '../schema/flow.js';
import { PRIORITIES, type Priority } from '../schema/job.js';
import { ModelFlow } from './model-flow.js';
import { chooseRoute } from './routing.js';

/**
 * The console tells the route with `routePlan`; the workers claim with `chooseRoute`. For
 * every pair of breaker states and every routing shape they must say the same thing, or the
 * Breakers page would show a route the fleet does not take.
 */
const T0 = 1_700_000_000_000;

const BREAKERS: Record<string, (model: string) => BreakerDoc | null> = {
  none: () => null,
  closed: (m) => initialBreaker(m, T0 - 60_000),
  forcedClosed: (m) => ({ ...initialBreaker(m, T0 - 60_000), state: 'open', override: 'force_closed' }),
  forcedOpen: (m) => ({ ...initialBreaker(m, T0 - 60_000), state: 'open', override: 'force_open' }),
  openNotDue: (m) => ({ ...initialBreaker(m, T0 - 60_000), state: 'open', openedAt: T0 - 1_000, nextProbeAt: T0 + 5_000 }),
  openDue: (m) => ({ ...initialBreaker(m, T0 - 60_000), state: 'open', openedAt: T0 - 9_000, nextProbeAt: T0 - 1 }),
  halfOpenProbing: (m) => ({
    ...initialBreaker(m, T0 - 60_000),
    state: 'half_open',
    probe: { holder: 'other', token: 1, startedAt: T0 - 100, expiresAt: T0 + 5_000 },
  }),
};

const ROUTINGS = {
  fallback: { fallbackModel: 'lite', fallbackPriorities: ['urgent', 'high'] },
  noFallback: { fallbackModel: null, fallbackPriorities: ['urgent', 'high'] },
  sameModel: { fallbackModel: 'primary', fallbackPriorities: ['urgent'] },
  noPriorities: { fallbackModel: 'lite', fallbackPriorities: [] },
} as const;

/**
 * What chooseRoute decided, in routePlan's terms. A primary probe claim is one job of any
 * priority; what the rest of the fleet's claims do meanwhile is the route chooseRoute takes
 * with that probe held (`probing`).
 */
function chosen(route: ReturnType<typeof chooseRoute>, primary: ModelFlow, around: () => ReturnType<typeof chooseRoute>): RoutePlan {
  if (route.kind === 'blocked') return { state: 'held', to: toOf(null, []), probe: null };
  if (route.flow === primary && route.probe) {
    expect(route.priorities).toEqual(PRIORITIES);
    primary.probing = true;
    const meanwhile = around();
    primary.probing = false;
    return { ...chosen(meanwhile, primary, around), probe: primary.model };
  }
  return {
    state: route.flow === primary ? 'primary' : 'fallback',
    to: toOf(route.flow.model, route.priorities),
    probe: route.probe ? route.flow.model : null,
  };
}

function toOf(model: string | null, priorities: readonly Priority[]): RoutePlan['to'] {
  return Object.fromEntries(PRIORITIES.map((p) => [p, priorities.includes(p) ? model : null])) as RoutePlan['to'];
}

describe('routePlan agrees with chooseRoute', () => {
  for (const [routingName, upstream] of Object.entries(ROUTINGS)) {
    it(`${routingName}: every pair of primary and fallback breaker states`, () => {
      const config = resolveConfig({ upstream: { model: 'primary', ...upstream, fallbackPriorities: [...upstream.fallbackPriorities] } });
      const fallbackModel = config.upstream.fallbackModel;
      const routing = { model: 'primary', fallbackModel, fallbackPriorities: config.upstream.fallbackPriorities };
      let compared = 0;
      for (const [primaryName, primaryDoc] of Object.entries(BREAKERS)) {
        for (const [fallbackName, fallbackDoc] of Object.entries(BREAKERS)) {
          const primary = new ModelFlow('primary', 's0', config, T0);
          primary.setBreaker(primaryDoc('primary'), T0);
          const fallback = fallbackModel === null ? null : fallbackModel === 'primary' ? primary : new ModelFlow(fallbackModel, 's0', config, T0);
          if (fallback && fallback !== primary) fallback.setBreaker(fallbackDoc(fallback.model), T0);
          const plan = routePlan(routing, gateKindOf(primary.breaker, T0), fallback ? gateKindOf(fallback.breaker, T0) : null);
          const choose = () => chooseRoute(T0, primary, fallback, config);
          expect(plan, `primary ${primaryName}, fallback ${fallbackName}`).toEqual(chosen(choose(), primary, choose));
          compared += 1;
        }
      }
      expect(compared).toBe(Object.keys(BREAKERS).length ** 2);
    });
  }
});

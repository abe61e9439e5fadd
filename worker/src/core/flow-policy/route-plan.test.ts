import { describe, expect, it } from 'vitest';
import type { ServerRouting } from '../../schema/coordination.js';
import type { BreakerDoc } from '../../schema/flow.js';
import { initialBreaker } from './breaker.js';
import { gateKindOf, routePlan, routePlanFromBreakers } from './route-plan.js';

const T0 = 1_700_000_000_000;
const ROUTING: ServerRouting = { model: 'primary', fallbackModel: 'lite', fallbackPriorities: ['urgent', 'high'] };

function breaker(model: string, patch: Partial<BreakerDoc>): BreakerDoc {
  return { ...initialBreaker(model, T0 - 60_000), ...patch };
}

describe('routePlan', () => {
  it('sends every priority to the primary while its breaker lets calls through', () => {
    expect(routePlan(ROUTING, 'all', 'none')).toEqual({
      state: 'primary',
      to: { urgent: 'primary', high: 'primary', normal: 'primary', low: 'primary' },
      probe: null,
    });
  });

  it('sends the fallback priorities to the fallback while the primary is open; the rest wait', () => {
    expect(routePlan(ROUTING, 'none', 'all')).toEqual({
      state: 'fallback',
      to: { urgent: 'lite', high: 'lite', normal: null, low: null },
      probe: null,
    });
    // A due primary probe takes one job of any priority; the fallback keeps its work.
    expect(routePlan(ROUTING, 'probe', null)).toEqual({
      state: 'fallback',
      to: { urgent: 'lite', high: 'lite', normal: null, low: null },
      probe: 'primary',
    });
  });

  it('holds everything when no fallback can serve, naming the model a due probe tests', () => {
    const none = { urgent: null, high: null, normal: null, low: null };
    expect(routePlan({ ...ROUTING, fallbackModel: null }, 'none', null)).toEqual({ state: 'held', to: none, probe: null });
    expect(routePlan({ ...ROUTING, fallbackModel: 'primary' }, 'none', 'all')).toEqual({ state: 'held', to: none, probe: null });
    expect(routePlan({ ...ROUTING, fallbackPriorities: [] }, 'none', 'all')).toEqual({ state: 'held', to: none, probe: null });
    expect(routePlan(ROUTING, 'none', 'none')).toEqual({ state: 'held', to: none, probe: null });
    expect(routePlan(ROUTING, 'probe', 'none')).toEqual({ state: 'held', to: none, probe: 'primary' });
    expect(routePlan({ ...ROUTING, fallbackModel: null }, 'probe', null)).toEqual({ state: 'held', to: none, probe: 'primary' });
  });

  it('probes a fallback that is itself open and due, unless the primary probe is due too', () => {
    expect(routePlan(ROUTING, 'none', 'probe')).toEqual({
      state: 'fallback',
      to: { urgent: 'lite', high: 'lite', normal: null, low: null },
      probe: 'lite',
    });
    expect(routePlan(ROUTING, 'probe', 'probe')).toMatchObject({ state: 'fallback', probe: 'primary' });
  });
});

describe('routePlanFromBreakers', () => {
  it('judges the documents the way the workers do (overrides, probe due, no document)', () => {
    const forced = breaker('primary', { state: 'open', override: 'force_open', nextProbeAt: null });
    expect(gateKindOf(null, T0)).toBe('all');
    expect(gateKindOf(forced, T0)).toBe('none');
    expect(gateKindOf(breaker('primary', { state: 'open', nextProbeAt: T0 + 1 }), T0)).toBe('none');
    expect(gateKindOf(breaker('primary', { state: 'open', nextProbeAt: T0 }), T0)).toBe('probe');
    expect(gateKindOf(breaker('primary', { state: 'open', override: 'force_closed' }), T0)).toBe('all');

    expect(routePlanFromBreakers(ROUTING, new Map(), T0).state).toBe('primary');
    expect(routePlanFromBreakers(ROUTING, new Map([['primary', forced]]), T0).state).toBe('fallback');
    const bothOpen = new Map([
      ['primary', forced],
      ['lite', breaker('lite', { state: 'open', override: 'force_open' })],
    ]);
    expect(routePlanFromBreakers(ROUTING, bothOpen, T0).state).toBe('held');
  });
});

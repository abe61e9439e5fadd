import { describe, expect, it } from 'vitest';
import { SIM_SCENARIOS, simulateFlow } from './flow-sim.js';

/**
 * The bench's flow-control scenarios in fake time (see flow-sim): the real servers' flow
 * control and the real leader against an upstream of known capacity. The bench's real
 * processes are the judge of the issue's figures; these hold the design to them on every run,
 * in seconds, so a change to the limiter that loses capacity or wastes calls fails here first.
 */
const scenarios = SIM_SCENARIOS;

describe('flow control in fake time', () => {
  for (const seed of [1, 2, 3]) {
    it(`overload (seed ${seed}): at least 0.95 of the capacity, at most 0.05 wasted calls per success`, async () => {
      const r = await simulateFlow({ ...scenarios.overload, seed });
      expect(r.succeeded).toBe(120);
      expect(r.goodputShare).toBeGreaterThanOrEqual(0.95);
      expect(r.wastedPerSuccess).toBeLessThanOrEqual(0.05);
      expect(r.peakConcurrent).toBeLessThanOrEqual(4);
    });

    it(`capacity step (seed ${seed}): at least 0.90 of the capacity integral, at most 0.10 wasted`, async () => {
      const r = await simulateFlow({ ...scenarios.step, seed });
      expect(r.succeeded).toBe(200);
      expect(r.goodputShare).toBeGreaterThanOrEqual(0.9);
      expect(r.wastedPerSuccess).toBeLessThanOrEqual(0.1);
      // It followed the drop and came back up.
      expect(Math.min(...r.fleetLimits.filter((l) => l.at > 20_000 && l.at < 50_000).map((l) => l.limit))).toBeLessThanOrEqual(3);
      expect(r.fleetLimits.some((l) => l.at > 50_000 && l.limit >= 6)).toBe(true);
    });

    it(`a steady 10 % of served calls failing (seed ${seed}) does not cut the limit: no dead letter, near the capacity`, async () => {
      const r = await simulateFlow({ ...scenarios['error-rate-10'], seed });
      expect(r.deadLettered).toBe(0);
      expect(r.goodputShare).toBeGreaterThanOrEqual(0.85);
      expect(Math.min(...r.fleetLimits.filter((l) => l.at > 10_000).map((l) => l.limit))).toBeGreaterThanOrEqual(3);
    });
  }
});

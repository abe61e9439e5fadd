import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../schema/config.js';
import { fleetHealth, OUTAGE_RECHECK_HORIZON_MS, OUTAGE_RECHECK_MS, outageRecheckInMs, outageTripReason } from './outage.js';

const breaker = resolveConfig({ circuitBreaker: { failureThreshold: 5, outageQuietMs: 3_000 } }).circuitBreaker;
const T = 1_700_000_000_000;
const report = (lastSuccessAt: number | null, failingSince: number | null, failingCount: number, running = 0, reportedAt = T) => ({
  health: { lastSuccessAt, failingSince, failingCount, running },
  reportedAt,
});
const silent = (reportedAt = T) => ({ health: null, reportedAt });

describe('fast outage detection', () => {
  it('opens when the whole fleet fails with nothing in flight and no success for the quiet time', () => {
    const health = fleetHealth([report(T - 4_000, T - 3_900, 3), report(T - 5_000, T - 3_500, 2), silent()], { now: T, since: 0 });
    expect(health).toEqual({ failing: 5, quietMs: 4_000, running: 0, stale: false });
    expect(outageTripReason(health, breaker)).toMatch(/5 failures and no success in the fleet for 4\.0 s/);
  });

  it('does not open while any call is in flight: a busy upstream is still working', () => {
    const health = fleetHealth([report(T - 10_000, T - 9_000, 9), report(T - 12_000, T - 8_000, 4, 1)], { now: T, since: 0 });
    expect(health?.running).toBe(1);
    expect(outageTripReason(health, breaker)).toBeNull();
  });

  it('does not open on a young failure run, on too few failures, or on failures before a peer succeeded', () => {
    expect(outageTripReason(fleetHealth([report(T - 2_000, T - 1_900, 8)], { now: T, since: 0 }), breaker)).toBeNull();
    expect(outageTripReason(fleetHealth([report(T - 9_000, T - 8_000, 4)], { now: T, since: 0 }), breaker)).toBeNull();
    // Server A started failing before B's success: only B's own later run counts.
    const health = fleetHealth([report(T - 20_000, T - 19_000, 9), report(T - 4_000, T - 3_800, 2)], { now: T, since: 0 });
    expect(health).toMatchObject({ failing: 2 });
    expect(outageTripReason(health, breaker)).toBeNull();
  });

  it("counts a server's run that began before a peer's last success when it went on failing after it", () => {
    // The outage began while B's accepted call was still running; A's run started then and
    // went on (the flow limit lets it call once every few seconds) after B's call ended well.
    const withLast = (lastSuccessAt: number | null, failingSince: number | null, failingCount: number, lastFailureAt: number | null) => ({
      health: { lastSuccessAt, failingSince, failingCount, lastFailureAt, running: 0 },
      reportedAt: T,
    });
    const health = fleetHealth([withLast(T - 20_000, T - 6_000, 3, T - 1_000), withLast(T - 4_000, T - 3_500, 2, T - 2_000)], { now: T, since: 0 });
    expect(health).toMatchObject({ failing: 5, quietMs: 4_000 });
    expect(outageTripReason(health, breaker)).toMatch(/5 failures/);
    // A run that stopped before the peer's success (its refusals were the upstream being busy
    // with the peer's call) does not count.
    const stopped = fleetHealth([withLast(T - 20_000, T - 6_000, 3, T - 5_000), withLast(T - 4_000, T - 3_500, 2, T - 2_000)], { now: T, since: 0 });
    expect(stopped).toMatchObject({ failing: 2 });
  });

  it('judges a fleet that never succeeded from its first failure, and ignores evidence from before the last transition', () => {
    expect(fleetHealth([report(null, T - 6_000, 5), report(null, T - 2_000, 1)], { now: T, since: 0 })).toEqual({ failing: 6, quietMs: 6_000, running: 0, stale: false });
    // The breaker closed 1 s ago: the failures before it judged the previous state.
    expect(fleetHealth([report(null, T - 6_000, 5)], { now: T, since: T - 1_000 })).toMatchObject({ failing: 0 });
    expect(fleetHealth([silent(), { health: undefined, reportedAt: T }], { now: T, since: 0 })).toBeNull();
  });

  it('waits for a server whose last report predates the quiet time: it may have calls the upstream is working on', () => {
    // A fleet that just started: two servers fail at once, the third holds the two accepted
    // calls but last reported before it started them.
    const early = fleetHealth([report(null, T - 4_000, 6), report(null, T - 3_900, 6), silent(T - 4_500)], { now: T, since: 0 });
    expect(early).toMatchObject({ failing: 12, stale: true });
    expect(outageTripReason(early, breaker)).toBeNull();
    const later = fleetHealth([report(null, T - 4_000, 6), report(null, T - 3_900, 6), report(null, null, 0, 2, T - 100)], { now: T, since: 0 });
    expect(outageTripReason(later, breaker)).toBeNull();
    const down = fleetHealth([report(null, T - 4_000, 6), report(null, T - 3_900, 6), report(null, T - 2_000, 2, 0, T - 100)], { now: T, since: 0 });
    expect(outageTripReason(down, breaker)).toMatch(/14 failures/);
  });

  it('counts refusals that came after the last successful call was admitted, and measures quiet from its answer', () => {
    // A refused three calls at T-4.0 s while B's calls, admitted at T-4.2 s, still ran; they
    // ended well at T-2.7 s (the tail of the time before the outage). A failed twice more since.
    const a = { health: { lastSuccessAt: null, lastSuccessStartedAt: null, failingSince: T - 4_000, failingCount: 5, lastFailureAt: T - 500, running: 0 }, reportedAt: T - 400 };
    const b = { health: { lastSuccessAt: T - 2_700, lastSuccessStartedAt: T - 4_200, failingSince: null, failingCount: 0, running: 0 }, reportedAt: T - 300 };
    expect(fleetHealth([a, b], { now: T, since: 0 })).toEqual({ failing: 5, quietMs: 2_700, running: 0, stale: false });
    // An older report (no admission time): its answer time stands in, as before.
    const old = { ...b, health: { ...b.health, lastSuccessStartedAt: undefined } };
    const a2 = { ...a, health: { ...a.health, lastFailureAt: T - 3_000 } };
    expect(fleetHealth([a2, old], { now: T, since: 0 })?.failing).toBe(0);
  });

  it('asks the leader to look again when the quiet time runs out and while reports are missing, not otherwise', () => {
    const tick = 2_000;
    const at = (quietMs: number, extra: Partial<{ failing: number; running: number; stale: boolean }> = {}) =>
      outageRecheckInMs({ failing: 5, quietMs, running: 0, stale: false, ...extra }, breaker, tick);
    // Quiet for 2.2 of the 3 s: judge again in 0.8 s, not at the next tick.
    expect(at(2_200)).toBe(800);
    // Further off than a tick: the tick comes first and asks again.
    expect(at(500)).toBeNull();
    // Quiet long enough but a report is stale (or a failure short): look again soon, for a while.
    expect(at(3_100, { stale: true })).toBe(OUTAGE_RECHECK_MS);
    expect(at(3_100, { failing: 3 })).toBe(OUTAGE_RECHECK_MS);
    expect(at(3_000 + OUTAGE_RECHECK_HORIZON_MS + 1, { stale: true })).toBeNull();
    // Nothing failing, or a call in flight (a busy upstream): nothing to look for.
    expect(at(2_200, { failing: 0 })).toBeNull();
    expect(at(2_200, { running: 1 })).toBeNull();
    expect(outageRecheckInMs(null, breaker, tick)).toBeNull();
  });
});

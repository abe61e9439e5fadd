import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../schema/config.js';
import {
  initialFleetLimiter,
  initialLocalLimiter,
  localCeiling,
  localLimit,
  localOverload,
  localStart,
  localSuccess,
  stepFleetLimiter,
  type FleetLimiterState,
  type FleetTick,
  type LocalLimiterState,
} from './adaptive-limit.js';
import { seededRandom } from '../ids.js';

const adaptive = resolveConfig({ upstream: { adaptive: { initialLimit: 4, minLimit: 1, maxLimit: 64 } } }).upstream.adaptive;
const T0 = 1_700_000_000_000;
const tick = (over: Partial<FleetTick>): FleetTick => ({
  now: T0,
  calls: 100,
  overloads: 0,
  successes: 100,
  latencyPerAudioSec: 100,
  inFlight: 1_000,
  cooldownMs: 5_000,
  ...over,
});

describe('fleet AIMD', () => {
  it('slow-starts, cuts at once on overload, then grows additively', () => {
    let s = initialFleetLimiter(adaptive);
    s = stepFleetLimiter(s, tick({ now: T0 }), adaptive).state;
    expect(s.limit).toBe(6);
    s = stepFleetLimiter(s, tick({ now: T0 + 2_000 }), adaptive).state;
    expect(s.limit).toBe(9);
    const cut = stepFleetLimiter(s, tick({ now: T0 + 4_000, overloads: 5, successes: 95 }), adaptive);
    expect(cut).toMatchObject({ reason: 'overload', state: { limit: 6, slowStart: false, lastDecreaseAt: T0 + 4_000 } });
    // still inside the cooldown: the same episode does not cut twice
    expect(stepFleetLimiter(cut.state, tick({ now: T0 + 6_000, overloads: 9 }), adaptive).reason).toBe('hold');
    // Near the level that drew overload, with few overload answers: one step down.
    const again = stepFleetLimiter(cut.state, tick({ now: T0 + 9_000, overloads: 9 }), adaptive);
    expect(again.state).toMatchObject({ limit: 5, overloadAt: 6, overloadSeenAt: T0 + 9_000 });
    // It sits one below the overload level instead of probing above it every tick...
    expect(stepFleetLimiter(again.state, tick({ now: T0 + 20_000 }), adaptive)).toMatchObject({ reason: 'ceiling_hold', state: { limit: 5 } });
    // ...and probes one step up once the quiet time has passed.
    const probe = stepFleetLimiter(again.state, tick({ now: T0 + 9_000 + adaptive.ceilingProbeMs }), adaptive);
    expect(probe).toMatchObject({ reason: 'increase', state: { limit: 6, overloadAt: 6 } });
    // Growing past the remembered level without overload forgets it: capacity moved up.
    expect(stepFleetLimiter(probe.state, tick({ now: T0 + 9_000 + adaptive.ceilingProbeMs + 2_000 }), adaptive).state).toMatchObject({
      limit: 7,
      overloadAt: null,
    });
  });

  it('cuts by a rounded factor, at least one step, and steeply when many calls are refused', () => {
    const at = (limit: number, overloadAt: number | null): FleetLimiterState => ({
      ...initialFleetLimiter(adaptive),
      limit,
      slowStart: false,
      overloadAt,
      overloadSeenAt: overloadAt === null ? null : T0 - 60_000,
    });
    // 4 x 0.7 = 2.8 -> 3 (floor would have made it 2, half the capacity it had just found).
    expect(stepFleetLimiter(at(4, null), tick({ overloads: 10 }), adaptive).state.limit).toBe(3);
    expect(stepFleetLimiter(at(2, null), tick({ overloads: 10 }), adaptive).state.limit).toBe(1);
    // Capacity dropped from 6 to 2: two thirds of the calls refused, a multiplicative cut
    // even at the remembered level.
    expect(stepFleetLimiter(at(6, 6), tick({ overloads: 66 }), adaptive).state.limit).toBe(4);
    expect(stepFleetLimiter(at(6, 6), tick({ overloads: 10 }), adaptive).state.limit).toBe(5);
  });

  it('ignores a trickle of overloads under the threshold and never leaves [min, max]', () => {
    const s: FleetLimiterState = { ...initialFleetLimiter(adaptive), limit: 64, slowStart: false };
    expect(stepFleetLimiter(s, tick({ calls: 1_000, overloads: 1 }), adaptive).state.limit).toBe(64);
    let low: FleetLimiterState = { ...s, limit: 1 };
    low = stepFleetLimiter(low, tick({ overloads: 100 }), adaptive).state;
    expect(low.limit).toBe(1);
  });

  it('does not grow a limit nobody uses, and holds without new data', () => {
    const s = initialFleetLimiter(adaptive);
    expect(stepFleetLimiter(s, tick({ inFlight: 2 }), adaptive)).toMatchObject({ reason: 'idle', state: { limit: 4 } });
    expect(stepFleetLimiter(s, tick({ calls: 0 }), adaptive).reason).toBe('no_data');
  });

  it('latency gradient: holds when the upstream slows, shrinks when it crawls', () => {
    let s = stepFleetLimiter(initialFleetLimiter(adaptive), tick({ latencyPerAudioSec: 100 }), adaptive).state;
    const held = stepFleetLimiter(s, tick({ now: T0 + 2_000, latencyPerAudioSec: 250 }), adaptive);
    expect(held).toMatchObject({ reason: 'latency_hold', state: { limit: s.limit } });
    const cut = stepFleetLimiter(held.state, tick({ now: T0 + 4_000, latencyPerAudioSec: 600 }), adaptive);
    expect(cut.reason).toBe('latency');
    expect(cut.state.limit).toBeLessThan(s.limit);
    // the baseline drifts up so a permanently slower model is relearned
    s = cut.state;
    for (let i = 0; i < 100; i++) s = stepFleetLimiter(s, tick({ now: T0 + 100_000 + i * 2_000, latencyPerAudioSec: 300 }), adaptive).state;
    expect(stepFleetLimiter(s, tick({ now: T0 + 400_000, latencyPerAudioSec: 300 }), adaptive).reason).toBe('increase');
  });

  it('converges near a fixed capacity in a simulated fleet', () => {
    // Upstream serves `capacity` concurrent calls; each tick the fleet runs at its limit.
    const capacity = 24;
    let s = initialFleetLimiter(adaptive);
    const limits: number[] = [];
    for (let i = 0; i < 200; i++) {
      const running = s.limit;
      const overloads = Math.max(0, running - capacity) * 10;
      s = stepFleetLimiter(s, tick({ now: T0 + i * 6_000, calls: running * 10, overloads, successes: Math.min(running, capacity) * 10, inFlight: running }), adaptive).state;
      limits.push(s.limit);
    }
    const tail = limits.slice(100);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(Math.max(...tail)).toBeLessThanOrEqual(capacity + 1);
    expect(mean).toBeGreaterThan(capacity * 0.75);
  });
});

describe('local AIMD', () => {
  it('cuts once per congestion episode, not once per rejected call', () => {
    let s = initialLocalLimiter(10);
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = localStart(s);
      s = started.state;
      seqs.push(started.seq);
    }
    // all ten come back overloaded: one cut
    for (const seq of seqs) s = localOverload(s, seq, adaptive);
    expect(localLimit(s)).toBe(7);
    // a call started after the cut that is also refused cuts again
    const later = localStart(s);
    s = localOverload(later.state, later.seq, adaptive);
    expect(localLimit(s)).toBe(4);
  });

  it('grows by about one per round trip, never above the slice', () => {
    let s: LocalLimiterState = { ...initialLocalLimiter(8), cap: 4, slowStart: false };
    for (let i = 0; i < 4; i++) s = localSuccess(s);
    expect(localLimit(s)).toBe(4);
    for (let i = 0; i < 5; i++) s = localSuccess(s);
    expect(localLimit(s)).toBe(5);
    for (let i = 0; i < 1; i++) s = localSuccess(s);
    expect(localLimit(s)).toBe(6);
    for (let i = 0; i < 1_000; i++) s = localSuccess(s);
    expect(localLimit(s)).toBe(8);
  });

  it('follows the slice: a cut applies at once, a raise re-enables slow start', () => {
    let s = initialLocalLimiter(8);
    s = localCeiling(s, 3);
    expect(localLimit(s)).toBe(3);
    s = localCeiling(s, 0);
    expect(localLimit(s)).toBe(0);
    s = localCeiling(s, 12);
    expect(s.slowStart).toBe(true);
    for (let i = 0; i < 11; i++) s = localSuccess(s);
    expect(localLimit(s)).toBe(12);
  });

  it('stays within [1, ceiling] under random outcomes', () => {
    const random = seededRandom(3);
    let s = initialLocalLimiter(16);
    const inflight: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (random() < 0.5 || inflight.length === 0) {
        const st = localStart(s);
        s = st.state;
        inflight.push(st.seq);
      } else {
        const seq = inflight.splice(Math.floor(random() * inflight.length), 1)[0] as number;
        s = random() < 0.1 ? localOverload(s, seq, adaptive) : localSuccess(s);
      }
      if (random() < 0.01) s = localCeiling(s, 1 + Math.floor(random() * 20));
      expect(localLimit(s)).toBeGreaterThanOrEqual(1);
      expect(localLimit(s)).toBeLessThanOrEqual(s.ceiling);
    }
  });
});

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
    const cut = stepFleetLimiter(s, tick({ now: T0 + 4_000, overloads: 12, successes: 88 }), adaptive);
    expect(cut).toMatchObject({ reason: 'overload', state: { limit: 6, slowStart: false, lastDecreaseAt: T0 + 4_000 } });
    // still inside the cooldown: the same episode does not cut twice
    const held = stepFleetLimiter(cut.state, tick({ now: T0 + 6_000, overloads: 2 }), adaptive);
    expect(held.reason).toBe('hold');
    // Near the level that drew overload, with few overload answers: one step down.
    const again = stepFleetLimiter(held.state, tick({ now: T0 + 9_000, overloads: 5 }), adaptive);
    expect(again.state).toMatchObject({ limit: 5, overloadAt: 6, overloadSeenAt: T0 + 9_000 });
    // It sits one below the overload level instead of probing above it every tick...
    expect(stepFleetLimiter(again.state, tick({ now: T0 + 15_000 }), adaptive)).toMatchObject({ reason: 'ceiling_hold', state: { limit: 5 } });
    // ...and probes one step up once the quiet time (10 s at first) has passed.
    const probe = stepFleetLimiter(again.state, tick({ now: T0 + 19_000 }), adaptive);
    expect(probe).toMatchObject({ reason: 'probe', state: { limit: 6, overloadAt: 6, probeSince: T0 + 19_000 } });
    // A probe that draws refusals costs that call and doubles the quiet time.
    const failed = stepFleetLimiter(probe.state, tick({ now: T0 + 21_000, overloads: 3 }), adaptive);
    expect(failed).toMatchObject({ reason: 'overload', state: { limit: 5, overloadAt: 6, probeEveryMs: 20_000 } });
    expect(stepFleetLimiter(failed.state, tick({ now: T0 + 39_000 }), adaptive).reason).toBe('ceiling_hold');
    const next = stepFleetLimiter(failed.state, tick({ now: T0 + 41_000 }), adaptive);
    expect(next).toMatchObject({ reason: 'probe', state: { limit: 6 } });
    // A probe with no refusal by the next tick (1.8 s on) held: capacity moved up. Growth goes
    // on toward the edge refused before this one (9, at T0 + 4 s), which it probes again after
    // the quiet time. Sooner than 1.8 s, a refusal may still be on its way.
    expect(stepFleetLimiter(next.state, tick({ now: T0 + 42_500 }), adaptive)).toMatchObject({ reason: 'probe', state: { limit: 6 } });
    const held6 = stepFleetLimiter(next.state, tick({ now: T0 + 43_000 }), adaptive);
    expect(held6).toMatchObject({ reason: 'increase', state: { limit: 7, overloadAt: 9, overloadSeenAt: T0 + 43_000, probeEveryMs: 10_000 } });
    const at8 = stepFleetLimiter(held6.state, tick({ now: T0 + 45_000 }), adaptive);
    expect(at8.state.limit).toBe(8);
    expect(stepFleetLimiter(at8.state, tick({ now: T0 + 47_000 }), adaptive)).toMatchObject({ reason: 'ceiling_hold', state: { limit: 8 } });
    const past = stepFleetLimiter(at8.state, tick({ now: T0 + 53_000 }), adaptive);
    expect(past).toMatchObject({ reason: 'probe', state: { limit: 9 } });
    // That probe held too: no edge left to remember, growth is free.
    const free = stepFleetLimiter(past.state, tick({ now: T0 + 55_000 }), adaptive);
    expect(free).toMatchObject({ reason: 'increase', state: { limit: 10, overloadAt: null, edgeAbove: null } });
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

  it('does not grow a limit nobody uses, and holds without new data unless the fleet is busy', () => {
    const s = initialFleetLimiter(adaptive);
    expect(stepFleetLimiter(s, tick({ inFlight: 2 }), adaptive)).toMatchObject({ reason: 'idle', state: { limit: 4 } });
    expect(stepFleetLimiter(s, tick({ calls: 0, inFlight: 2 }), adaptive).reason).toBe('no_data');
    // Busy and no refusal reported (refusals are reported at once): slow start goes on between heartbeats.
    expect(stepFleetLimiter(s, tick({ calls: 0, inFlight: 4 }), adaptive)).toMatchObject({ reason: 'slow_start', state: { limit: 6 } });
    // Past slow start, with no edge to probe, a tick without outcomes changes nothing.
    expect(stepFleetLimiter({ ...s, slowStart: false }, tick({ calls: 0, inFlight: 4 }), adaptive).reason).toBe('no_data');
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

describe('refusals that concurrency does not cause (noise floor)', () => {
  const busy = (limit: number): FleetLimiterState => ({ ...initialFleetLimiter(adaptive), limit, slowStart: false });

  it('undoes a cut that did not lower the refusal share, learns the share as noise, and grows again', () => {
    const cut = stepFleetLimiter(busy(20), tick({ now: T0, overloads: 20 }), adaptive);
    expect(cut).toMatchObject({ reason: 'overload', state: { limit: 14, cutFrom: 20, cutShare: 0.2 } });
    // The refusals go on at the lower limit while the cut cools down...
    const cooling = stepFleetLimiter(cut.state, tick({ now: T0 + 3_000, overloads: 18 }), adaptive);
    expect(cooling.reason).toBe('hold');
    // ...and after it: the same share, so the cut bought nothing.
    const judged = stepFleetLimiter(cooling.state, tick({ now: T0 + 6_000, overloads: 19 }), adaptive);
    expect(judged.reason).toBe('noise');
    expect(judged.state).toMatchObject({ limit: 20, overloadAt: null, overloadSeenAt: null, cutFrom: null });
    expect(judged.state.noiseFloor).toBeCloseTo(0.185, 3);
    // From now on a 20 % share is not overload: the limit grows while used.
    const grown = stepFleetLimiter(judged.state, tick({ now: T0 + 8_000, overloads: 21 }), adaptive);
    expect(grown).toMatchObject({ reason: 'increase', state: { limit: 21 } });
    // Refusals well beyond the floor are overload again, and a cut that then helps stays.
    const real = stepFleetLimiter(grown.state, tick({ now: T0 + 10_000, overloads: 45 }), adaptive);
    expect(real).toMatchObject({ reason: 'overload', state: { limit: 15 } });
    const helped = stepFleetLimiter(real.state, tick({ now: T0 + 16_000, overloads: 32 }), adaptive);
    expect(helped.reason).toBe('overload');
    expect(helped.state.limit).toBeLessThan(15);
  });

  it('keeps a cut that lowered the refusal share: overload caused by concurrency', () => {
    const cut = stepFleetLimiter(busy(8), tick({ now: T0, overloads: 40 }), adaptive).state;
    const next = stepFleetLimiter(cut, tick({ now: T0 + 6_000, overloads: 10 }), adaptive);
    expect(next.reason).toBe('overload');
    expect(next.state.noiseFloor ?? 0).toBe(0);
    expect(next.state.limit).toBeLessThan(cut.limit);
  });

  it('never takes a share above one half for noise (fast refusals far above capacity)', () => {
    const cut = stepFleetLimiter(busy(8), tick({ now: T0, overloads: 86 }), adaptive).state;
    const next = stepFleetLimiter(cut, tick({ now: T0 + 6_000, overloads: 75 }), adaptive);
    expect(next.reason).toBe('overload');
    expect(next.state.noiseFloor ?? 0).toBe(0);
  });

  it('at the minimum limit, refusals that persist on enough calls are noise: the fleet is not pinned there', () => {
    let s: FleetLimiterState = busy(1);
    s = stepFleetLimiter(s, tick({ now: T0, calls: 1, overloads: 1, inFlight: 1 }), adaptive).state;
    expect(s).toMatchObject({ limit: 1, cutFrom: 1, overloadAt: 1 });
    // Too few calls since the cut to judge: a hold or another cut, nothing learned.
    s = stepFleetLimiter(s, tick({ now: T0 + 2_000, calls: 2, overloads: 1, inFlight: 1 }), adaptive).state;
    s = stepFleetLimiter(s, tick({ now: T0 + 6_000, calls: 2, overloads: 1, inFlight: 1 }), adaptive).state;
    expect(s.noiseFloor ?? 0).toBe(0);
    s = stepFleetLimiter(s, tick({ now: T0 + 8_000, calls: 6, overloads: 2, inFlight: 1 }), adaptive).state;
    const learned = stepFleetLimiter(s, tick({ now: T0 + 12_000, calls: 6, overloads: 1, inFlight: 1 }), adaptive);
    expect(learned.reason).toBe('noise');
    expect(learned.state.noiseFloor).toBeGreaterThan(0.1);
    expect(learned.state.overloadAt).toBeNull();
    // No ceiling hold any more: a calm tick grows the limit.
    expect(stepFleetLimiter(learned.state, tick({ now: T0 + 14_000, calls: 3, overloads: 0, inFlight: 1 }), adaptive).state.limit).toBe(2);
  });

  it('the floor fades when the refusals stop', () => {
    let s: FleetLimiterState = { ...busy(10), noiseFloor: 0.2 };
    for (let i = 0; i < 40; i++) s = stepFleetLimiter(s, tick({ now: T0 + i * 2_000, overloads: 0, inFlight: 1 }), adaptive).state;
    expect(s.noiseFloor).toBe(0);
  });

  const binomial = (random: () => number, n: number, p: number): number => {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k += 1;
    return k;
  };

  it('a simulated fleet keeps its concurrency under a steady 20 % refusal rate (chaos run: it fell to 1)', () => {
    const random = seededRandom(11);
    let s = initialFleetLimiter(adaptive);
    const limits: number[] = [];
    for (let i = 0; i < 300; i++) {
      const calls = s.limit * 2; // ~2 calls per slot per tick
      const overloads = binomial(random, calls, 0.2);
      s = stepFleetLimiter(s, tick({ now: T0 + i * 2_000, calls, overloads, successes: calls - overloads, inFlight: s.limit, cooldownMs: 7_000 }), adaptive).state;
      limits.push(s.limit);
    }
    const tail = limits.slice(150);
    expect(Math.min(...tail)).toBeGreaterThanOrEqual(20);
    expect(s.noiseFloor).toBeGreaterThan(0.1);
  });

  it('a simulated fleet still converges near capacity when noise comes on top of overload', () => {
    const random = seededRandom(5);
    const capacity = 24;
    let s = initialFleetLimiter(adaptive);
    const limits: number[] = [];
    for (let i = 0; i < 300; i++) {
      const running = s.limit;
      const served = Math.min(running, capacity) * 2;
      const noise = binomial(random, served, 0.15);
      const refusedForCapacity = Math.max(0, running - capacity) * 12; // fast refusals
      const calls = served + refusedForCapacity;
      s = stepFleetLimiter(
        s,
        tick({ now: T0 + i * 2_000, calls, overloads: noise + refusedForCapacity, successes: served - noise, inFlight: running, cooldownMs: 7_000 }),
        adaptive,
      ).state;
      limits.push(s.limit);
    }
    const tail = limits.slice(150);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(Math.max(...tail)).toBeLessThanOrEqual(capacity + 2);
    expect(mean).toBeGreaterThan(capacity * 0.75);
  });
});

describe('local AIMD', () => {
  it('under a learned noise floor, refusals the floor explains do not cut; a burst beyond it does', () => {
    const random = seededRandom(7);
    let s: LocalLimiterState = { ...initialLocalLimiter(8), slowStart: false };
    let cuts = 0;
    for (let i = 0; i < 2_000; i++) {
      const started = localStart(s);
      const before = started.state.cutSeq;
      s = random() < 0.2 ? localOverload(started.state, started.seq, adaptive, 0.2) : localSuccess(started.state, started.seq);
      if (s.cutSeq !== before) cuts += 1;
    }
    // Without the floor every episode with a refusal cuts (hundreds of cuts); with it, few.
    expect(cuts).toBeLessThan(40);
    expect(localLimit(s)).toBeGreaterThanOrEqual(6);
    // A run of refusals far beyond 20 % (12 in a row: 0.2^12) is overload on top: a cut.
    const before = s.cutSeq;
    for (let i = 0; i < 12; i++) {
      const started = localStart(s);
      s = localOverload(started.state, started.seq, adaptive, 0.2);
    }
    expect(s.cutSeq).not.toBe(before);
  });

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

  it('follows the slice: a cut and a raise apply at once', () => {
    let s = initialLocalLimiter(8);
    s = localCeiling(s, 3);
    expect(localLimit(s)).toBe(3);
    s = localCeiling(s, 0);
    expect(localLimit(s)).toBe(0);
    // The raise is the fleet's step: no second slow start here, one unit per success.
    s = localCeiling(s, 12);
    expect(localLimit(s)).toBe(12);
  });

  it('keeps a cap its own unheld cut put below the slice when the slice rises', () => {
    // Under a noise floor a refusal cuts multiplicatively and regrows locally (no hold).
    const started = localStart({ ...initialLocalLimiter(8), slowStart: false });
    let s = localOverload(started.state, started.seq, adaptive, 0.2);
    s = localOverload(localStart(s).state, s.nextSeq, adaptive, 0.2);
    const cut = localLimit(s);
    expect(cut).toBeLessThan(8);
    expect(s.held).toBe(false);
    s = localCeiling(s, 10);
    expect(localLimit(s)).toBe(cut);
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

  it('a refusal drops the cap to the calls the upstream had taken, once per episode, and holds it until the leader knows', () => {
    // Six calls out at a cap of 6; the first refusal comes while five are still out.
    let s: LocalLimiterState = { ...initialLocalLimiter(6), slowStart: false };
    const seqs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const st = localStart(s);
      s = st.state;
      seqs.push(st.seq);
    }
    s = localOverload(s, seqs[0]!, adaptive, 0, 5, T0);
    expect(s).toMatchObject({ held: true, found: 5, cuts: 1, heldSince: T0 });
    expect(localLimit(s)).toBe(5);
    // Calls refused with it were counted as taken: as their refusals land, the cap follows.
    s = localOverload(s, seqs[1]!, adaptive, 0, 3, T0);
    s = localOverload(s, seqs[2]!, adaptive, 0, 4, T0); // not lower: ignored
    expect(s).toMatchObject({ cuts: 1, found: 3 });
    expect(localLimit(s)).toBe(3);
    // Held: successes do not grow it back (that would probe the level just refused).
    for (let i = 0; i < 20; i++) s = localSuccess(localStart(s).state);
    expect(localLimit(s)).toBe(3);
    // An allocation that does not know the cut leaves it held; one that does sets the slice.
    expect(localCeiling(s, 4, 0, T0 + 1_000, 9_000)).toMatchObject({ held: true, cap: 3 });
    const acked = localCeiling(s, 4, 1, T0 + 2_000, 9_000);
    expect(acked).toMatchObject({ held: false, found: null });
    expect(localLimit(acked)).toBe(4);
    // With no leader answering, the hold ends after holdMs; growth resumes from the cut.
    const stale = localCeiling(s, 4, null, T0 + 9_000, 9_000);
    expect(stale).toMatchObject({ held: false, cap: 3 });
    expect(localLimit(localSuccess(localStart(stale).state))).toBe(3);
  });

  it('refused with nothing of its own taken, a server sends nothing until the leader answers', () => {
    const st = localStart({ ...initialLocalLimiter(2), slowStart: false });
    const s = localOverload(st.state, st.seq, adaptive, 0, 0, T0);
    expect(s).toMatchObject({ found: 0, held: true });
    expect(localLimit(s)).toBe(0);
    expect(localLimit(localCeiling(s, 1, 1, T0 + 2_000))).toBe(1);
  });
});

describe('fleet limit from where the servers found the edge', () => {
  const at = (limit: number): FleetLimiterState => ({ ...initialFleetLimiter(adaptive), limit, slowStart: false });

  it('cuts to the reported level at once, however far above it the limit was, and remembers the edge one above', () => {
    const cut = stepFleetLimiter(at(12), tick({ now: T0, overloads: 8, reportedLimit: 4 }), adaptive);
    expect(cut).toMatchObject({ reason: 'overload', state: { limit: 4, overloadAt: 5, lastDecreaseAt: T0 } });
    // Never up: a report at or above the limit still steps one down.
    expect(stepFleetLimiter(at(5), tick({ now: T0, overloads: 8, reportedLimit: 9 }), adaptive).state.limit).toBe(4);
    // Within the cooldown, servers that went lower still (capacity falling) are followed down.
    const lower = stepFleetLimiter(cut.state, tick({ now: T0 + 2_000, overloads: 5, reportedLimit: 2 }), adaptive);
    expect(lower).toMatchObject({ reason: 'overload', state: { limit: 2, overloadAt: 3, lastDecreaseAt: T0 } });
    expect(stepFleetLimiter(cut.state, tick({ now: T0 + 2_000, overloads: 5, reportedLimit: 4 }), adaptive).reason).toBe('hold');
  });

  it('a probe that holds is a level the upstream served: where the fleet returns after capacity falls', () => {
    // The edge found at 6 and probed at once (nothing held still for STABLE_MS).
    let s: FleetLimiterState = { ...at(5), overloadAt: 6, overloadSeenAt: T0 - 10_000, stableSince: T0 - 1_000 };
    s = stepFleetLimiter(s, tick({ now: T0, inFlight: 5 }), adaptive).state;
    expect(s).toMatchObject({ limit: 6, highWater: null });
    s = stepFleetLimiter(s, tick({ now: T0 + 2_000, inFlight: 6 }), adaptive).state;
    expect(s).toMatchObject({ highWater: 6, highWaterAt: T0 + 2_000 });
    // Capacity falls at once: the fleet returns to 6 once a probe holds again.
    s = stepFleetLimiter(s, tick({ now: T0 + 3_000, overloads: 10, reportedLimit: 2, inFlight: 6 }), adaptive).state;
    s = stepFleetLimiter(s, tick({ now: T0 + 5_000, inFlight: 2 }), adaptive).state;
    expect(s.limit).toBe(3);
    expect(stepFleetLimiter(s, tick({ now: T0 + 7_000, inFlight: 3 }), adaptive)).toMatchObject({ reason: 'recover', state: { limit: 6 } });
  });

  it('a probe that holds below a level a probe was refused at is a cut that went too low, not capacity back', () => {
    let s: FleetLimiterState = { ...at(6), overloadAt: 7, overloadSeenAt: T0, probeEveryMs: 30_000, stableSince: T0 };
    for (let t = 0; t <= 8_000; t += 2_000) s = stepFleetLimiter(s, tick({ now: T0 + t, inFlight: 6 }), adaptive).state;
    // Capacity falls to 2; a probe at 3 is refused and the servers' found level says 1 (a
    // call that moved between servers was counted by neither).
    s = stepFleetLimiter(s, tick({ now: T0 + 10_000, overloads: 10, reportedLimit: 2, inFlight: 6 }), adaptive).state;
    s = stepFleetLimiter(s, tick({ now: T0 + 12_000, inFlight: 2 }), adaptive).state;
    expect(s).toMatchObject({ limit: 3, overloadAt: 3 });
    s = stepFleetLimiter(s, tick({ now: T0 + 14_000, overloads: 3, reportedLimit: 1, inFlight: 3 }), adaptive).state;
    expect(s).toMatchObject({ limit: 1, overloadAt: 2, probeFailedAt: 3 });
    s = stepFleetLimiter(s, tick({ now: T0 + 16_000, inFlight: 1 }), adaptive).state;
    expect(s).toMatchObject({ limit: 2 });
    // The probe at 2 holds: no return to 6 (that would run 4 calls into a capacity of 2)...
    const held = stepFleetLimiter(s, tick({ now: T0 + 18_000, inFlight: 2 }), adaptive);
    expect(held).toMatchObject({ reason: 'ceiling_hold', state: { limit: 2, overloadAt: 3, overloadSeenAt: T0 + 18_000 } });
    // ...3 is probed again at the recovery cadence, and once it holds, capacity came back.
    const again = stepFleetLimiter(held.state, tick({ now: T0 + 20_000, inFlight: 2 }), adaptive);
    expect(again).toMatchObject({ reason: 'probe', state: { limit: 3 } });
    const back = stepFleetLimiter(again.state, tick({ now: T0 + 22_000, inFlight: 3 }), adaptive);
    expect(back).toMatchObject({ reason: 'recover', state: { limit: 6, overloadAt: 7, probeFailedAt: null } });
  });

  it('after capacity fell from a level it served, probes every few seconds and returns to that level once a probe holds', () => {
    // Served at 6, one below a known edge, for longer than STABLE_MS...
    let s: FleetLimiterState = { ...at(6), overloadAt: 7, overloadSeenAt: T0, probeEveryMs: 30_000, stableSince: T0 };
    for (let t = 0; t <= 8_000; t += 2_000) s = stepFleetLimiter(s, tick({ now: T0 + t, inFlight: 6 }), adaptive).state;
    expect(s).toMatchObject({ limit: 6, highWater: 6 });
    // ...then the upstream takes 2: the servers stop at 3, then (same episode) at 2.
    s = stepFleetLimiter(s, tick({ now: T0 + 10_000, overloads: 10, reportedLimit: 3, inFlight: 6 }), adaptive).state;
    expect(s).toMatchObject({ limit: 3, overloadAt: 4, edgeAbove: 7 });
    s = stepFleetLimiter(s, tick({ now: T0 + 11_000, overloads: 4, reportedLimit: 2, inFlight: 3 }), adaptive).state;
    // The edge refused before the fall is kept, not the level passed on the way down.
    expect(s).toMatchObject({ limit: 2, overloadAt: 3, edgeAbove: 7 });
    const limits: number[] = [];
    for (let t = 12_000; t <= 16_000; t += 2_000) {
      s = stepFleetLimiter(s, tick({ now: T0 + t, inFlight: 2 }), adaptive).state;
      limits.push(s.limit);
    }
    // Below the edge for RECOVERY_PROBE_MS (2 s: the next tick), then one probe at it.
    expect(limits).toEqual([3, 3, 3]);
    // The probe held: straight back to the level served before, below the edge refused
    // before capacity fell (7), which is probed again after the quiet time, not at once.
    const back = stepFleetLimiter(s, tick({ now: T0 + 18_000, inFlight: 3 }), adaptive);
    expect(back).toMatchObject({ reason: 'recover', state: { limit: 6, overloadAt: 7, overloadSeenAt: T0 + 18_000 } });
    expect(stepFleetLimiter(back.state, tick({ now: T0 + 20_000, inFlight: 6 }), adaptive)).toMatchObject({ reason: 'ceiling_hold', state: { limit: 6 } });
    expect(stepFleetLimiter(back.state, tick({ now: T0 + 28_000, inFlight: 6 }), adaptive)).toMatchObject({ reason: 'probe', state: { limit: 7 } });
  });
});


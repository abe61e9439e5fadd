import { describe, expect, it } from 'vitest';
import { breakerDocSchema, MAX_BREAKER_HISTORY, type BreakerDoc } from '../../schema/flow.js';
import { resolveConfig } from '../../schema/config.js';
import {
  acquireProbe,
  breakerGate,
  completeProbe,
  evaluateBreaker,
  initialBreaker,
  operateBreaker,
  recoveryDelay,
  tripBreaker,
  type BreakerContext,
  type BreakerOperation,
} from './breaker.js';
import { streakTripReason, windowTripReason } from './breaker-rules.js';
import { seededRandom } from '../ids.js';
import { planControl } from '../controls/index.js';
import { readDocsFrom } from '../mutations.js';
import { InvalidTransitionError } from '../errors.js';

const config = resolveConfig({
  circuitBreaker: { failureThreshold: 5, recoveryTimeMs: 10_000, maxRecoveryTimeMs: 35_000, thresholdsByClass: { quota: 20 }, probeTimeoutMs: 5_000 },
}).circuitBreaker;
const T0 = 1_700_000_000_000;
const ctx = (now: number, by = 's1'): BreakerContext => ({ now, config, by });
const window = (successes: number, failuresByClass: Record<string, number>, start = T0 - 60_000) => ({
  start,
  successes,
  failuresByClass,
  spanMs: 60_000,
});

function opened(at = T0): BreakerDoc {
  const step = tripBreaker(initialBreaker('m', at - 1), '5 failures in a row', ctx(at));
  expect(step.doc.state).toBe('open');
  return step.doc;
}

describe('trip rules', () => {
  it('count window: failures in a row, with separate thresholds per class', () => {
    const c = { ...config, thresholdsByClass: { quota: 20, timeout: 3 } };
    expect(streakTripReason({ network: 4 }, c)).toBeNull();
    expect(streakTripReason({ network: 3, server: 2 }, c)).toMatch(/5 failures in a row/);
    // timeout has its own threshold and does not feed the general one
    expect(streakTripReason({ timeout: 2, network: 4 }, c)).toBeNull();
    expect(streakTripReason({ timeout: 3 }, c)).toMatch(/3 timeout failures in a row/);
    // overload answers never trip from one server's streak; ignored classes never count
    expect(streakTripReason({ overloaded: 50, quota: 50 }, c)).toBeNull();
    expect(streakTripReason({ invalid: 50, cancelled: 50 }, c)).toBeNull();
  });

  it('time window: count thresholds (overload included) only without a success, else the failure rate', () => {
    expect(windowTripReason(window(0, { overloaded: 5 }), config)).toMatch(/without a success/);
    expect(windowTripReason(window(0, { quota: 19 }), config)).toBeNull();
    expect(windowTripReason(window(0, { quota: 20 }), config)).toMatch(/20 quota failures/);
    expect(windowTripReason(window(1, { overloaded: 5 }), config)).toBeNull();
    expect(windowTripReason(window(5, { server: 3, timeout: 2 }), config)).toMatch(/failure rate 50% of 10/);
    expect(windowTripReason(window(6, { server: 4 }), config)).toBeNull();
    expect(windowTripReason(window(3, { network: 6 }), config)).toBeNull(); // 9 < minimumCalls
    expect(windowTripReason(window(0, { invalid: 40 }), config)).toBeNull();
  });

  it('judges "no success at all" only on a window that has covered windowMs', () => {
    const young = { ...window(0, { overloaded: 8 }), spanMs: 2_000 };
    expect(windowTripReason(young, config)).toBeNull();
    expect(evaluateBreaker(initialBreaker('m', T0), { ...young, start: T0 }, ctx(T0 + 2_000)).changed).toBe(false);
    expect(evaluateBreaker(initialBreaker('m', T0), { ...young, start: T0 }, ctx(T0 + 60_000)).changed).toBe(true);
  });

  it('leaves overload answers out of the failure rate: the adaptive limiter handles them', () => {
    // A fleet over capacity: many 503s, but calls still succeed.
    expect(windowTripReason(window(20, { overloaded: 60, quota: 30 }), config)).toBeNull();
    // A hard outage still trips: no success at all.
    expect(windowTripReason(window(0, { overloaded: 5 }), config)).toMatch(/without a success/);
    const strict = { ...config, overloadClasses: [] };
    expect(windowTripReason(window(20, { overloaded: 60 }), strict)).toMatch(/failure rate 75%/);
  });
});

describe('breaker state machine', () => {
  it('opens on the fleet window, records the transition and schedules the probe', () => {
    const doc = initialBreaker('m', T0);
    const step = evaluateBreaker(doc, window(2, { server: 8, invalid: 3 }), ctx(T0 + 5));
    expect(step.changed).toBe(true);
    expect(step.doc).toMatchObject({ state: 'open', generation: 1, openedAt: T0 + 5, nextProbeAt: T0 + 5 + 10_000, since: T0 + 5 });
    expect(step.transition).toMatchObject({ from: 'closed', to: 'open', by: 's1' });
    expect(step.doc.history).toHaveLength(1);
    expect(breakerDocSchema.parse(step.doc).state).toBe('open');
  });

  it('keeps a healthy window as a summary without a transition', () => {
    const step = evaluateBreaker(initialBreaker('m', T0), window(50, { overloaded: 2, invalid: 1 }), ctx(T0 + 5));
    expect(step.changed).toBe(false);
    expect(step.doc.window).toEqual({ start: T0 - 60_000, calls: 52, failures: 2, failuresByClass: { overloaded: 2, invalid: 1 } });
  });

  it('lets exactly one probe through once the recovery time has passed', () => {
    const doc = opened();
    const early = acquireProbe(doc, ctx(T0 + 9_999, 'a'));
    expect(early.granted).toBeNull();
    expect(early.granted === null && early.retryAfterMs).toBe(1);
    const first = acquireProbe(doc, ctx(T0 + 10_000, 'a'));
    expect(first.granted).toEqual({ token: 1, expiresAt: T0 + 15_000 });
    expect(first.doc.state).toBe('half_open');
    const second = acquireProbe(first.doc, ctx(T0 + 10_001, 'b'));
    expect(second.granted).toBeNull();
    expect(second.changed).toBe(false);
    expect(breakerGate(first.doc, T0 + 10_001, config)).toMatchObject({ allow: 'none' });
  });

  it('closes on a successful probe and ignores results with a stale token', () => {
    const half = acquireProbe(opened(), ctx(T0 + 10_000, 'a')).doc;
    expect(completeProbe(half, 99, { kind: 'success' }, ctx(T0 + 10_100, 'x')).changed).toBe(false);
    const closed = completeProbe(half, 1, { kind: 'success' }, ctx(T0 + 10_100, 'a'));
    expect(closed.doc).toMatchObject({ state: 'closed', probe: null, consecutiveFailures: 0, openedAt: null });
    expect(closed.transition?.reason).toMatch(/probe by a succeeded/);
    // A duplicate result after the close changes nothing.
    expect(completeProbe(closed.doc, 1, { kind: 'failure', errorClass: 'overloaded' }, ctx(T0 + 10_200)).changed).toBe(false);
  });

  it('backs off the recovery time after each failed probe, up to the cap', () => {
    expect([0, 1, 2, 3, 9].map((n) => recoveryDelay(n, config))).toEqual([10_000, 20_000, 35_000, 35_000, 35_000]);
    let doc = opened();
    let now: number;
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      now = doc.nextProbeAt as number;
      const probe = acquireProbe(doc, ctx(now, 'p'));
      expect(probe.granted).not.toBeNull();
      const token = probe.granted?.token as number;
      doc = completeProbe(probe.doc, token, { kind: 'failure', errorClass: 'overloaded' }, ctx(now + 50, 'p')).doc;
      waits.push((doc.nextProbeAt as number) - (now + 50));
    }
    expect(waits).toEqual([20_000, 35_000, 35_000]);
    expect(doc.consecutiveFailures).toBe(3);
    expect(doc.openedAt).toBe(T0);
  });

  it('treats an expired probe lease as a failed probe (leader evaluation or next caller)', () => {
    const half = acquireProbe(opened(), ctx(T0 + 10_000, 'a')).doc;
    const stillRunning = evaluateBreaker(half, window(0, {}), ctx(T0 + 14_999));
    expect(stillRunning.changed).toBe(false);
    const expired = evaluateBreaker(half, window(0, {}), ctx(T0 + 15_000));
    expect(expired.doc).toMatchObject({ state: 'open', consecutiveFailures: 1, nextProbeAt: T0 + 15_000 + 20_000 });
    const viaCaller = acquireProbe(half, ctx(T0 + 15_000, 'b'));
    expect(viaCaller.granted).toBeNull();
    expect(viaCaller.doc.state).toBe('open');
  });

  it('releases the probe on an inconclusive result and hands out a new fenced one', () => {
    const first = acquireProbe(opened(), ctx(T0 + 10_000, 'a'));
    const released = completeProbe(first.doc, 1, { kind: 'inconclusive', errorClass: 'invalid' }, ctx(T0 + 10_010, 'a'));
    expect(released.doc).toMatchObject({ state: 'half_open', probe: null });
    expect(released.transition).toBeNull();
    const next = acquireProbe(released.doc, ctx(T0 + 10_020, 'b'));
    expect(next.granted?.token).toBe(2);
    expect(next.transition).toBeNull();
    expect(completeProbe(next.doc, 1, { kind: 'success' }, ctx(T0 + 10_030, 'a')).changed).toBe(false);
    expect(completeProbe(next.doc, 2, { kind: 'success' }, ctx(T0 + 10_030, 'b')).doc.state).toBe('closed');
  });

  it('releases a probe whose holder is no longer live at once, not when its lease runs out, and fences the holder out', () => {
    const first = acquireProbe(opened(), ctx(T0 + 10_000, 'a'));
    // The leader's live servers still include the holder: nothing to do.
    expect(evaluateBreaker(first.doc, { ...window(0, {}), liveServers: ['a', 'b'] }, ctx(T0 + 11_000)).changed).toBe(false);
    // Unknown live servers (no list): only the lease decides.
    expect(evaluateBreaker(first.doc, { ...window(0, {}), liveServers: null }, ctx(T0 + 11_000)).changed).toBe(false);
    // The holder stopped heartbeating long before its lease (T0 + 15 s) ends.
    const released = evaluateBreaker(first.doc, { ...window(0, {}), liveServers: ['b'] }, ctx(T0 + 11_000));
    expect(released.changed).toBe(true);
    expect(released.transition).toBeNull();
    expect(released.doc).toMatchObject({ state: 'half_open', probe: null, consecutiveFailures: 0 });
    expect(breakerGate(released.doc, T0 + 11_000, config)).toEqual({ allow: 'probe' });
    const next = acquireProbe(released.doc, ctx(T0 + 11_001, 'b'));
    expect(next.granted?.token).toBe(2);
    // The old holder's late result is ignored; the new one's counts.
    expect(completeProbe(next.doc, 1, { kind: 'failure', errorClass: 'overloaded' }, ctx(T0 + 11_002, 'a')).changed).toBe(false);
    expect(completeProbe(next.doc, 2, { kind: 'success' }, ctx(T0 + 11_003, 'b')).doc.state).toBe('closed');
    // An operator's override is left alone.
    const forced = { ...first.doc, override: 'force_open' as const };
    expect(evaluateBreaker(forced, { ...window(0, {}), liveServers: [] }, ctx(T0 + 11_000)).changed).toBe(false);
  });

  it('a server trip only opens an automatically closed breaker', () => {
    const doc = opened();
    expect(tripBreaker(doc, 'again', ctx(T0 + 1)).changed).toBe(false);
    const forced = override(initialBreaker('m', T0), 'force_close', T0);
    expect(tripBreaker(forced, 'streak', ctx(T0 + 1)).changed).toBe(false);
  });
});

describe('trip evidence (what opened the breaker, kept after the window restarts)', () => {
  it('the fleet window: its counted failures among its calls, by class, since the window start', () => {
    const step = evaluateBreaker(initialBreaker('m', T0), window(2, { server: 8, invalid: 3 }), ctx(T0 + 5, 'leader'));
    expect(step.doc.window).toBeNull();
    expect(step.doc.trip).toEqual({
      at: T0 + 5,
      rule: 'window',
      reason: step.transition?.reason,
      by: 'leader',
      failures: 8,
      calls: 10,
      failuresByClass: { server: 8, invalid: 3 },
      since: T0 - 60_000,
    });
    expect(breakerDocSchema.parse(step.doc).trip?.failures).toBe(8);
  });

  it('the outage rule: the failures since the fleet last succeeded, which its reason states', () => {
    const health = { failing: 9, quietMs: 4_000, running: 0, stale: false };
    const young = { start: T0, successes: 0, failuresByClass: { overloaded: 3 }, health };
    const step = evaluateBreaker(initialBreaker('m', T0), young, ctx(T0 + 4_000, 'leader'));
    expect(step.transition?.reason).toMatch(/^9 failures and no success/);
    expect(step.doc.trip).toMatchObject({ rule: 'outage', failures: 9, calls: 9, failuresByClass: { overloaded: 3 }, since: T0 });
  });

  it("a server's streak: its failures in a row by class", () => {
    const step = tripBreaker(initialBreaker('m', T0), '5 failures in a row', ctx(T0 + 1, 's2'), { failuresByClass: { network: 3, server: 2 }, since: T0 - 900 });
    expect(step.doc.trip).toEqual({
      at: T0 + 1,
      rule: 'streak',
      reason: '5 failures in a row',
      by: 's2',
      failures: 5,
      calls: 5,
      failuresByClass: { network: 3, server: 2 },
      since: T0 - 900,
    });
  });

  it('survives failed probes, the close and manual actions; the next automatic trip replaces it', () => {
    const first = evaluateBreaker(initialBreaker('m', T0), window(0, { server: 6 }), ctx(T0, 'leader')).doc;
    const trip = first.trip;
    expect(trip?.failures).toBe(6);
    const probe = acquireProbe(first, ctx(T0 + 10_000, 'a'));
    const reopened = completeProbe(probe.doc, probe.granted?.token as number, { kind: 'failure', errorClass: 'server' }, ctx(T0 + 10_050, 'a')).doc;
    expect(reopened).toMatchObject({ state: 'open', trip });
    const half = acquireProbe(reopened, ctx(reopened.nextProbeAt as number, 'b'));
    const closed = completeProbe(half.doc, half.granted?.token as number, { kind: 'success' }, ctx((reopened.nextProbeAt as number) + 10, 'b')).doc;
    expect(closed).toMatchObject({ state: 'closed', window: null, trip });
    const forced = override(closed, 'force_open', T0 + 60_000);
    expect(forced.trip).toEqual(trip);
    const reset = override(forced, 'reset', T0 + 61_000);
    expect(reset.trip).toEqual(trip);
    const again = tripBreaker(reset, '5 timeout failures in a row', ctx(T0 + 70_000, 's3'), { failuresByClass: { timeout: 5 }, since: null });
    expect(again.doc.trip).toMatchObject({ rule: 'streak', failures: 5, at: T0 + 70_000 });
  });
});

/** Manual actions: the same machine's operator transitions (the control planner applies them). */
function override(doc: BreakerDoc, action: BreakerOperation, now: number, reason?: string): BreakerDoc {
  const result = operateBreaker(doc, doc.model, action, { now, by: 'admin', reason: reason ?? null });
  if (!result.ok) throw result.error;
  return result.step.doc;
}

describe('manual overrides (written by the control planner)', () => {
  it('starts a model without a document from the initial breaker, and refuses to clear an override that is not there', () => {
    const forced = operateBreaker(null, 'm', 'force_close', { now: T0, by: 'admin', reason: null });
    if (!forced.ok) throw forced.error;
    // Already closed: the override pins it without a transition.
    expect(forced.step).toMatchObject({ transition: null, doc: { ...initialBreaker('m', T0), override: 'force_closed', overrideBy: 'admin', overrideAt: T0 } });
    const clear = operateBreaker(null, 'm', 'clear_override', { now: T0, by: 'admin', reason: null });
    expect(!clear.ok && clear.error).toBeInstanceOf(InvalidTransitionError);
    expect(operateBreaker(initialBreaker('m', T0), 'm', 'clear_override', { now: T0, by: 'admin', reason: null }).ok).toBe(false);
  });

  it('the control planner writes exactly what the machine decides, and an operator reason fits the history', () => {
    const reason = 'r'.repeat(500);
    const result = planControl(
      { type: 'breaker.force_open', model: 'm', reason },
      { actor: { kind: 'admin', id: 'admin', email: null }, now: T0, docs: readDocsFrom([{ ref: { collection: 'breakers', id: 'm' }, doc: opened(T0 - 10) }]) },
    );
    if (!result.ok) throw result.error;
    const write = result.plan.mutations[0];
    if (write?.op !== 'set' || write.collection !== 'breakers') throw new Error('expected a breaker write');
    const { controlAudit, ...doc } = write.data;
    expect(controlAudit).toBeDefined();
    expect(doc).toEqual(override(opened(T0 - 10), 'force_open', T0, reason));
    const forcedClosed = override(opened(T0 - 10), 'force_close', T0, reason);
    expect(forcedClosed.history.at(-1)?.reason).toHaveLength(500);
    expect(breakerDocSchema.parse(forcedClosed).state).toBe('closed');
  });

  it('force open refuses calls and probes until cleared; clearing makes a probe due at once', () => {
    const forced = override(initialBreaker('m', T0), 'force_open', T0, 'maintenance');
    expect(forced).toMatchObject({ state: 'open', override: 'force_open' });
    expect(breakerGate(forced, T0 + 10 ** 9, config).allow).toBe('none');
    expect(acquireProbe(forced, ctx(T0 + 10 ** 9)).granted).toBeNull();
    expect(evaluateBreaker(forced, window(100, {}), ctx(T0 + 5)).doc.state).toBe('open');
    expect(tripBreaker(forced, 'streak', ctx(T0 + 6)).changed).toBe(false);
    const cleared = override(forced, 'clear_override', T0 + 100);
    expect(cleared).toMatchObject({ state: 'open', override: null });
    expect(breakerGate(cleared, T0 + 100, config).allow).toBe('probe');
    const probe = acquireProbe(cleared, ctx(T0 + 100, 'a'));
    expect(probe.granted?.token).toBe(1);
    expect(completeProbe(probe.doc, 1, { kind: 'success' }, ctx(T0 + 200, 'a')).doc.state).toBe('closed');
  });

  it('force open during a probe voids the probe; its late result changes nothing', () => {
    const probing = acquireProbe(opened(), ctx(T0 + 10_000, 'a')).doc;
    const forced = override(probing, 'force_open', T0 + 10_001);
    expect(forced.probe).toBeNull();
    expect(completeProbe(forced, 1, { kind: 'success' }, ctx(T0 + 10_002, 'a')).changed).toBe(false);
  });

  it('force close lets everything through and stops automatic trips until cleared', () => {
    const forced = override(opened(), 'force_close', T0 + 1);
    expect(forced).toMatchObject({ state: 'closed', override: 'force_closed' });
    expect(breakerGate(forced, T0 + 2, config).allow).toBe('all');
    expect(evaluateBreaker(forced, window(0, { overloaded: 100 }), ctx(T0 + 2)).doc.state).toBe('closed');
    expect(tripBreaker(forced, 'streak', ctx(T0 + 2)).changed).toBe(false);
    const cleared = override(forced, 'clear_override', T0 + 3);
    expect(evaluateBreaker(cleared, window(0, { overloaded: 100 }), ctx(T0 + 4)).doc.state).toBe('open');
  });

  it('reset returns to a clean closed breaker; tokens keep increasing so old probes stay void', () => {
    const probing = acquireProbe(opened(), ctx(T0 + 10_000, 'a')).doc;
    const reset = override(probing, 'reset', T0 + 10_001, 'upstream fixed');
    expect(reset).toMatchObject({ state: 'closed', probe: null, consecutiveFailures: 0, override: null, window: null });
    expect(completeProbe(reset, 1, { kind: 'failure', errorClass: 'overloaded' }, ctx(T0 + 10_002)).changed).toBe(false);
    const reopened = tripBreaker(reset, 'streak', ctx(T0 + 20_000)).doc;
    const next = acquireProbe(reopened, ctx(T0 + 40_000, 'b'));
    expect(next.granted?.token).toBe(2);
  });
});

describe('history', () => {
  it('keeps a bounded history of transitions', () => {
    let doc = initialBreaker('m', T0);
    let now = T0;
    for (let i = 0; i < MAX_BREAKER_HISTORY + 10; i++) {
      doc = tripBreaker(doc, `trip ${i}`, ctx(now + 1)).doc;
      now = doc.nextProbeAt as number;
      doc = acquireProbe(doc, ctx(now, 'p')).doc;
      now += 1;
      doc = completeProbe(doc, doc.probeToken, { kind: 'success' }, ctx(now, 'p')).doc;
    }
    expect(doc.history).toHaveLength(MAX_BREAKER_HISTORY);
    expect(doc.generation).toBe(3 * (MAX_BREAKER_HISTORY + 10));
    expect(doc.history.at(-1)).toMatchObject({ from: 'half_open', to: 'closed' });
    expect(breakerDocSchema.parse(doc).history).toHaveLength(MAX_BREAKER_HISTORY);
  });
});

describe('breaker invariants under random fleet traffic', () => {
  it('never has two probes, never closes on a stale token, counts every transition', () => {
    const random = seededRandom(7);
    let doc = initialBreaker('m', T0);
    let now = T0;
    const holders = ['a', 'b', 'c', 'd'];
    const held = new Map<string, number>(); // holder -> token it believes it holds
    let transitions = 0;
    for (let i = 0; i < 5_000; i++) {
      now += Math.floor(random() * 3_000);
      const who = holders[Math.floor(random() * holders.length)] as string;
      const r = random();
      let step;
      if (r < 0.25) {
        step = acquireProbe(doc, ctx(now, who));
        if (step.granted) {
          for (const [h, t] of held) if (t !== step.granted.token) held.delete(h);
          held.set(who, step.granted.token);
        }
      } else if (r < 0.5 && held.has(who)) {
        const token = held.get(who) as number;
        held.delete(who);
        const outcome = random() < 0.5 ? { kind: 'success' as const } : { kind: 'failure' as const, errorClass: 'overloaded' };
        const before = doc;
        step = completeProbe(doc, token, outcome, ctx(now, who));
        if (step.changed && before.probe?.token !== token) throw new Error('stale token changed the breaker');
      } else if (r < 0.75) {
        step = evaluateBreaker(doc, window(Math.floor(random() * 3), { overloaded: Math.floor(random() * 8) }), ctx(now));
      } else if (r < 0.8) {
        const action = (['force_open', 'force_close', 'clear_override', 'reset'] as const)[Math.floor(random() * 4)] as BreakerOperation;
        const before = doc;
        const after = action === 'clear_override' && doc.override === null ? doc : override(doc, action, now);
        step = { doc: after, changed: after !== before, transition: after.generation !== before.generation ? after.history.at(-1) ?? null : null };
      } else {
        step = tripBreaker(doc, 'streak', ctx(now, who));
      }
      if (step.transition) transitions += 1;
      doc = step.doc;
      expect(doc.generation).toBe(transitions);
      if (doc.probe !== null) expect(doc.state).toBe('half_open');
      const gate = breakerGate(doc, now, config);
      if (gate.allow === 'none') expect(Number.isFinite(gate.retryAfterMs) && gate.retryAfterMs > 0).toBe(true);
      if (doc.override === 'force_open') expect(gate.allow).toBe('none');
      if (doc.state === 'closed' || doc.override === 'force_closed') expect(gate.allow).toBe('all');
    }
    expect(transitions).toBeGreaterThan(100);
  });
});

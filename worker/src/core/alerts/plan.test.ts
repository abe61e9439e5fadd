import { describe, expect, it } from 'vitest';
import type { ActiveAlert, AlertKind } from '../../schema/alerts.js';
import { breakerObservations, deadLetterObservation, noLiveServerObservation, type AlertObservation } from './observations.js';
import { planAlerts } from './plan.js';
import { addCountSample, type CountSample } from './dead-letter-trend.js';

const T = 1_800_000_000_000;
const ALL = new Set<AlertKind>(['breaker_open', 'dead_letters_growing', 'queue_stalled', 'no_live_server', 'bulk_control_failed']);

function breaker(state: 'closed' | 'open' | 'half_open', since: number, extra: Record<string, unknown> = {}) {
  return { model: 'm1', state, since, override: null, overrideBy: null, history: [], ...extra } as Parameters<typeof breakerObservations>[0][number];
}

/** Runs evaluations one after another from no active alert, as the leader would. */
function run(steps: { now: number; observations: AlertObservation[]; reminderMs?: number | null; evaluated?: Set<AlertKind> }[]) {
  let active: Record<string, ActiveAlert> = {};
  return steps.map((s) => {
    const plan = planAlerts(active, s.observations, { now: s.now, reminderMs: s.reminderMs ?? null, evaluated: s.evaluated ?? ALL });
    active = plan.active;
    return plan;
  });
}

describe('planAlerts', () => {
  it('sends firing once while a breaker stays open (through half-open), then one resolve when it closes', () => {
    const [opened, stillOpen, probing, closed, quiet] = run([
      { now: T, observations: breakerObservations([breaker('open', T - 500, { history: [{ from: 'closed', to: 'open', at: T - 500, reason: '9 failures in the window', by: 's1' }] })]) },
      { now: T + 5_000, observations: breakerObservations([breaker('open', T - 500)]) },
      { now: T + 30_000, observations: breakerObservations([breaker('half_open', T + 30_000)]) },
      { now: T + 31_000, observations: breakerObservations([breaker('closed', T + 31_000, { history: [{ from: 'half_open', to: 'closed', at: T + 31_000, reason: 'probe succeeded', by: 's2' }] })]) },
      { now: T + 40_000, observations: breakerObservations([breaker('closed', T + 31_000)]) },
    ]);
    expect(opened!.events).toEqual([
      expect.objectContaining({ key: 'breaker_open:m1', kind: 'breaker_open', status: 'firing', subject: 'm1', firingSince: T - 500, at: T, reminder: false }),
    ]);
    expect(opened!.events[0]!.detail).toContain('9 failures in the window');
    expect(opened!.active['breaker_open:m1']).toEqual({ kind: 'breaker_open', title: 'Circuit breaker open: m1', subject: 'm1', firingSince: T - 500, lastSentAt: T });
    expect(stillOpen!.events).toEqual([]);
    expect(probing!.events).toEqual([]);
    expect(closed!.events).toEqual([expect.objectContaining({ key: 'breaker_open:m1', status: 'resolved', firingSince: T - 500, at: T + 31_000 })]);
    expect(closed!.events[0]!.detail).toContain('probe succeeded');
    expect(closed!.active).toEqual({});
    expect(quiet!.events).toEqual([]);
  });

  it('keys breakers per model: one model opening does not touch the other', () => {
    const [plan] = run([
      {
        now: T,
        observations: breakerObservations([breaker('open', T), { ...breaker('closed', T), model: 'm2' }]),
      },
    ]);
    expect(plan!.events.map((e) => e.key)).toEqual(['breaker_open:m1']);
  });

  it('re-sends a firing alert only after the reminder interval, and never with reminders off', () => {
    const open = breakerObservations([breaker('open', T)]);
    const withReminders = run([
      { now: T, observations: open, reminderMs: 60_000 },
      { now: T + 59_999, observations: open, reminderMs: 60_000 },
      { now: T + 60_000, observations: open, reminderMs: 60_000 },
      { now: T + 100_000, observations: open, reminderMs: 60_000 },
    ]);
    expect(withReminders.map((p) => p.events.map((e) => (e.reminder ? 'reminder' : e.status)))).toEqual([['firing'], [], ['reminder'], []]);
    expect(withReminders[2]!.events[0]!.firingSince).toBe(T);
    const without = run([
      { now: T, observations: open },
      { now: T + 3_600_000, observations: open },
    ]);
    expect(without[1]!.events).toEqual([]);
  });

  it('leaves alerts of kinds it could not judge alone, and resolves judged ones that lost their subject', () => {
    const [, unknown, gone] = run([
      { now: T, observations: breakerObservations([breaker('open', T)]) },
      // A new leader before its first breaker snapshot: breakers not judged.
      { now: T + 1_000, observations: [], evaluated: new Set<AlertKind>(['dead_letters_growing']) },
      // Breakers judged, and the model's document is gone.
      { now: T + 2_000, observations: [] },
    ]);
    expect(unknown!.events).toEqual([]);
    expect(unknown!.active['breaker_open:m1']).toBeDefined();
    expect(gone!.events).toEqual([expect.objectContaining({ key: 'breaker_open:m1', status: 'resolved', title: 'Circuit breaker open: m1' })]);
  });

  it('reports a fleet-wide outage it learns of afterwards as one resolved message spanning the gap', () => {
    const previous = { holder: 's-old', term: 4, acquiredAt: T - 100_000, renewedAt: T - 10_000, expiresAt: T - 5_000, idle: false };
    const obs = noLiveServerObservation({ serverId: 's-new', takeover: { previous, at: T + 600_000 } }, { enabled: true, gapMs: 60_000 })!;
    const [plan] = run([{ now: T + 600_000, observations: [obs] }]);
    expect(plan!.events).toEqual([expect.objectContaining({ key: 'no_live_server', status: 'resolved', firingSince: T - 10_000, at: T + 600_000 })]);
    expect(plan!.events[0]!.detail).toContain('last leader s-old');
    expect(plan!.active).toEqual({});
    // A normal failover (the lease taken within the gap) is no outage.
    const failover = noLiveServerObservation({ serverId: 's-new', takeover: { previous, at: T - 4_000 } }, { enabled: true, gapMs: 60_000 })!;
    expect(run([{ now: T, observations: [failover] }])[0]!.events).toEqual([]);
  });

  it('resolves the no-live-server alert the last stopping server sent, with the time it lasted', () => {
    const before: Record<string, ActiveAlert> = {
      no_live_server: { kind: 'no_live_server', title: 'No live server', subject: null, firingSince: T, lastSentAt: T },
    };
    const previous = { holder: null, term: 4, acquiredAt: T - 100_000, renewedAt: T, expiresAt: T, idle: false };
    // Back within the gap: still resolved, since the firing message went out.
    const obs = noLiveServerObservation({ serverId: 's-new', takeover: { previous, at: T + 30_000 } }, { enabled: true, gapMs: 60_000 })!;
    const plan = planAlerts(before, [obs], { now: T + 30_000, reminderMs: null, evaluated: ALL });
    expect(plan.events).toEqual([expect.objectContaining({ key: 'no_live_server', status: 'resolved', firingSince: T })]);
    // Back after a long gap: one resolve, not a second outage message.
    const late = noLiveServerObservation({ serverId: 's-new', takeover: { previous, at: T + 900_000 } }, { enabled: true, gapMs: 60_000 })!;
    const latePlan = planAlerts(before, [late], { now: T + 900_000, reminderMs: null, evaluated: ALL });
    expect(latePlan.events).toHaveLength(1);
    expect(latePlan.events[0]).toMatchObject({ status: 'resolved', firingSince: T });
  });

  it('fires when dead letters grow by the threshold within the window and resolves once the window holds less', () => {
    const config = { rise: 3, windowMs: 60_000 };
    let samples: CountSample[] = [];
    const at = (now: number, count: number) => {
      samples = addCountSample(samples, { at: now, count }, config.windowMs);
      return [deadLetterObservation(samples, now, config)!];
    };
    const plans = run([
      { now: T, observations: at(T, 5) },
      { now: T + 10_000, observations: at(T + 10_000, 7) },
      { now: T + 20_000, observations: at(T + 20_000, 8) },
      { now: T + 50_000, observations: at(T + 50_000, 8) },
      // The window now starts at T+15 s, when the count was already 7: a rise of 1.
      { now: T + 75_000, observations: at(T + 75_000, 8) },
      { now: T + 81_000, observations: at(T + 81_000, 8) },
    ]);
    expect(plans.map((p) => p.events.map((e) => e.status))).toEqual([[], [], ['firing'], [], ['resolved'], []]);
    expect(plans[2]!.events[0]!.detail).toMatch(/^3 job\(s\) dead-lettered in the last 1 min/);
  });
});

import { describe, expect, it } from 'vitest';
import { fleetIsQuiet, heartbeatPlan, leaseTiming } from './fleet-mode.js';

const T0 = 1_700_000_000_000;
const cfg = { fastMs: 5_000, idleMs: 60_000 };

describe('fleet idle detection', () => {
  const zero = { submitted: 0, queued: 0, waiting: 0, running: 0, succeeded: 40, failed: 2 };
  it('is quiet only with no active job and nothing in flight', () => {
    expect(fleetIsQuiet({ byStatus: zero, inFlight: 0 })).toBe(true);
    for (const s of ['submitted', 'queued', 'waiting', 'running']) expect(fleetIsQuiet({ byStatus: { ...zero, [s]: 1 }, inFlight: 0 })).toBe(false);
    // A heartbeat still reporting a job (its holder has not beaten since it finished) is not quiet yet.
    expect(fleetIsQuiet({ byStatus: zero, inFlight: 1 })).toBe(false);
  });
});

describe('leader lease timing', () => {
  it('renews a third of the lease; idle uses the longer lease, never a shorter one', () => {
    expect(leaseTiming(false, { leaseMs: 15_000, idleLeaseMs: 90_000 })).toEqual({ leaseMs: 15_000, renewInMs: 5_000 });
    expect(leaseTiming(true, { leaseMs: 15_000, idleLeaseMs: 90_000 })).toEqual({ leaseMs: 90_000, renewInMs: 30_000 });
    expect(leaseTiming(true, { leaseMs: 15_000, idleLeaseMs: null }).leaseMs).toBe(15_000);
    expect(leaseTiming(true, { leaseMs: 15_000, idleLeaseMs: 1_000 }).leaseMs).toBe(15_000);
  });
});

describe('heartbeat cadence', () => {
  it('beats at once when nothing was written yet', () => {
    expect(heartbeatPlan({ lastAt: null, advertisedMs: 0 }, T0, { inFlight: 0, fleetIdle: true }, cfg)).toMatchObject({ due: true, intervalMs: 60_000 });
  });

  it('slows down only while the fleet is idle and the server holds nothing, announcing it at once', () => {
    const fast = { lastAt: T0, advertisedMs: 5_000 };
    expect(heartbeatPlan(fast, T0 + 1_000, { inFlight: 0, fleetIdle: false }, cfg)).toMatchObject({ due: false, dueAt: T0 + 5_000, intervalMs: 5_000 });
    expect(heartbeatPlan(fast, T0 + 1_000, { inFlight: 2, fleetIdle: true }, cfg)).toMatchObject({ due: false, intervalMs: 5_000 });
    expect(heartbeatPlan(fast, T0 + 1_000, { inFlight: 0, fleetIdle: true }, cfg)).toMatchObject({ due: true, intervalMs: 60_000 });
    const slow = { lastAt: T0, advertisedMs: 60_000 };
    expect(heartbeatPlan(slow, T0 + 30_000, { inFlight: 0, fleetIdle: true }, cfg)).toMatchObject({ due: false, dueAt: T0 + 60_000 });
    expect(heartbeatPlan(slow, T0 + 60_000, { inFlight: 0, fleetIdle: true }, cfg).due).toBe(true);
  });

  it('speeds up at once when the server takes a job or the fleet wakes', () => {
    const slow = { lastAt: T0, advertisedMs: 60_000 };
    expect(heartbeatPlan(slow, T0 + 1, { inFlight: 1, fleetIdle: true }, cfg)).toMatchObject({ due: true, intervalMs: 5_000 });
    expect(heartbeatPlan(slow, T0 + 1, { inFlight: 0, fleetIdle: false }, cfg)).toMatchObject({ due: true, intervalMs: 5_000 });
  });

  it('never slows down when idle heartbeats are disabled', () => {
    expect(heartbeatPlan({ lastAt: T0, advertisedMs: 5_000 }, T0 + 1, { inFlight: 0, fleetIdle: true }, { fastMs: 5_000, idleMs: null }).intervalMs).toBe(5_000);
  });
});

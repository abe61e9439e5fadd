import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import type { WorkerConfigInput } from '../schema/config.js';
import { FakeClock } from '../testing/fake-clock.js';
import { call, fail, job, ok, startFleetKit, type FleetKit } from './test-kit.js';

/**
 * The primary's half-open probe while a fallback model is healthy. It once claimed only the
 * fallback's priorities when the probe fell due, so a queue holding none of them never
 * probed the primary: normal and low jobs waited until an operator reset the breaker (found
 * by the fallback-route test on real processes).
 */
const CONFIG: WorkerConfigInput = {
  maxConcurrentRequests: 8,
  circuitBreaker: { failureThreshold: 5, recoveryTimeMs: 10_000, maxRecoveryTimeMs: 40_000, probeTimeoutMs: 5_000, windowMs: 60_000 },
  upstream: {
    model: 'primary',
    fallbackModel: 'backup',
    fallbackPriorities: ['urgent', 'high'],
    adaptive: { initialLimit: 4, minLimit: 1, maxLimit: 32 },
    flowIntervalMs: 1_000,
    sliceTtlMs: 10_000,
  },
  serverCoordination: { heartbeatIntervalMs: 1_000, serverTimeoutMs: 5_000 },
};

let kit: FleetKit | null = null;
afterEach(async () => {
  await kit?.close();
  kit = null;
});

async function openPrimary() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, shared: new MemoryDatabase(), prefix: 't_' });
  kit = await startFleetKit({ stores: [store], clock, config: CONFIG });
  await clock.advance(1);
  const server = kit.servers[0]!;
  for (let i = 0; i < 5; i++) await call(server, fail('network'));
  await clock.advance(1);
  expect((await store.get('breakers', 'primary')).doc?.state).toBe('open');
  return { clock, store, server };
}

describe('fallback route: the primary probe', () => {
  it('claims only the fallback priorities while open, then one job of any priority when the probe falls due', async () => {
    const { clock, server } = await openPrimary();
    expect(server.flow.claimBudget(0)).toMatchObject({ priorities: ['urgent', 'high'] });
    expect((await server.flow.acquire(job('u', 'urgent'))).granted).toBe(true);

    await clock.advance(10_000);
    const due = server.flow.claimBudget(0);
    expect(due).toMatchObject({ slots: 1, priorities: ['urgent', 'high', 'normal', 'low'], reason: 'probe' });
  });

  it('a low job probes the primary when no fallback-eligible job is queued, and its success closes the breaker', async () => {
    const { clock, store, server } = await openPrimary();
    await clock.advance(10_000);
    const low = await server.flow.acquire(job('l', 'low'));
    expect(low.granted && low.permit).toMatchObject({ model: 'primary', isProbe: true });
    if (low.granted) low.permit.complete(ok());
    await clock.advance(1);
    expect((await store.get('breakers', 'primary')).doc?.state).toBe('closed');
    expect(server.flow.claimBudget(0).priorities).toEqual(['urgent', 'high', 'normal', 'low']);
  });

  it('an urgent job claimed for the probe that another server already holds goes to the fallback', async () => {
    const { clock, server } = await openPrimary();
    await clock.advance(10_000);
    const probe = await server.flow.acquire(job('first', 'low'));
    expect(probe.granted && probe.permit.isProbe).toBe(true);
    // The probe is in flight: urgent work keeps flowing to the fallback, low work waits.
    expect(server.flow.claimBudget(0).priorities).toEqual(['urgent', 'high']);
    const urgent = await server.flow.acquire(job('u', 'urgent'));
    expect(urgent.granted && urgent.permit.model).toBe('backup');
    expect((await server.flow.acquire(job('l2', 'low'))).granted).toBe(false);
    if (probe.granted) probe.permit.complete(ok());
    if (urgent.granted) urgent.permit.complete(ok());
  });
});

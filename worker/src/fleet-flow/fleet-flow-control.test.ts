import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import { planControl } from '../core/controls/index.js';
import { readDocsFrom } from '../core/mutations.js';
import type { WorkerConfigInput } from '../schema/config.js';
import { FakeClock } from '../testing/fake-clock.js';
import type { PermitDecision, UpstreamPermit } from '../ports/flow-control.js';
import { call, fail, job, ok, startFleetKit, type FleetKit } from './test-kit.js';
import { LeadershipLostError } from './leader-fence.js';

const BASE: WorkerConfigInput = {
  maxConcurrentRequests: 8,
  circuitBreaker: { failureThreshold: 5, recoveryTimeMs: 10_000, maxRecoveryTimeMs: 40_000, probeTimeoutMs: 5_000, windowMs: 60_000 },
  upstream: { model: 'primary', adaptive: { initialLimit: 4, minLimit: 1, maxLimit: 32 }, flowIntervalMs: 1_000, sliceTtlMs: 10_000 },
  serverCoordination: { heartbeatIntervalMs: 1_000, serverTimeoutMs: 5_000 },
};

let kit: FleetKit | null = null;
afterEach(async () => {
  await kit?.close();
  kit = null;
});

async function fleet(n: number, config: WorkerConfigInput = BASE) {
  const clock = new FakeClock();
  const db = new MemoryDatabase();
  const stores = Array.from({ length: n }, () => new MemoryStore({ clock, shared: db, prefix: 't_' }));
  kit = await startFleetKit({ stores, clock, config });
  await clock.advance(1);
  return { clock, kit, store: stores[0] as MemoryStore, servers: kit.servers };
}

async function kitBudget(k: FleetKit, model = 'primary') {
  const doc = (await k.servers[0]!.store.get('budgets', model)).doc;
  if (!doc) throw new Error('no budget written');
  return doc;
}

async function breaker(store: MemoryStore, model = 'primary') {
  return (await store.get('breakers', model)).doc;
}

describe('shared circuit breaker', () => {
  it('one server\'s failure streak opens the breaker for the whole fleet', async () => {
    const { clock, store, servers } = await fleet(3);
    const [a, b] = servers as [NonNullable<(typeof servers)[0]>, NonNullable<(typeof servers)[0]>];
    for (let i = 0; i < 4; i++) expect((await call(a, fail('network'))).granted).toBe(true);
    await clock.advance(1);
    expect((await breaker(store))?.state ?? 'closed').toBe('closed');
    await call(a, fail('timeout'));
    await clock.advance(1);
    const doc = await breaker(store);
    expect(doc).toMatchObject({ state: 'open', history: [{ from: 'closed', to: 'open', by: 's0' }] });
    expect(doc?.history[0]?.reason).toMatch(/5 failures in a row/);
    expect(b.flow.claimBudget(0)).toMatchObject({ slots: 0, reason: 'breaker_open' });
    const refused = await b.flow.acquire(job('x'));
    expect(refused.granted).toBe(false);
    expect(!refused.granted && refused.retryAfterMs).toBeGreaterThan(9_000);
  });

  it('503s cut the local limit but never trip the breaker from one server; a fleet where all fails and nothing runs does', async () => {
    const { clock, store, servers, kit: k } = await fleet(2);
    const [a] = servers;
    const decisions = await Promise.all(Array.from({ length: 4 }, (_, i) => a!.flow.acquire(job(`b${i}`))));
    expect(decisions.every((d) => d.granted)).toBe(true);
    for (const d of decisions) if (d.granted) d.permit.complete(fail('overloaded'));
    // All four refused, none taken: the upstream is full without this server. It sends nothing
    // until a leader splits the fleet anew or its hold ends (here no leader: 3 s).
    expect(a!.flow.status()[0]?.limit).toBe(0);
    const failAgain = async () => {
      await clock.advanceUntil(() => a!.flow.claimBudget(0).slots > 0, 100);
      await call(a!, fail('overloaded'));
    };
    for (let i = 0; i < 8; i++) await failAgain();
    await clock.advance(1);
    expect((await breaker(store))?.state ?? 'closed').toBe('closed');
    // Still refused with nothing taken: it waits for a leader again.
    expect(a!.flow.status()[0]?.limit).toBe(0);
    // The leader sees overloads and no success for outageQuietMs with no call in flight: an
    // outage, not a busy upstream (which would be working on the calls it accepted).
    await k.lead(a!, 1);
    const started = clock.now();
    await k.heartbeatAll();
    await k.tick(a!, 1);
    for (;;) {
      await failAgain();
      await k.heartbeatAll();
      await k.tick(a!, 1);
      await clock.advance(1);
      if ((await breaker(store))?.state === 'open') break;
      if (clock.now() - started > 120_000) throw new Error('breaker never opened');
    }
    // Within seconds, not after a full 60 s window.
    const opened = (await breaker(store))!.history.find((t) => t.to === 'open')!;
    expect(opened.at - started).toBeLessThan(15_000);
    expect(opened.reason).toMatch(/\d+ failures and no success in the fleet for [\d.]+ s, no call in flight/);
  });

  it('the leader opens on an outage when the quiet time runs out, not at its next tick', async () => {
    const config: WorkerConfigInput = { ...BASE, upstream: { ...BASE.upstream, flowIntervalMs: 2_000 } };
    const { clock, store, servers, kit: k } = await fleet(2, config);
    const [a, b] = servers;
    await k.lead(a!, 1);
    // Everything refused, nothing taken, nothing running: five failures (the threshold).
    const decisions = await Promise.all(Array.from({ length: 4 }, (_, i) => a!.flow.acquire(job(`o${i}`))));
    for (const d of decisions) if (d.granted) d.permit.complete(fail('overloaded'));
    await call(b!, fail('overloaded'));
    const failedAt = clock.now();
    await k.heartbeatAll();
    // A tick 2.5 s in: quiet for 2.5 of the 3 s. The next tick would come at 4.5 s.
    await clock.advance(2_500);
    await k.tick(a!, 1);
    expect((await breaker(store))?.state ?? 'closed').toBe('closed');
    await clock.advanceUntil(async () => (await breaker(store))?.state === 'open', 50, 1_500);
    const opened = (await breaker(store))!.history.find((t) => t.to === 'open')!;
    expect(opened.at - failedAt).toBeGreaterThanOrEqual(3_000);
    expect(opened.at - failedAt).toBeLessThan(3_300);
    expect(opened.reason).toMatch(/5 failures and no success in the fleet/);
  });

  it('lets exactly one probe through the fleet, then closes on its success', async () => {
    const { clock, store, servers } = await fleet(3);
    for (let i = 0; i < 5; i++) await call(servers[0]!, fail('server'));
    await clock.advance(10_001);
    for (const s of servers) expect(s.flow.claimBudget(0)).toMatchObject({ slots: 1, reason: 'probe' });
    const decisions = await Promise.all(servers.map((s, i) => s.flow.acquire(job(`p${i}`))));
    const granted = decisions.filter((d) => d.granted);
    expect(granted).toHaveLength(1);
    const permit = (granted[0] as { permit: UpstreamPermit }).permit;
    expect(permit.isProbe).toBe(true);
    expect((await breaker(store))?.state).toBe('half_open');
    permit.complete(ok());
    await clock.advance(1);
    expect(await breaker(store)).toMatchObject({ state: 'closed', probe: null });
    for (const s of servers) expect(s.flow.claimBudget(0).slots).toBeGreaterThan(0);
  });

  it('a failed probe reopens with a doubled recovery time; a hung probe fails when its lease ends', async () => {
    const { clock, store, servers, kit: k } = await fleet(2);
    const [a] = servers;
    for (let i = 0; i < 5; i++) await call(a!, fail('timeout'));
    await clock.advance(10_001);
    await call(a!, fail('overloaded'));
    await clock.advance(1);
    const reopened = await breaker(store);
    expect(reopened).toMatchObject({ state: 'open', consecutiveFailures: 1 });
    expect((reopened?.nextProbeAt ?? 0) - (reopened?.since ?? 0)).toBe(20_000);
    // Next probe never reports back (the process died): the leader fails it after probeTimeoutMs.
    await clock.advance(20_001);
    const hung = await a!.flow.acquire(job('hung'));
    expect(hung.granted && hung.permit.isProbe).toBe(true);
    await k.lead(a!, 1);
    await clock.advance(5_001);
    await k.tick(a!, 1);
    expect(await breaker(store)).toMatchObject({ state: 'open', consecutiveFailures: 2, probe: null });
  });

  it('a probe whose holder stops heartbeating is released by the leader, and another server probes before its lease would end', async () => {
    const config: WorkerConfigInput = { ...BASE, circuitBreaker: { ...BASE.circuitBreaker, probeTimeoutMs: 120_000 } };
    const { clock, store, servers, kit: k } = await fleet(2, config);
    const [a, b] = servers as [NonNullable<(typeof servers)[0]>, NonNullable<(typeof servers)[0]>];
    for (let i = 0; i < 5; i++) await call(a, fail('timeout'));
    await clock.advance(10_001);
    // b takes the probe and then dies (no result, no more heartbeats); a stays live.
    const probe = await b.flow.acquire(job('probe'));
    expect(probe.granted && probe.permit.isProbe).toBe(true);
    await k.heartbeatAll();
    await k.lead(a, 1);
    await k.tick(a, 1);
    expect(await breaker(store)).toMatchObject({ state: 'half_open', probe: { holder: 's1' } });
    expect((await a.flow.acquire(job('waits'))).granted).toBe(false);
    // a keeps heartbeating; b's last heartbeat is older than serverTimeoutMs (5 s).
    for (let i = 0; i < 6; i++) {
      await clock.advance(1_000);
      await k.heartbeat(a);
    }
    await k.tick(a, 1);
    expect(await breaker(store)).toMatchObject({ state: 'half_open', probe: null, consecutiveFailures: 0 });
    // 6 s after b's probe began, not 120: a probes now.
    const next = await a.flow.acquire(job('next'));
    expect(next.granted && next.permit.isProbe).toBe(true);
    if (!next.granted) return;
    next.permit.complete(ok());
    await clock.advance(1);
    expect(await breaker(store)).toMatchObject({ state: 'closed' });
  });

  it('names as claim members only the servers whose slice can claim when the fleet limit is below the servers', async () => {
    const config: WorkerConfigInput = { ...BASE, upstream: { ...BASE.upstream, adaptive: { initialLimit: 1, minLimit: 1, maxLimit: 1 } } };
    const { servers, kit: k } = await fleet(3, config);
    await k.heartbeatAll();
    await k.lead(servers[0]!, 1);
    await k.tick(servers[0]!, 1);
    const budget = await kitBudget(k);
    const holders = Object.entries(budget.slices).filter(([, s]) => s.concurrency > 0).map(([id]) => id);
    expect(holders).toHaveLength(1);
    for (const s of servers) {
      expect(s.flow.members()).toHaveLength(3);
      expect(s.flow.claimMembers()).toEqual(holders);
    }
  });

  it('obeys a manual force-open at once and probes as soon as it is cleared', async () => {
    const { clock, store, servers } = await fleet(2);
    const plan = async (type: 'breaker.force_open' | 'breaker.clear_override') => {
      const current = await breaker(store);
      const result = planControl(
        { type, model: 'primary', reason: 'test' },
        { actor: { kind: 'admin', id: 'admin', email: null }, now: store.now(), docs: readDocsFrom([{ ref: { collection: 'breakers', id: 'primary' }, doc: current }]) },
      );
      if (!result.ok) throw result.error;
      await store.commit(result.plan.mutations);
      await clock.advance(1);
    };
    await plan('breaker.force_open');
    for (const s of servers) expect(s.flow.claimBudget(0)).toMatchObject({ slots: 0, reason: 'breaker_open' });
    await clock.advance(3_600_000);
    expect((await servers[1]!.flow.acquire(job('x'))).granted).toBe(false);
    await plan('breaker.clear_override');
    const probe = await servers[1]!.flow.acquire(job('y'));
    expect(probe.granted && probe.permit.isProbe).toBe(true);
  });

  it('routes fallback-eligible priorities to the fallback model while the primary is open', async () => {
    const { clock, servers } = await fleet(1, { ...BASE, upstream: { ...BASE.upstream, fallbackModel: 'backup', fallbackPriorities: ['urgent', 'high'] } });
    const [a] = servers;
    for (let i = 0; i < 5; i++) await call(a!, fail('network'));
    await clock.advance(1);
    const budget = a!.flow.claimBudget(0);
    expect(budget.priorities).toEqual(['urgent', 'high']);
    expect(budget.slots).toBeGreaterThan(0);
    const urgent = await a!.flow.acquire(job('u', 'urgent'));
    expect(urgent.granted && urgent.permit.model).toBe('backup');
    const low = await a!.flow.acquire(job('l', 'low'));
    expect(low).toMatchObject({ granted: false, reason: 'breaker open' });
    if (urgent.granted) urgent.permit.complete(ok());
    expect(a!.flow.report().backup?.successes).toBe(1);
  });
});

describe('leader: budget, adaptive limit and slices', () => {
  it('allocates the fleet limit to live servers and shrinks it on overload', async () => {
    const { clock, store, servers, kit: k } = await fleet(2);
    const [a, b] = servers as [NonNullable<(typeof servers)[0]>, NonNullable<(typeof servers)[0]>];
    await k.lead(a, 7);
    a.inFlight = 1;
    b.inFlight = 1;
    await k.heartbeatAll();
    await k.tick(a, 7);
    await clock.advance(1);
    const first = (await store.get('budgets', 'primary')).doc;
    expect(first).toMatchObject({ term: 7, servers: 2, adaptiveLimit: 4 });
    expect(Object.keys(first?.slices ?? {}).sort()).toEqual(['s0', 's1']);
    expect((first?.slices.s0?.concurrency ?? 0) + (first?.slices.s1?.concurrency ?? 0)).toBe(4);
    expect(a.flow.status()[0]?.slice.source).toBe('slice');
    // Healthy and busy: slow start grows the limit.
    a.inFlight = 4;
    b.inFlight = 4;
    for (let i = 0; i < 20; i++) await call(a, ok());
    await clock.advance(2_000);
    await k.heartbeatAll();
    await k.tick(a, 7);
    expect(k.servers[0]!.leader.limiterState('primary')?.limit).toBe(6);
    // b is refused with none of its calls taken: the fleet limit drops at once to where the
    // servers stopped (b nothing, a its slice), and b's slice follows its cut.
    const before = (await store.get('budgets', 'primary')).doc!;
    for (let i = 0; i < 3; i++) await call(b, ok());
    for (let i = 0; i < 3; i++) await call(b, fail('overloaded'));
    await clock.advance(2_000);
    await k.heartbeatAll();
    await k.tick(a, 7);
    await clock.advance(1);
    const after = (await store.get('budgets', 'primary')).doc!;
    expect(after.adaptiveLimit).toBe(before.slices.s0!.concurrency);
    expect(after.slices).toMatchObject({ s0: { concurrency: before.slices.s0!.concurrency }, s1: { concurrency: 0, cuts: 1 } });
    // The allocation knew b's cut: b's hold ends, at its slice.
    expect(b.flow.status()[0]).toMatchObject({ limit: 0, slice: { concurrency: 0 } });
  });

  it('opens the breaker from the fleet window when failures are spread thin', async () => {
    const { clock, store, servers, kit: k } = await fleet(3);
    await k.lead(servers[0]!, 1);
    await k.heartbeatAll();
    await k.tick(servers[0]!, 1);
    await clock.advance(30_000);
    for (const s of servers) for (let i = 0; i < 2; i++) await call(s, fail('server'));
    await k.heartbeatAll();
    await k.tick(servers[0]!, 1);
    await clock.advance(30_000);
    await k.heartbeatAll();
    await k.tick(servers[0]!, 1);
    await clock.advance(1);
    const doc = await breaker(store);
    expect(doc?.state).toBe('open');
    expect(doc?.history[0]?.reason).toMatch(/6 failures in the window without a success/);
  });

  it('a deposed leader writes nothing', async () => {
    const { clock, store, servers, kit: k } = await fleet(2);
    await k.lead(servers[1]!, 2);
    await k.heartbeatAll();
    await expect(k.tick(servers[0]!, 1)).rejects.toThrow(LeadershipLostError);
    // Run as a duty, the loss of leadership ends the run quietly.
    await servers[0]!.leader.duty().run({ term: 1, serverId: 's0', signal: new AbortController().signal });
    await clock.advance(1);
    expect((await store.get('budgets', 'primary')).doc).toBeNull();
  });

  it('spends a per-minute request budget through local buckets', async () => {
    const { clock, servers, kit: k } = await fleet(1, { ...BASE, upstream: { ...BASE.upstream, requestsPerMinute: 60, rateBurstSeconds: 2 } });
    const [a] = servers;
    await k.lead(a!, 1);
    await k.heartbeatAll();
    await k.tick(a!, 1);
    await clock.advance(1);
    expect(a!.flow.status()[0]?.slice).toMatchObject({ source: 'slice', requestsPerMinute: 60 });
    // A raised slice refills the bucket at the new rate; it does not hand out a burst at once.
    await clock.advance(2_000);
    expect((await call(a!, ok())).granted).toBe(true);
    expect((await call(a!, ok())).granted).toBe(true);
    const refused = await a!.flow.acquire(job('3'));
    expect(refused).toMatchObject({ granted: false, reason: 'budget' });
    expect(a!.flow.claimBudget(0)).toMatchObject({ slots: 0, reason: 'budget' });
    await clock.advance(1_000);
    expect((await call(a!, ok())).granted).toBe(true);
  });

  it('spaces calls out in time when the model still refuses at the minimum concurrency', async () => {
    const { clock, servers } = await fleet(1);
    const [a] = servers;
    // Refused while one call of its own runs: the upstream took one, the limit drops to it.
    const held = await a!.flow.acquire(job('running'));
    await call(a!, fail('overloaded'));
    if (held.granted) held.permit.complete(ok());
    expect(a!.flow.status()[0]?.limit).toBe(1);
    // Refused with nothing taken: no call until the hold ends (no leader here: 3 s), and at the
    // minimum the pause doubles from 250 ms; whichever is longer.
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = clock.now();
      await clock.advanceUntil(() => a!.flow.claimBudget(0).slots > 0, 10);
      waits.push(clock.now() - start);
      await call(a!, fail('overloaded'));
    }
    expect(waits).toEqual([0, 3_000, 3_000, 3_000, 3_000, 4_000]);
    await clock.advanceUntil(() => a!.flow.claimBudget(0).slots > 0, 10);
    expect((await call(a!, ok())).granted).toBe(true);
    expect(a!.flow.claimBudget(0).slots).toBeGreaterThan(0);
  });

  it('tells its claim loop when a hold that stopped it ends, with nobody asking in between', async () => {
    const { clock, servers } = await fleet(1);
    const [a] = servers;
    const held = await a!.flow.acquire(job('running'));
    await call(a!, fail('overloaded'));
    if (held.granted) held.permit.complete(ok());
    await call(a!, fail('overloaded'));
    // Refused with nothing taken: the claim loop finds no slot and goes to sleep until told.
    expect(a!.flow.claimBudget(0).slots).toBe(0);
    // The worker loop asks again only when told (as the worker's claim loop does); it must be
    // told when the hold ends (3 s with no leader here), not left asleep until some unrelated
    // document changes.
    let slots = 0;
    const off = a!.flow.onChange(() => {
      slots = a!.flow.claimBudget(0).slots;
    });
    const start = clock.now();
    await clock.advanceUntil(() => slots > 0, 10, 10_000);
    off();
    expect(clock.now() - start).toBeLessThanOrEqual(3_000);
  });

  it('pauses a model after a 429 with a retry delay', async () => {
    const { clock, servers } = await fleet(1);
    await call(servers[0]!, fail('quota', 3_000));
    expect(servers[0]!.flow.claimBudget(0)).toMatchObject({ slots: 0, reason: 'quota_pause' });
    await clock.advance(3_001);
    expect(servers[0]!.flow.claimBudget(0).slots).toBeGreaterThan(0);
  });

  it('an overload answer that came as late as a success is a failure, not a refusal: no cut', async () => {
    const { servers } = await fleet(1);
    const [a] = servers;
    for (let i = 0; i < 3; i++) await call(a!, ok(1_500));
    const before = a!.flow.status()[0]!.limit;
    // Served 1.4 s and then failed: the upstream had admitted it.
    await call(a!, { ok: false, errorClass: 'overloaded', latencyMs: 1_400, retryAfterMs: null });
    expect(a!.flow.status()[0]!.limit).toBe(before);
    expect(a!.flow.report().primary).toMatchObject({ failuresByClass: { overloaded: 1 }, lateOverloads: 1, cuts: 0 });
    // Refused in 5 ms: a refusal for capacity, which cuts.
    await call(a!, { ok: false, errorClass: 'overloaded', latencyMs: 5, retryAfterMs: null });
    expect(a!.flow.report().primary).toMatchObject({ lateOverloads: 1, cuts: 1 });
  });

  it('reports at once when work waits on a limit its last report read as unused, once per report', async () => {
    const { servers } = await fleet(1, { ...BASE, upstream: { ...BASE.upstream, adaptive: { initialLimit: 4, minLimit: 1, maxLimit: 32 } } });
    const [a] = servers;
    let due = 0;
    a!.flow.onReportDue(() => (due += 1));
    const settle = () => new Promise<void>((r) => queueMicrotask(r));
    a!.flow.report(); // a heartbeat while idle: in use 0 of 4
    const permits: UpstreamPermit[] = [];
    for (const id of ['1', '2', '3', '4']) {
      const d = await a!.flow.acquire(job(id));
      if (d.granted) permits.push(d.permit);
    }
    await settle();
    // Full, but nothing waits: a slot filled is not a limit that binds.
    expect(permits).toHaveLength(4);
    expect(due).toBe(0);
    // A fifth job waits for a permit while the leader reads this server idle: report now.
    expect(await a!.flow.acquire(job('5'))).toMatchObject({ granted: false, reason: 'at_limit' });
    await settle();
    expect(due).toBe(1);
    // Not twice before a report is written; a report that read it busy ends the matter...
    await a!.flow.acquire(job('6'));
    a!.flow.report();
    await a!.flow.acquire(job('7'));
    await settle();
    expect(due).toBe(1);
    // ...until a report reads it below 3/4 of its limit again and work waits once more.
    for (const p of permits.splice(0, 3)) p.complete(ok());
    a!.flow.report();
    for (const id of ['8', '9', '10']) {
      const d = await a!.flow.acquire(job(id));
      if (d.granted) permits.push(d.permit);
    }
    await settle();
    expect(due).toBe(1);
    await a!.flow.acquire(job('11'));
    await settle();
    expect(due).toBe(2);
  });

  it('reports at once when the fleet is cut while its last report shows calls that have ended', async () => {
    const { clock, servers, kit: k } = await fleet(2);
    const [a, b] = servers;
    await k.lead(a!, 1);
    await k.heartbeatAll();
    await k.tick(a!, 1);
    // b's report says two calls run; they end well after it.
    const running = [await b!.flow.acquire(job('b1')), await b!.flow.acquire(job('b2'))];
    await k.heartbeat(b!);
    for (const d of running) if (d.granted) d.permit.complete(ok());
    let due = 0;
    b!.flow.onReportDue(() => (due += 1));
    await clock.advance(100);
    expect(due).toBe(0);
    // a is refused while a call of its own runs: a cut, which the leader publishes.
    const held = await a!.flow.acquire(job('a1'));
    await call(a!, fail('overloaded'));
    if (held.granted) held.permit.complete(ok());
    await k.heartbeat(a!);
    const limitBefore = (await kitBudget(k)).adaptiveLimit;
    await k.tick(a!, 1);
    expect((await kitBudget(k)).adaptiveLimit).toBeLessThan(limitBefore);
    // b learns of the cut and writes its report now, not at its next heartbeat.
    await clock.advanceUntil(() => due > 0, 10, 1_000);
    expect(due).toBe(1);
  });

  it('claims one job ahead and hands it the next permit the moment a call ends', async () => {
    const { clock, servers } = await fleet(1, { ...BASE, upstream: { ...BASE.upstream, adaptive: { initialLimit: 2, minLimit: 1, maxLimit: 32 } } });
    const [a] = servers;
    // Limit 2: two calls and one job waiting for a permit.
    expect(a!.flow.claimBudget(0).slots).toBe(3);
    const first = await a!.flow.acquire(job('one'), { wait: true });
    const second = await a!.flow.acquire(job('two'), { wait: true });
    expect(first.granted && second.granted).toBe(true);
    expect(a!.flow.claimBudget(2).slots).toBe(1);
    let third: PermitDecision | null = null;
    void a!.flow.acquire(job('three'), { wait: true }).then((d) => (third = d));
    await clock.advance(1_000);
    expect(third).toBeNull();
    if (first.granted) first.permit.complete(ok());
    await clock.advance(0);
    expect(third).toMatchObject({ granted: true });
    // Without wait (or past the wait) a full server refuses as before.
    expect(await a!.flow.acquire(job('four'))).toMatchObject({ granted: false, reason: 'at_limit' });
    const abort = new AbortController();
    let fifth: PermitDecision | null = null;
    void a!.flow.acquire(job('five'), { wait: true, signal: abort.signal }).then((d) => (fifth = d));
    await clock.advance(100);
    abort.abort();
    await clock.advance(0);
    expect(fifth).toMatchObject({ granted: false, reason: 'aborted' });
    let sixth: PermitDecision | null = null;
    void a!.flow.acquire(job('six'), { wait: true }).then((d) => (sixth = d));
    await clock.advance(10_000);
    expect(sixth).toMatchObject({ granted: false, reason: 'at_limit' });
  });
});


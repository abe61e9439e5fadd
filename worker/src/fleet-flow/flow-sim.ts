import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import { decideFailure } from '../core/jobs/retry-policy.js';
import { seededRandom } from '../core/ids.js';
import type { WorkerConfigInput } from '../schema/config.js';
import type { ErrorClass } from '../schema/job.js';
import type { UpstreamOutcome } from '../ports/flow-control.js';
import { FakeClock } from '../testing/fake-clock.js';
import { startFleetKit, type KitServer } from './test-kit.js';

/**
 * The fleet's flow control in fake time: the real `FleetFlowControl` of each server and the
 * real `FlowLeader` on a shared memory store, a backlog of jobs claimed and retried as the
 * worker does (busy answers wait a jittered backoff, refusals wait what the permit said), and
 * an upstream that serves `capacity` calls at once (a schedule may move it) and answers the
 * rest 503 or 429 at once. Heartbeats and leader ticks run on their configured cadence;
 * claiming and reporting take a fixed store latency. Minutes of a drain run in a second, so
 * the limiter's design can be judged on the bench's scenarios before the bench's real
 * processes confirm it. What it leaves out: Firestore's latency spread, listener lag beyond
 * the store latency, and CPU.
 */
export interface FlowSimOptions {
  servers: number;
  slotsPerServer: number;
  jobs: number;
  /** Capacity (concurrent calls) from time 0, and later steps (ms after the release). */
  capacity: number;
  capacitySchedule?: readonly { atMs: number; capacity: number }[];
  serviceMs: number;
  /** Answer to over-capacity calls: 503, 429 (with `retryDelayMs`), or a seeded mix. */
  overload: '503' | '429' | 'mixed';
  retryDelayMs?: number;
  /** A steady share of served calls answered 503 after the service time. */
  errorRate?: number;
  /** The upstream admits this many calls per sliding minute, 429 with RetryInfo beyond (0: none). */
  quotaPerMinute?: number;
  /** One store round trip (claim, release, heartbeat), ms. */
  storeLatencyMs?: number;
  seed?: number;
  config?: WorkerConfigInput;
  /**
   * Fake time the fleet runs before the backlog is released (heartbeats, leader ticks), as the
   * bench's fleet has allocated slices by the time it releases its paused backlog. Default 6 s
   * plus a seeded share of a heartbeat interval: the real release falls anywhere between two
   * heartbeats and two leader ticks, and a fixed phase would judge one lucky (or unlucky) case.
   */
  warmupMs?: number;
  trace?: (line: string) => void;
  /** Stop after this much fake time even if jobs remain. */
  maxMs?: number;
}

export interface FlowSimCall {
  at: number;
  end: number;
  ok: boolean;
  status: 200 | 429 | 503;
}

export interface FlowSimResult {
  succeeded: number;
  deadLettered: number;
  drainMs: number;
  calls: number;
  rejections: number;
  errorAnswers: number;
  /** (calls - successes) / successes */
  wastedPerSuccess: number;
  /** Successes / (release -> last success) over the capacity rate (or its integral). */
  goodputShare: number;
  peakConcurrent: number;
  /** The fleet limit the leader published, sampled at each change. */
  fleetLimits: { at: number; limit: number }[];
  log: FlowSimCall[];
}

interface SimJob {
  id: string;
  availableAt: number;
  busySince: number | null;
  busyAnswers: number;
  attempts: number;
}

/** The upstream answers a call it refuses (503/429 for capacity or quota) this fast, as the bench's fake does. */
const REFUSAL_MS = 2;

export async function simulateFlow(options: FlowSimOptions): Promise<FlowSimResult> {
  const clock = new FakeClock();
  const db = new MemoryDatabase();
  const random = seededRandom(options.seed ?? 1);
  const stores = Array.from({ length: options.servers }, () => new MemoryStore({ clock, shared: db, prefix: 'sim_' }));
  const input: WorkerConfigInput = {
    ...options.config,
    maxConcurrentRequests: options.slotsPerServer,
    upstream: { model: 'sim-model', ...options.config?.upstream },
  };
  const kit = await startFleetKit({ stores, clock, config: input });
  const config = kit.config;
  const latency = options.storeLatencyMs ?? 20;
  let start = clock.now();
  const capacityAt = (t: number): number => {
    let c = options.capacity;
    for (const step of [...(options.capacitySchedule ?? [])].sort((a, b) => a.atMs - b.atMs)) if (t - start >= step.atMs) c = step.capacity;
    return c;
  };
  const queue: SimJob[] = Array.from({ length: options.jobs }, (_, i) => ({ id: `j${i}`, availableAt: start, busySince: null, busyAnswers: 0, attempts: 0 }));
  let active = 0;
  let peak = 0;
  let succeeded = 0;
  let deadLettered = 0;
  let lastSuccess = start;
  const log: FlowSimCall[] = [];
  const fleetLimits: { at: number; limit: number }[] = [];
  const inFlight = new Map<KitServer, number>();
  const pumping = new Set<KitServer>();
  let done = false;
  let released = false;

  const admitted: number[] = [];
  const upstream = (): { outcome: UpstreamOutcome; durationMs: number; status: 200 | 429 | 503 } => {
    const now = clock.now();
    if (options.quotaPerMinute) {
      while (admitted.length > 0 && admitted[0]! <= now - 60_000) admitted.shift();
      if (admitted.length >= options.quotaPerMinute) {
        const retryAfterMs = admitted[0]! + 60_000 - now;
        return { outcome: { ok: false, errorClass: 'quota', latencyMs: REFUSAL_MS, retryAfterMs }, durationMs: REFUSAL_MS, status: 429 };
      }
      admitted.push(now);
    }
    if (active >= capacityAt(now)) {
      const answer429 = options.overload === '429' || (options.overload === 'mixed' && random() < 0.5);
      return answer429
        ? { outcome: { ok: false, errorClass: 'quota', latencyMs: REFUSAL_MS, retryAfterMs: options.retryDelayMs ?? 1_000 }, durationMs: REFUSAL_MS, status: 429 }
        : { outcome: { ok: false, errorClass: 'overloaded', latencyMs: REFUSAL_MS, retryAfterMs: null }, durationMs: REFUSAL_MS, status: 503 };
    }
    if (options.errorRate && random() < options.errorRate) {
      return { outcome: { ok: false, errorClass: 'overloaded', latencyMs: options.serviceMs, retryAfterMs: null }, durationMs: options.serviceMs, status: 503 };
    }
    return { outcome: { ok: true, latencyMs: options.serviceMs, audioSeconds: 1, tokens: null }, durationMs: options.serviceMs, status: 200 };
  };

  const requeue = (job: SimJob, at: number): void => {
    job.availableAt = at;
    queue.push(job);
    clock.setTimer(() => pumpAll(), Math.max(0, at - clock.now()));
  };

  // As the worker counts it (FlowControl.claimBudget): claimed and not done with the call.
  const callDone = (server: KitServer): void => {
    inFlight.set(server, (inFlight.get(server) ?? 1) - 1);
    server.inFlight = inFlight.get(server) ?? 0;
    void pump(server);
  };
  const runJob = async (server: KitServer, job: SimJob): Promise<void> => {
    await clock.sleep(latency); // the claim
    const decision = await server.flow.acquire({ id: job.id, priority: 'normal', model: null, audioSeconds: 1 }, { wait: true });
    if (!decision.granted) {
      callDone(server);
      await clock.sleep(latency); // the release
      requeue(job, clock.now() + decision.retryAfterMs);
      return;
    }
    const answer = upstream();
    const at = clock.now();
    // Refusals take no slot at the upstream; served calls (errors included) hold one.
    const counted = answer.durationMs > REFUSAL_MS;
    if (counted) active += 1;
    peak = Math.max(peak, active);
    await clock.sleep(answer.durationMs);
    if (counted) active -= 1;
    log.push({ at, end: clock.now(), ok: answer.outcome.ok, status: answer.status });
    decision.permit.complete(answer.outcome);
    callDone(server);
    await clock.sleep(latency); // the outcome's write
    if (answer.outcome.ok) {
      succeeded += 1;
      lastSuccess = Math.max(lastSuccess, at + answer.durationMs);
      return;
    }
    job.attempts += 1;
    const failure = answer.outcome as Extract<UpstreamOutcome, { ok: false }>;
    const next = decideFailure({
      errorClass: failure.errorClass as ErrorClass,
      attempts: job.attempts,
      maxAttempts: config.maxAttempts,
      retryAfterMs: failure.retryAfterMs,
      now: clock.now(),
      backoff: config.backoff,
      random,
      busy: { since: job.busySince, answers: job.busyAnswers, budgetMs: config.busyBudgetMs },
    });
    if (next.kind !== 'retry') {
      deadLettered += 1;
      return;
    }
    if (next.charge !== 'attempt') job.attempts -= 1;
    job.busySince = next.busySince;
    job.busyAnswers = next.busyAnswers;
    requeue(job, next.availableAt);
  };

  const pump = async (server: KitServer): Promise<void> => {
    if (pumping.has(server) || done || !released) return;
    pumping.add(server);
    try {
      for (;;) {
        const mine = inFlight.get(server) ?? 0;
        const budget = server.flow.claimBudget(mine);
        if (budget.slots <= 0) return;
        const now = clock.now();
        queue.sort((a, b) => a.availableAt - b.availableAt);
        const index = queue.findIndex((j) => j.availableAt <= now);
        if (index < 0) return;
        const [job] = queue.splice(index, 1) as [SimJob];
        inFlight.set(server, mine + 1);
        server.inFlight = mine + 1;
        void runJob(server, job);
      }
    } finally {
      pumping.delete(server);
    }
  };
  const pumpAll = (): void => {
    for (const s of kit.servers) void pump(s);
  };

  // Heartbeats as the server registry writes them: early reports at most one a second,
  // deferred to the end of that second, never dropped.
  const lastWrite = new Map<KitServer, number>();
  const pendingEarly = new Set<KitServer>();
  const beat = async (s: KitServer): Promise<void> => {
    lastWrite.set(s, clock.now());
    pendingEarly.delete(s);
    await kit.heartbeat(s);
  };
  const early = (s: KitServer): void => {
    const wait = (lastWrite.get(s) ?? -Infinity) + 1_000 - clock.now();
    if (wait <= 0) return void beat(s);
    if (pendingEarly.has(s)) return;
    pendingEarly.add(s);
    clock.setTimer(() => {
      if (pendingEarly.has(s)) void beat(s);
    }, wait);
  };
  for (const s of kit.servers) {
    s.flow.onChange(() => void pump(s));
    s.flow.onReportDue?.(() => early(s));
  }
  const leader = kit.servers[0]!;
  await kit.lead(leader, 1);
  await kit.heartbeatAll();
  const every = (ms: number, fn: () => Promise<void> | void): void => {
    const tick = (): void => {
      if (done) return;
      void fn();
      clock.setTimer(tick, ms);
    };
    clock.setTimer(tick, ms);
  };
  for (const s of kit.servers) every(config.serverCoordination.heartbeatIntervalMs, () => beat(s));
  every(config.upstream.flowIntervalMs, async () => {
    await kit.tick(leader, 1);
    const budget = (await stores[0]!.get('budgets', 'sim-model')).doc;
    const limit = budget?.adaptiveLimit ?? null;
    if (options.trace && released) {
      const st = budget?.limiterState as Record<string, unknown> | undefined;
      const caps = kit.servers.map((s) => `${s.flow.status()[0]?.limit}/${s.flow.status()[0]?.slice.concurrency}`).join(' ');
      const docs = await Promise.all(kit.servers.map(async (s) => (await stores[0]!.get('servers', s.id)).doc));
      const reps = docs.map((d) => `${d?.upstream['sim-model']?.calls}c${d?.upstream['sim-model']?.failuresByClass.overloaded ?? 0}o${d?.upstream['sim-model']?.failuresByClass.quota ?? 0}q${d?.upstream['sim-model']?.lateOverloads ?? 0}l/${d?.budget['sim-model']?.concurrency}@${d ? ((d.heartbeatAt - start) / 1000).toFixed(1) : '-'}`).join(' ');
      options.trace(`${((clock.now() - start) / 1000).toFixed(1)}s L=${limit} ${String(st?.lastReason)} at=${String(st?.overloadAt)} caps ${caps} active ${active} reports ${reps}`);
    }
    if (limit !== null && fleetLimits.at(-1)?.limit !== limit) fleetLimits.push({ at: clock.now() - start, limit });
  });
  await clock.advance(options.warmupMs ?? 6_000 + Math.floor(random() * config.serverCoordination.heartbeatIntervalMs));
  start = clock.now();
  released = true;
  for (const j of queue) j.availableAt = start;
  // A steady claim poll, as the claim loop's listener and timers give the real worker.
  every(250, () => pumpAll());
  pumpAll();
  const maxMs = options.maxMs ?? 3_600_000;
  while (succeeded + deadLettered < options.jobs && clock.now() - start < maxMs) await clock.advance(100);
  done = true;
  await kit.close();

  const drainMs = lastSuccess - start;
  const successes = log.filter((c) => c.ok).length;
  const rejections = log.filter((c) => !c.ok && c.end - c.at <= REFUSAL_MS).length;
  // Capacity integral over the drain: the jobs the upstream could have finished in that time.
  let integral = 0;
  for (let t = start; t < lastSuccess; t += 100) integral += (capacityAt(t) * 100) / options.serviceMs;
  const healthy = 1 - (options.errorRate ?? 0);
  return {
    succeeded,
    deadLettered,
    drainMs,
    calls: log.length,
    rejections,
    errorAnswers: log.length - successes - rejections,
    wastedPerSuccess: successes > 0 ? (log.length - successes) / successes : Infinity,
    goodputShare: integral > 0 ? successes / (integral * healthy) : 0,
    peakConcurrent: peak,
    fleetLimits,
    log,
  };
}

const BENCH_FLEET = { servers: 3, slotsPerServer: 8, serviceMs: 1_500, overload: 'mixed' } as const;

/** The bench's flow-control scenarios (bench/scenarios: overload, capacity-step, error-rate), as simulations. */
export const SIM_SCENARIOS = {
  overload: { ...BENCH_FLEET, jobs: 120, capacity: 4, config: { maxAttempts: 10 } },
  step: {
    ...BENCH_FLEET,
    jobs: 200,
    capacity: 6,
    capacitySchedule: [
      { atMs: 20_000, capacity: 2 },
      { atMs: 50_000, capacity: 6 },
    ],
    config: { maxAttempts: 10 },
  },
  'error-rate-10': { ...BENCH_FLEET, jobs: 120, capacity: 4, errorRate: 0.1, config: { maxAttempts: 5 } },
  'error-rate-30': { ...BENCH_FLEET, jobs: 120, capacity: 4, errorRate: 0.3, config: { maxAttempts: 5 } },
  // The quota scenario: 60 calls a sliding minute, no concurrency limit; told the quota or not.
  'quota-configured': { ...BENCH_FLEET, jobs: 240, capacity: 1_000, quotaPerMinute: 60, config: { maxAttempts: 5, upstream: { requestsPerMinute: 60 } } },
  'quota-unconfigured': { ...BENCH_FLEET, jobs: 240, capacity: 1_000, quotaPerMinute: 60, config: { maxAttempts: 5 } },
} satisfies Record<string, FlowSimOptions>;

import type { WorkerConfig } from '../schema/config.js';
import type { BudgetSlice, UpstreamWindow } from '../schema/coordination.js';
import type { BreakerDoc, BudgetDoc } from '../schema/flow.js';
import type { Priority } from '../schema/job.js';
import {
  adjustBucket,
  bucketRoom,
  extendsStreak,
  isCounted,
  localOverload,
  localStart,
  IN_USE_SHARE,
  localSuccess,
  localTripReason,
  recordOutcome,
  takeFromBucket,
  toUpstreamWindow,
  type ProbeResult,
} from '../core/flow-policy/index.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { AcquireOptions, ClaimBudget, FlowControl, FlowJob, PermitDecision, UpstreamOutcome } from '../ports/flow-control.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import type { DocStore } from '../ports/store.js';
import { finishProbe, takeProbe, tripOpen } from './breaker-ops.js';
import { ModelFlow, type EffectiveSlice } from './model-flow.js';
import { chooseRoute } from './routing.js';
import { DocWatcher } from './doc-watcher.js';

export interface FleetFlowOptions {
  store: DocStore;
  serverId: string;
  config: WorkerConfig;
  /** Local clock for timers; decisions use the store's clock. */
  clock: Clock;
  logger?: Logger;
}

export interface ModelFlowStatus {
  model: string;
  breaker: BreakerDoc['state'];
  override: BreakerDoc['override'];
  limit: number;
  inUse: number;
  probing: boolean;
  slice: EffectiveSlice;
  fleetLimit: number | null;
}

/** How long a refused permit should wait at least before the job is offered again. */
const MIN_RETRY_MS = 100;
/** A 429's retry delay pauses this server's calls to the model for at most this long. */
const MAX_QUOTA_PAUSE_MS = 60_000;
/** First pause after an overload answer at the minimum concurrency. */
const OVERLOAD_PAUSE_BASE_MS = 250;
/**
 * Jobs a server claims beyond its concurrency, waiting in `acquire` for the next free permit:
 * when a call ends, the next one starts at once instead of after an outcome write and a claim
 * (tens of ms per call on Firestore, a few per cent of an upstream's capacity). One is enough:
 * permits free one at a time.
 */
const PREFETCH = 1;
/** A claimed job waits this long at most for a permit before it goes back to the queue. */
const MAX_PERMIT_WAIT_MS = 10_000;

/**
 * Flow control for one server of the fleet, cooperating only through Firestore:
 * - the shared circuit breaker per model (`transcription_circuit_breaker/{model}`), read by a
 *   listener (manual overrides apply at once), written only on transitions: a local failure
 *   streak trips it, exactly one fenced probe per fleet tests recovery;
 * - the global budget (`transcription_budgets/{model}`): this server spends the slice the
 *   leader allocated it (concurrency, requests and tokens per minute) through local token
 *   buckets and a local AIMD limiter that reacts to 503/429 between leader ticks;
 * - fallback routing for the priorities that allow it while the primary breaker is open.
 * Per job it writes nothing: outcomes go into the heartbeat via `report()`.
 */
export class FleetFlowControl implements FlowControl {
  private readonly models = new Map<string, ModelFlow>();
  private readonly listeners = new Set<() => void>();
  private readonly watchers = new Map<string, DocWatcher[]>();
  private readonly background = new Set<Promise<unknown>>();
  private wake: { at: number; timer: TimerHandle } | null = null;
  private running = false;
  private readonly log: Logger;

  constructor(private readonly options: FleetFlowOptions) {
    this.log = (options.logger ?? silentLogger).child({ component: 'flow' });
  }

  private get config(): WorkerConfig {
    return this.options.config;
  }

  private now(): number {
    return this.options.store.now();
  }

  /** The local state of `model`, watching its documents from the first use on. */
  private flow(model: string): ModelFlow {
    let flow = this.models.get(model);
    if (!flow) {
      flow = new ModelFlow(model, this.options.serverId, this.config, this.now());
      this.models.set(model, flow);
      if (this.running) void this.watch(flow);
    }
    return flow;
  }

  private async watch(flow: ModelFlow): Promise<void> {
    const { store, clock } = this.options;
    const breaker = new DocWatcher(store, clock, 'breakers', flow.model, this.log, (doc) => {
      const grewOrMoved = flow.setBreaker(doc as BreakerDoc | null, this.now());
      if (grewOrMoved || doc === null || (doc as BreakerDoc).state === 'closed') this.notify();
    });
    const budget = new DocWatcher(store, clock, 'budgets', flow.model, this.log, (doc) => {
      const members = `${this.members()?.join(',')}|${this.claimMembers()?.join(',')}`;
      const limitBefore = flow.budget?.adaptiveLimit ?? null;
      const grew = flow.refreshSlice(this.now(), doc as BudgetDoc | null);
      // The fleet was cut while this server's last report still shows calls that have ended
      // since: the leader judges an outage only when every report says nothing is in flight,
      // and would wait for this server's next heartbeat (up to 5 s) to learn it. One report per
      // cut, from the servers whose count moved.
      const limitAfter = (doc as BudgetDoc | null)?.adaptiveLimit ?? null;
      if (limitBefore !== null && limitAfter !== null && limitAfter < limitBefore && flow.reportedInUse > flow.inUse) this.reportNow();
      // New members move claim shards (see the claim loop): wake it as for a grown slice.
      if (grew || `${this.members()?.join(',')}|${this.claimMembers()?.join(',')}` !== members) this.notify();
    });
    this.watchers.set(flow.model, [breaker, budget]);
    await Promise.all([breaker.ready, budget.ready]);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const models = [this.config.upstream.model, this.config.upstream.fallbackModel].filter((m): m is string => !!m);
    const ready = models.map((m) => {
      const flow = this.models.get(m) ?? this.flow(m);
      return this.watchers.has(m) ? Promise.resolve() : this.watch(flow);
    });
    // Wait for the first snapshots (a breaker open at startup must hold from the first claim),
    // but never hang a start on a slow store.
    const guard = new AbortController();
    await Promise.race([Promise.all(ready), this.options.clock.sleep(5_000, guard.signal).catch(() => undefined)]);
    guard.abort();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const ws of this.watchers.values()) for (const w of ws) w.close();
    this.watchers.clear();
    this.wake?.timer.cancel();
    this.wake = null;
    await Promise.allSettled([...this.background]);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly reportListeners = new Set<() => void>();

  /** Asks to write this server's report (its heartbeat) now: it holds news the leader needs. */
  onReportDue(listener: () => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  private reportQueued = false;

  /**
   * Asks for the report once the code that made the news has finished its synchronous part:
   * a permit is granted inside the worker's job start, before the worker counts the job as in
   * flight, and a report written at once said "0 in flight" while filling the limit.
   */
  private reportNow(): void {
    if (this.reportQueued) return;
    this.reportQueued = true;
    queueMicrotask(() => {
      this.reportQueued = false;
      for (const listener of [...this.reportListeners]) {
        try {
          listener();
        } catch (error) {
          this.log.warn({ err: error }, 'report listener failed');
        }
      }
    });
  }


  private notify(): void {
    const freed = this.freed;
    this.freed = null;
    freed?.resolve();
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.log.warn({ err: error }, 'flow change listener failed');
      }
    }
  }

  /** Wake the worker loop at `at` (store time), e.g. when a probe falls due or a bucket refills. */
  private wakeAt(at: number): void {
    if (!this.running) return;
    const now = this.now();
    if (this.wake && this.wake.at <= at && this.wake.at > now) return;
    this.wake?.timer.cancel();
    const timer = this.options.clock.setTimer(() => {
      this.wake = null;
      this.notify();
    }, Math.max(MIN_RETRY_MS, at - now));
    this.wake = { at, timer };
  }

  private track<T>(work: Promise<T>, what: string): void {
    const p = work.catch((error: unknown) => this.log.warn({ err: error }, `${what} failed`));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private totalInUse(): number {
    let n = 0;
    for (const f of this.models.values()) n += f.inUse;
    return n;
  }

  claimBudget(inFlight: number): ClaimBudget {
    const now = this.now();
    for (const f of this.models.values()) f.refreshSlice(now);
    const primary = this.flow(this.config.upstream.model);
    const fallbackModel = this.config.upstream.fallbackModel;
    const route = chooseRoute(now, primary, fallbackModel ? this.flow(fallbackModel) : null, this.config);
    if (route.kind === 'blocked') {
      this.wakeAt(now + route.retryAfterMs);
      return { slots: 0, priorities: [], reason: route.reason };
    }
    const flow = route.flow;
    if (now < flow.pauseUntil) {
      this.wakeAt(flow.pauseUntil);
      return { slots: 0, priorities: [], reason: flow.pauseReason };
    }
    const room = Math.max(0, this.config.maxConcurrentRequests - inFlight);
    const limit = Math.min(this.config.maxConcurrentRequests, flow.limit());
    let slots = route.probe ? Math.min(1, room) : Math.max(0, limit + (limit > 0 ? PREFETCH : 0) - inFlight);
    const rateRoom = Math.min(bucketRoom(flow.requests, now, 1), bucketRoom(flow.tokens, now, flow.estimateTokens(null)));
    if (rateRoom < slots) {
      slots = Math.floor(rateRoom);
      if (slots === 0) {
        const wait = takeFromBucket(flow.requests, now, 1);
        const waitTokens = takeFromBucket(flow.tokens, now, flow.estimateTokens(null));
        this.wakeAt(now + Math.max(wait.ok ? 0 : wait.waitMs, waitTokens.ok ? 0 : waitTokens.waitMs));
        return { slots: 0, priorities: [], reason: 'budget' };
      }
    }
    if (slots === 0) {
      const holdEnds = flow.holdEndsAt();
      if (holdEnds !== null) this.wakeAt(holdEnds);
    }
    return { slots, priorities: route.priorities, reason: slots === 0 ? 'at_limit' : route.probe ? 'probe' : null };
  }

  /**
   * A permit for `job`, waiting up to MAX_PERMIT_WAIT_MS while this server is at its limit
   * (the prefetched job: see PREFETCH); any other refusal answers at once.
   */
  async acquire(job: FlowJob, options: AcquireOptions = {}): Promise<PermitDecision> {
    const { signal } = options;
    const deadline = this.now() + (options.wait ? MAX_PERMIT_WAIT_MS : 0);
    for (;;) {
      if (signal?.aborted) return this.refuse('aborted', MIN_RETRY_MS);
      const freed = this.nextFreed();
      const decision = await this.acquireOnce(job);
      if (decision.granted || decision.reason !== 'at_limit' || this.now() >= deadline || !this.running) return decision;
      if (signal?.aborted) return decision;
      const wake = new AbortController();
      const onAbort = () => wake.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      await Promise.race([freed, this.options.clock.sleep(Math.max(1, deadline - this.now()), wake.signal).catch(() => undefined)]);
      wake.abort();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private freed: { promise: Promise<void>; resolve: () => void } | null = null;

  /** Settles when a permit frees or the limits may have moved (see notify). */
  private nextFreed(): Promise<void> {
    if (!this.freed) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      this.freed = { promise, resolve };
    }
    return this.freed.promise;
  }

  private async acquireOnce(job: FlowJob): Promise<PermitDecision> {
    const now = this.now();
    const primaryModel = this.config.upstream.model;
    const requested = job.model ?? primaryModel;
    const primary = this.flow(requested);
    primary.refreshSlice(now);
    const gate = primary.gate(now);
    if (gate.allow === 'all') return this.normal(primary, job, now);
    if (gate.allow === 'probe' && !primary.probing) {
      const probe = await this.tryProbe(primary, job);
      if (probe.granted) return probe;
    }
    const fallback = requested === primaryModel ? this.fallbackFor(job.priority) : null;
    if (fallback) {
      fallback.refreshSlice(now);
      const g = fallback.gate(now);
      if (g.allow === 'all') return this.normal(fallback, job, now, primaryModel);
      if (g.allow === 'probe' && !fallback.probing) {
        const probe = await this.tryProbe(fallback, job);
        if (probe.granted) return probe;
      }
    }
    const refreshed = primary.gate(this.now());
    const retryAfterMs = refreshed.allow === 'none' ? refreshed.retryAfterMs : this.config.circuitBreaker.recoveryTimeMs / 10;
    const wait = Math.min(Math.max(MIN_RETRY_MS, retryAfterMs), this.config.circuitBreaker.recoveryTimeMs);
    this.wakeAt(this.now() + wait);
    return { granted: false, retryAfterMs: wait, reason: refreshed.allow === 'none' ? refreshed.reason : 'probe_taken' };
  }

  private fallbackFor(priority: Priority): ModelFlow | null {
    const { fallbackModel, fallbackPriorities, model } = this.config.upstream;
    if (!fallbackModel || fallbackModel === model || !fallbackPriorities.includes(priority)) return null;
    return this.flow(fallbackModel);
  }

  /**
   * A job waits for a permit this server's limit withholds. The leader grows the fleet's limit
   * only while the servers' reports show it in use (IN_USE_SHARE): a report that read this
   * server idle (written before a backlog arrived, or before a raise) would hold that growth
   * until the next heartbeat, seconds later, so the server reports now. Only when the limit
   * binds (work is waiting, not merely a slot filled) and at most once per report written: a
   * lightly loaded fleet whose servers fill and empty a slot between heartbeats adds no writes.
   */
  private limitBinds(flow: ModelFlow): void {
    if (flow.reportedInUse >= IN_USE_SHARE * flow.limit()) return;
    this.log.debug({ model: flow.model, inUse: flow.inUse, reported: flow.reportedInUse }, 'limit binds: report now');
    flow.reportedInUse = flow.inUse;
    this.reportNow();
  }

  private refuse(reason: string, retryAfterMs: number): PermitDecision {
    return { granted: false, retryAfterMs: Math.max(MIN_RETRY_MS, Math.ceil(retryAfterMs)), reason };
  }

  private normal(flow: ModelFlow, job: FlowJob, now: number, primaryModel?: string): PermitDecision {
    if (now < flow.pauseUntil) return this.refuse(flow.pauseReason, flow.pauseUntil - now);
    if (flow.inUse >= flow.limit() || this.totalInUse() >= this.config.maxConcurrentRequests) {
      this.limitBinds(flow);
      return this.refuse('at_limit', 250);
    }
    const cost = flow.estimateTokens(job.audioSeconds);
    const requests = takeFromBucket(flow.requests, now, 1);
    if (!requests.ok) return this.refuse('budget', requests.waitMs);
    const tokens = takeFromBucket(flow.tokens, now, cost);
    if (!tokens.ok) return this.refuse('budget', tokens.waitMs);
    flow.requests = requests.bucket;
    flow.tokens = tokens.bucket;
    if (primaryModel) this.log.debug({ jobId: job.id, from: primaryModel, to: flow.model }, 'fallback route');
    return this.grant(flow, cost, null);
  }

  private async tryProbe(flow: ModelFlow, job: FlowJob): Promise<PermitDecision> {
    flow.probing = true;
    try {
      const result = await takeProbe(this.options.store, flow.model, this.options.serverId, this.config.circuitBreaker);
      flow.setBreaker(result.doc, this.now());
      if (result.grant) {
        const cost = flow.estimateTokens(job.audioSeconds);
        const now = this.now();
        // The probe is one call: it spends budget but is never held back by it.
        flow.requests = takeFromBucket(flow.requests, now, 1).bucket;
        flow.tokens = takeFromBucket(flow.tokens, now, cost).bucket;
        this.log.info({ model: flow.model, token: result.grant.token, jobId: job.id }, 'half-open probe');
        return this.grant(flow, cost, result.grant.token);
      }
      flow.probing = false;
      return this.refuse('probe_taken', result.retryAfterMs);
    } catch (error) {
      flow.probing = false;
      this.log.warn({ err: error, model: flow.model }, 'probe acquisition failed');
      return this.refuse('breaker_unavailable', 1_000);
    }
  }

  private grant(flow: ModelFlow, cost: number, probeToken: number | null): PermitDecision {
    flow.inUse += 1;
    const started = localStart(flow.limiter);
    flow.limiter = started.state;
    let done = false;
    return {
      granted: true,
      permit: {
        model: flow.model,
        isProbe: probeToken !== null,
        complete: (outcome: UpstreamOutcome) => {
          if (done) return;
          done = true;
          this.complete(flow, outcome, started.seq, cost, probeToken);
        },
      },
    };
  }

  private complete(flow: ModelFlow, outcome: UpstreamOutcome, seq: number, cost: number, probeToken: number | null): void {
    const now = this.now();
    const cb = this.config.circuitBreaker;
    flow.inUse = Math.max(0, flow.inUse - 1);
    flow.rollWindow(now);
    const refused = !outcome.ok && (outcome.errorClass === 'overloaded' || outcome.errorClass === 'quota');
    // An overload answer that came only after the upstream served the call about as long as a
    // success takes was admitted and failed in service: our concurrency did not refuse it (a
    // refusal for capacity is decided at admission, in milliseconds). It is a failure, not a
    // signal to send less; otherwise a steady share of such errors cuts the limit to its minimum.
    const late = refused && flow.isLateAnswer(outcome.latencyMs);
    const overload = refused && !late;
    if (outcome.ok) flow.noteSuccessLatency(outcome.latencyMs);
    flow.outcomes = recordOutcome(
      flow.outcomes,
      outcome.ok
        ? { ok: true, latencyMs: outcome.latencyMs, audioSeconds: outcome.audioSeconds, tokens: outcome.tokens, at: now }
        : { ok: false, errorClass: outcome.errorClass, latencyMs: outcome.latencyMs, at: now, late },
      {
        breaker: cb,
        assumeAudioSeconds: this.config.fairScheduling.defaultAudioSeconds,
        estimateTokens: (s) => flow.estimateTokens(s),
      },
    );
    // Enough failures with no success to be outage evidence: report now, not at the next
    // heartbeat, so the leader can open the breaker within a flow tick (core/flow-policy/outage).
    if (!outcome.ok && flow.outcomes.failingCount === cb.failureThreshold) this.reportNow();
    if (outcome.ok) {
      flow.limiter = localSuccess(flow.limiter, seq);
      flow.overloadsAtMinimum = 0;
      if (outcome.tokens !== null) flow.tokens = adjustBucket(flow.tokens, now, outcome.tokens - cost);
    } else if (overload) {
      const atMinimum = flow.limit() <= this.config.upstream.adaptive.minLimit;
      const noise = flow.budget?.overloadNoise ?? 0;
      const before = flow.limiter;
      // flow.inUse no longer counts this call: the others in flight are what the upstream took.
      flow.limiter = localOverload(before, seq, this.config.upstream.adaptive, noise, flow.inUse, now);
      // A cut the leader must know before its next allocation (see localCeiling): report now.
      // (The server registry spaces early reports a second apart and never drops one.)
      if ((flow.limiter.cuts ?? 0) !== (before.cuts ?? 0)) this.reportNow();
      // Under a learned noise floor, a refusal the floor explains is no reason to slow down.
      const beyondNoise = noise === 0 || flow.limiter.cutSeq !== before.cutSeq;
      if (outcome.errorClass === 'quota' && outcome.retryAfterMs && flow.inUse === 0) {
        // Refused with nothing of ours running: the upstream wants none of our calls until
        // then. With calls of ours still running it is taking some: the cut above found the
        // level, and pausing the whole server would leave the slots of its finishing calls idle.
        this.pause(flow, 'quota_pause', now + Math.min(outcome.retryAfterMs, MAX_QUOTA_PAUSE_MS));
      } else if (atMinimum && beyondNoise) {
        // Concurrency cannot go lower, yet the model still refuses: space the calls out in
        // time instead (doubling up to the breaker's recovery time), or a fast 503 turns one
        // slot into a stream of wasted calls. A success ends it.
        flow.overloadsAtMinimum += 1;
        const delay = Math.min(this.config.circuitBreaker.recoveryTimeMs, OVERLOAD_PAUSE_BASE_MS * 2 ** Math.min(flow.overloadsAtMinimum - 1, 20));
        this.pause(flow, 'overload_pause', now + delay);
      }
    }
    if (probeToken !== null) {
      const result: ProbeResult = outcome.ok
        ? { kind: 'success' }
        : isCounted(outcome.errorClass, cb)
          ? { kind: 'failure', errorClass: outcome.errorClass }
          : { kind: 'inconclusive', errorClass: outcome.errorClass };
      this.track(
        finishProbe(this.options.store, flow.model, probeToken, result, this.options.serverId, cb)
          .then((step) => {
            if (step.changed) flow.setBreaker(step.doc, this.now());
            this.log.info({ model: flow.model, result: result.kind, state: step.doc.state }, 'probe finished');
          })
          .finally(() => {
            flow.probing = false;
            this.notify();
          }),
        'probe result',
      );
    } else if (!outcome.ok && extendsStreak(outcome.errorClass, cb)) {
      this.maybeTrip(flow, now);
    }
    this.notify();
  }

  private pause(flow: ModelFlow, reason: ModelFlow['pauseReason'], until: number): void {
    if (until <= flow.pauseUntil) return;
    flow.pauseUntil = until;
    flow.pauseReason = reason;
    this.wakeAt(until);
  }

  /** A streak of failures on this server alone proves an outage: open the shared breaker now. */
  private maybeTrip(flow: ModelFlow, now: number): void {
    const doc = flow.breaker;
    if (flow.tripping || (doc && (doc.override !== null || doc.state !== 'closed'))) return;
    const reason = localTripReason(flow.outcomes, this.config.circuitBreaker);
    if (!reason) return;
    flow.tripping = true;
    this.track(
      tripOpen(this.options.store, flow.model, reason, this.options.serverId, this.config.circuitBreaker, {
        failuresByClass: { ...flow.outcomes.streak },
        since: flow.outcomes.failingSince,
      })
        .then((step) => {
          if (step.changed) {
            flow.setBreaker(step.doc, now);
            this.log.warn({ model: flow.model, reason }, 'breaker opened by this server');
          }
        })
        .finally(() => {
          flow.tripping = false;
          this.notify();
        }),
      'breaker trip',
    );
  }

  report(): Record<string, UpstreamWindow> {
    const now = this.now();
    const out: Record<string, UpstreamWindow> = {};
    for (const flow of this.models.values()) {
      flow.rollWindow(now);
      flow.reportedInUse = flow.inUse;
      if (flow.outcomes.calls > 0 || flow.model === this.config.upstream.model) {
        out[flow.model] = { ...toUpstreamWindow(flow.outcomes, flow.inUse), cuts: flow.limiter.cuts ?? 0, found: flow.limiter.held ? (flow.limiter.found ?? null) : null };
      }
    }
    return out;
  }

  members(): readonly string[] | null {
    const budget = this.models.get(this.config.upstream.model)?.budget ?? null;
    if (!budget || (budget.slicesExpireAt !== null && budget.slicesExpireAt <= this.now())) return null;
    const ids = Object.keys(budget.slices);
    return ids.length > 0 ? ids : null;
  }

  /**
   * The members that can claim now: those whose slice of the routed model's concurrency is
   * above 0. With a fleet limit below the number of servers (cut to 1 by an overload, say),
   * the claim shards split among all members left a job in a shard whose listeners had no
   * slot while the one server with a slot listened elsewhere: the job waited for the
   * orphan check (up to 10 s), once for minutes. Null, or every member, when unknown.
   */
  claimMembers(): readonly string[] | null {
    const all = this.members();
    if (!all) return null;
    const now = this.now();
    const primary = this.flow(this.config.upstream.model);
    const fallbackModel = this.config.upstream.fallbackModel;
    const route = chooseRoute(now, primary, fallbackModel ? this.flow(fallbackModel) : null, this.config);
    if (route.kind === 'blocked' || route.probe) return all;
    const budget = route.flow.budget;
    if (!budget || (budget.slicesExpireAt !== null && budget.slicesExpireAt <= now)) return all;
    const holders = all.filter((id) => (budget.slices[id]?.concurrency ?? 0) > 0);
    return holders.length > 0 ? holders : all;
  }

  /** This server's budget slices, for the `budget` field of its heartbeat document. */
  slices(): Record<string, BudgetSlice> {
    return Object.fromEntries([...this.models.values()].map((f) => [f.model, f.heartbeatSlice()]));
  }

  status(): ModelFlowStatus[] {
    return [...this.models.values()].map((f) => ({
      model: f.model,
      breaker: f.breaker?.state ?? 'closed',
      override: f.breaker?.override ?? null,
      limit: f.limit(),
      inUse: f.inUse,
      probing: f.probing,
      slice: f.slice(),
      fleetLimit: f.budget?.adaptiveLimit ?? null,
    }));
  }
}

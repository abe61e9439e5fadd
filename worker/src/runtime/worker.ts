import { hostname } from 'node:os';
import { resolveConfig, type WorkerConfig, type WorkerConfigInput } from '../schema/config.js';
import { cryptoRandom, opaqueServerId, type RandomSource } from '../core/ids.js';
import { resolveRateLimitTier } from '../core/flow-policy/rate-limit.js';
import { systemClock, type Clock, type TimerHandle } from '../ports/clock.js';
import type { FlowControl, LeaderDuty } from '../ports/flow-control.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { queryOf, type DocStore, type Unsubscribe } from '../ports/store.js';
import { QUERIES } from '../schema/queries.js';
import type { Transcriber } from '../ports/transcriber.js';
import type { EngineContext } from '../engine/context.js';
import { AnalyticsRecorder } from '../engine/analytics/recorder.js';
import { RollupMerger } from '../engine/analytics/merger.js';
import { StatsRefresher } from '../engine/analytics/stats.js';
import { PositionRefresher } from '../engine/queue-positions.js';
import { BulkWatcher } from '../engine/bulk-carrier.js';
import { Admission } from '../engine/admission.js';
import { JobLeases, type ClaimedJob } from '../engine/job-leases.js';
import { LeaderElector, type LeadershipState } from '../engine/leader-elector.js';
import { queueLeaderDuties } from '../engine/leader-duties.js';
import { StraySubmissionSweep } from '../engine/unreadable-submissions.js';
import { Maintenance } from '../engine/maintenance.js';
import { listenResilient } from '../engine/resilient-listen.js';
import { ServerRegistry, type ServerIdentity } from '../engine/server-registry.js';
import { StaticFlowControl } from '../engine/static-flow-control.js';
import { AlertMonitor } from '../engine/alerts/alert-monitor.js';
import { WebhookAlertSink } from '../adapters/alerts/webhook-sink.js';
import type { AlertSink } from '../ports/alerts.js';
import { ClaimLoop } from './claim-loop.js';
import { JobRunner, type RunningJob } from './job-runner.js';
import { StopReason, type WorkerObserver } from './observer.js';
import { SubmissionAdmitter } from './submission-admitter.js';

export const WORKER_VERSION = '0.1.0';

export interface WorkerOptions {
  store: DocStore;
  transcriber: Transcriber;
  config?: WorkerConfig | WorkerConfigInput;
  /** Defaults to the static limit of `maxConcurrentRequests` on the configured model. */
  flowControl?: FlowControl;
  serverId?: string;
  clock?: Clock;
  random?: RandomSource;
  log?: Logger;
  /** Extra leader duties (flow control's budget allocation, ...). */
  duties?: readonly LeaderDuty[];
  identity?: Partial<ServerIdentity>;
  observer?: WorkerObserver;
  /** Admit client-written submissions (default true). */
  admitSubmissions?: boolean;
  /** Spread of the rendezvous delay for client admissions (ms). */
  admissionSpreadMs?: number;
  /** Interval of the safety sweep that re-pumps and reclaims while idle (ms). */
  sweepIntervalMs?: number;
  /** Where alert messages go; default: POSTs to `alerts.webhooks` (none configured: the console's feed only). */
  alertSink?: AlertSink;
}

export interface WorkerStatus {
  serverId: string;
  state: 'starting' | 'running' | 'draining' | 'stopped';
  inFlight: number;
  jobsCompleted: number;
  jobsFailed: number;
  leadership: LeadershipState;
  pausedPriorities: readonly string[];
  /**
   * An operator drained this server (`server.drain`): it claims nothing, its document says
   * `draining` (with 0 in flight once its jobs are done) until `server.resume`.
   */
  drained?: boolean;
}

/**
 * One worker process's queue engine: registers the server, elects a leader, admits client
 * submissions, claims and runs jobs up to its flow-control budget, and shuts down
 * gracefully (stop claiming, finish or release in-flight jobs, resign, deregister).
 */
export class QueueWorker {
  readonly ctx: EngineContext;
  readonly leases: JobLeases;
  readonly admission: Admission;
  readonly maintenance: Maintenance;
  readonly elector: LeaderElector;
  readonly flow: FlowControl;
  private readonly registry: ServerRegistry;
  private readonly claimLoop: ClaimLoop;
  private readonly runner: JobRunner;
  private readonly admitter: SubmissionAdmitter | null;
  private readonly analytics: AnalyticsRecorder;
  private readonly alerts: AlertMonitor;
  /** Carries out operators' bulk controls ("apply to all matching"), one at a time. */
  private readonly bulk: BulkWatcher;
  private readonly running = new Map<string, RunningJob>();
  /** Running jobs whose upstream call is over (writing their outcome). */
  private readonly settling = new Set<string>();
  private readonly promoteTimers = new Map<string, TimerHandle>();
  private cancelUnsub: Unsubscribe | null = null;
  private sweepTimer: TimerHandle | null = null;
  private drainGraceTimer: TimerHandle | null = null;
  private flowUnsub: (() => void) | null = null;
  private reportUnsub: (() => void) | null = null;
  private state: WorkerStatus['state'] = 'starting';
  private completed = 0;
  private failed = 0;
  private lastOpportunistic = 0;

  constructor(private readonly options: WorkerOptions) {
    const config = resolveConfig(options.config as WorkerConfigInput);
    // Refuse a rate-limit configuration the limiter cannot honour at start, not per admission.
    for (const tier of ['default', ...Object.keys(config.rateLimiting.tiers)]) resolveRateLimitTier(config.rateLimiting, tier);
    const clock = options.clock ?? systemClock;
    const serverId = options.serverId ?? opaqueServerId();
    const log = (options.log ?? silentLogger).child({ serverId });
    this.analytics = new AnalyticsRecorder({
      store: options.store,
      clock,
      serverId,
      log,
      // Partials are flushed on the maintenance cadence (bounded), never per job.
      flushIntervalMs: Math.min(10_000, Math.max(1_000, config.serverCoordination.maintenanceIntervalMs)),
    });
    this.ctx = { store: options.store, clock, config, serverId, random: options.random ?? cryptoRandom, log, analytics: this.analytics };
    const observer = options.observer ?? {};
    this.flow =
      options.flowControl ??
      new StaticFlowControl({ maxConcurrentRequests: config.maxConcurrentRequests, model: config.upstream.model, now: () => clock.now() });
    this.leases = new JobLeases(this.ctx);
    this.admission = new Admission(this.ctx, { onDeferred: (id, deferredUntil) => this.promoteWhenDue(id, deferredUntil) });
    this.maintenance = new Maintenance(this.ctx);
    const merger = new RollupMerger(this.ctx);
    const stats = new StatsRefresher(
      this.ctx,
      () => {
        const s = this.elector.current;
        return { id: s.isLeader ? serverId : s.holder, term: s.term };
      },
      { recent: (minutes) => merger.recent(minutes) },
    );
    const alertConfig = config.alerts;
    this.alerts = new AlertMonitor(this.ctx, {
      stats: () => stats.latest,
      takeover: () => this.elector.takeover,
      sink:
        options.alertSink ??
        new WebhookAlertSink({ webhooks: alertConfig.webhooks, ...alertConfig.delivery, clock, log: log.child({ component: 'alerts' }) }),
    });
    this.elector = new LeaderElector(this.ctx, [
      ...queueLeaderDuties(this.ctx, {
        maintenance: this.maintenance,
        merger,
        stats,
        positions: new PositionRefresher(this.ctx, () => stats.latest),
        submissions: new StraySubmissionSweep(this.ctx),
        alerts: this.alerts,
      }),
      ...(options.duties ?? []),
    ]);
    this.elector.onChange((s) => observer.leadership?.(s.isLeader, s.term));
    this.elector.onChange((s) => this.alerts.leadership(s));
    this.runner = new JobRunner({
      ctx: this.ctx,
      leases: this.leases,
      flow: this.flow,
      transcriber: options.transcriber,
      observer: {
        ...observer,
        finished: (id, status) => {
          if (status === 'succeeded') this.completed += 1;
          else if (status === 'failed' || status === 'dead_lettered') this.failed += 1;
          observer.finished?.(id, status);
        },
      },
      onWaiting: (id, availableAt) => this.schedulePromote(id, availableAt),
      onCallDone: (id) => {
        if (this.running.has(id)) this.settling.add(id);
        // Its permit is free: the claim loop may take the next job now, not after the write.
        this.claimLoop.pump();
      },
    });
    this.claimLoop = new ClaimLoop({
      ctx: this.ctx,
      leases: this.leases,
      flow: this.flow,
      observer,
      // Jobs writing their outcome hold no upstream call (see FlowControl.claimBudget).
      inFlight: () => this.running.size - this.settling.size,
      startJob: (claimed) => this.startJob(claimed),
      onDrainChange: (drained) => this.onDrainChange(drained),
    });
    this.admitter =
      options.admitSubmissions === false
        ? null
        : new SubmissionAdmitter(this.ctx, this.admission, options.admissionSpreadMs, () => this.flow.members?.() ?? null);
    this.bulk = new BulkWatcher(this.ctx);
    this.registry = new ServerRegistry(
      this.ctx,
      {
        hostname: options.identity?.hostname ?? hostname(),
        pid: options.identity?.pid ?? process.pid,
        version: options.identity?.version ?? WORKER_VERSION,
        ...(options.identity?.labels ? { labels: options.identity.labels } : {}),
      },
      () => ({
        inFlight: this.running.size,
        concurrencyLimit: this.flow.claimBudget(0).slots,
        maxConcurrency: config.maxConcurrentRequests,
        jobsCompleted: this.completed,
        jobsFailed: this.failed,
        upstream: this.flow.report(),
        budget: this.flow.slices(),
      }),
    );
  }

  get serverId(): string {
    return this.ctx.serverId;
  }

  status(): WorkerStatus {
    return {
      serverId: this.ctx.serverId,
      state: this.state,
      inFlight: this.running.size,
      jobsCompleted: this.completed,
      jobsFailed: this.failed,
      leadership: this.elector.current,
      pausedPriorities: this.claimLoop.pausedNow,
      drained: this.claimLoop.drainedNow,
    };
  }

  async start(): Promise<void> {
    const { ctx } = this;
    await this.registry.register();
    await this.flow.start();
    this.analytics.start();
    if (ctx.config.serverCoordination.leaderElectionEnabled) this.elector.start();
    this.flowUnsub = this.flow.onChange(() => this.claimLoop.pump());
    this.reportUnsub = this.flow.onReportDue?.(() => this.registry.reportNow()) ?? null;
    this.cancelUnsub = listenResilient(
      ctx.store,
      queryOf(QUERIES.cancelRequestsHeldBy, { 'lease.owner': ctx.serverId, cancelRequest: null }),
      (snapshot) => {
        for (const d of snapshot.docs) {
          this.running.get(d.id)?.controller.abort(new StopReason('cancel', 'cancel requested'));
        }
      },
      { clock: ctx.clock, log: ctx.log, what: 'cancel requests' },
    );
    this.claimLoop.start();
    this.admitter?.start();
    this.bulk.start();
    this.scheduleSweep();
    this.state = 'running';
    ctx.log.info({ concurrency: ctx.config.maxConcurrentRequests, store: ctx.store.name }, 'worker started');
  }

  private startJob(claimed: ClaimedJob): void {
    const first = this.running.size === 0;
    const job = this.runner.start(claimed, (done) => {
      this.running.delete(done.id);
      this.settling.delete(done.id);
      // Drained and now empty: say so at once (the console shows the server drained).
      if (this.running.size === 0 && this.claimLoop.drainedNow) this.registry.reportNow();
      this.claimLoop.pump();
    });
    this.running.set(claimed.id, job);
    // Holding a job: leave the slow idle heartbeat cadence now, not at the next beat.
    if (first) this.registry.heartbeatSoon();
  }

  /**
   * Promotes a `waiting` job this process made (a job the rate limit deferred, admitted here
   * or by a `createQueue` in this process) when it is due, instead of at the leader's next
   * pass over due jobs (which stays the fallback). Ignored once the worker stops.
   */
  promoteWhenDue(jobId: string, availableAt: number): void {
    if (this.state === 'starting' || this.state === 'running') this.schedulePromote(jobId, availableAt);
  }

  private schedulePromote(jobId: string, availableAt: number): void {
    this.promoteTimers.get(jobId)?.cancel();
    const delay = Math.max(0, availableAt - this.ctx.store.now()) + 10;
    this.promoteTimers.set(
      jobId,
      this.ctx.clock.setTimer(() => {
        this.promoteTimers.delete(jobId);
        this.maintenance.promote(jobId).catch((error: unknown) => this.ctx.log.debug({ jobId, err: error }, 'local promote failed'));
      }, delay),
    );
  }

  /**
   * The queue controls drained or resumed this server. Drained: the claim loop has already
   * stopped claiming; the document says `draining` at once; running jobs finish, and those
   * still running after `serverCoordination.drainGraceMs` are released (attempt refunded) for
   * other servers. The server stays registered and `draining` (with 0 in flight once done):
   * there is no `drained` state, so every judge of liveness and capacity (the flow leader
   * allocates to `active` servers only) reads it as it reads a server shutting down, only
   * without the end. Resumed: `active` again, and the claim loop claims again.
   */
  private onDrainChange(drained: boolean): void {
    if (this.state !== 'running') return;
    const { ctx } = this;
    this.drainGraceTimer?.cancel();
    this.drainGraceTimer = null;
    if (drained) {
      const graceMs = ctx.config.serverCoordination.drainGraceMs;
      ctx.log.info({ inFlight: this.running.size, graceMs }, 'server drained by an operator: no new claims');
      this.drainGraceTimer = ctx.clock.setTimer(() => {
        this.drainGraceTimer = null;
        if (!this.claimLoop.drainedNow || this.running.size === 0) return;
        ctx.log.warn({ jobs: [...this.running.keys()] }, 'drain grace over: releasing running jobs');
        for (const r of this.running.values()) r.controller.abort(new StopReason('shutdown', 'server drained'));
      }, graceMs);
    } else {
      ctx.log.info({ inFlight: this.running.size }, 'server resumed by an operator: claiming again');
    }
    this.registry.setDrained(drained).catch((error: unknown) => ctx.log.warn({ err: error }, 'drain state write failed; the next heartbeat carries it'));
  }

  /**
   * Safety sweep: listeners drive the worker, this only covers what they cannot see. It
   * re-pumps, and when idle it reclaims expired leases and promotes due retries itself
   * (opportunistic maintenance, so a fleet without a live leader still makes progress).
   */
  private scheduleSweep(): void {
    const every = this.options.sweepIntervalMs ?? Math.max(1_000, this.ctx.config.lease.durationMs);
    this.sweepTimer = this.ctx.clock.setTimer(() => {
      void this.sweep().finally(() => {
        if (this.state === 'running') this.scheduleSweep();
      });
    }, every);
  }

  private async sweep(): Promise<void> {
    this.claimLoop.pump();
    const idle = this.running.size < this.ctx.config.maxConcurrentRequests && !this.claimLoop.hasCandidates;
    const now = this.ctx.store.now();
    // A quiet fleet (the leader's lease says so) has nothing to reclaim or promote.
    if (!idle || this.elector.current.isLeader || this.elector.current.fleetIdle || now - this.lastOpportunistic < this.ctx.config.lease.durationMs) return;
    this.lastOpportunistic = now;
    try {
      await this.maintenance.reclaimExpiredLeases(10);
      await this.maintenance.promoteDue(20);
    } catch (error) {
      this.ctx.log.debug({ err: error }, 'opportunistic maintenance failed');
    }
  }

  /**
   * Graceful shutdown: stop claiming and admitting at once, let in-flight jobs finish within
   * `graceMs`, then abort the rest and release their leases (the attempt is refunded), resign
   * leadership, flush analytics and mark the server stopped.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return;
    const { ctx } = this;
    this.state = 'draining';
    ctx.log.info({ inFlight: this.running.size }, 'worker draining');
    this.claimLoop.stop();
    this.admitter?.stop();
    const bulkStopped = this.bulk.stop().catch((error: unknown) => ctx.log.warn({ err: error }, 'bulk carrier stop failed'));
    this.sweepTimer?.cancel();
    this.drainGraceTimer?.cancel();
    this.drainGraceTimer = null;
    this.flowUnsub?.();
    this.reportUnsub?.();
    this.reportUnsub = null;
    await this.registry.drain().catch(() => undefined);
    const graceMs = options.graceMs ?? 10_000;
    const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
    if (this.running.size > 0) {
      const grace = new AbortController();
      await Promise.race([all(), ctx.clock.sleep(graceMs, grace.signal).catch(() => undefined)]);
      grace.abort();
      for (const r of this.running.values()) r.controller.abort(new StopReason('shutdown', 'worker shutting down'));
      await all();
    }
    this.cancelUnsub?.();
    await bulkStopped;
    for (const t of this.promoteTimers.values()) t.cancel();
    this.promoteTimers.clear();
    await this.elector.stop();
    await this.flow.stop().catch(() => undefined);
    await this.analytics.stop().catch((error: unknown) => ctx.log.warn({ err: error }, 'final analytics flush failed'));
    await this.registry.deregister().catch((error: unknown) => ctx.log.warn({ err: error }, 'deregistration failed'));
    // The last live server says so: nobody else would (see AlertMonitor.onShutdown). Last, and
    // with a short deadline, so a slow webhook cannot hold up the writes above.
    await this.alerts.onShutdown({ deadlineMs: 1_000 }).catch((error: unknown) => ctx.log.warn({ err: error }, 'no-live-server alert failed'));
    this.state = 'stopped';
    ctx.log.info({ completed: this.completed }, 'worker stopped');
  }
}

export async function startWorker(options: WorkerOptions): Promise<QueueWorker> {
  const worker = new QueueWorker(options);
  await worker.start();
  return worker;
}

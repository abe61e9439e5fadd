import type { AlertEventDoc, AlertKind, AlertStateDoc } from '../../schema/alerts.js';
import type { QueueStatsDoc } from '../../schema/analytics.js';
import type { BreakerDoc } from '../../schema/flow.js';
import type { BulkControlDoc } from '../../schema/bulk.js';
import { SINGLETON_IDS } from '../../schema/names.js';
import { QUERIES } from '../../schema/queries.js';
import { newDocumentId } from '../../core/ids.js';
import { isServerStale } from '../../core/coordination/server-liveness.js';
import {
  addCountSample,
  alertText,
  breakerObservations,
  bulkFailedObservations,
  deadLetterObservation,
  lastServerStoppedObservation,
  noLiveServerObservation,
  planAlerts,
  queueStalledObservation,
  slackMessage,
  type AlertObservation,
  type CountSample,
  type PlannedAlertEvent,
} from '../../core/alerts/index.js';
import type { AlertSink } from '../../ports/alerts.js';
import { at, guardFor, queryOf, type DocVersion } from '../../ports/store.js';
import type { EngineContext } from '../context.js';
import { listenResilient } from '../resilient-listen.js';
import type { LeaderTakeover } from '../leader-elector.js';

export interface AlertMonitorDeps {
  /** The stats document this leader last wrote (null before its first stats run). */
  stats: () => QueueStatsDoc | null;
  takeover: () => LeaderTakeover | null;
  /** Where messages go; null or no targets: the feed only. */
  sink: AlertSink | null;
}

/** Expired feed events are swept at most this often (one query of one read when there are none). */
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_LIMIT = 100;

/**
 * The leader's alerting (a leader duty, see `leader-duties`). Inputs are what the leader
 * already keeps, so an evaluation costs no read:
 * - breakers: a listener on the breaker documents (one per model), held for the whole term
 *   (`leadership`), which evaluates on every state change, so an opening is sent at once, also
 *   while the fleet is idle and the duty timers sleep;
 * - the stats document this leader last wrote (dead-letter count, oldest queued job);
 * - the lease it took over (a gap means no server was alive, see `noLiveServerObservation`);
 * - the bulk controls the fleet gave up on: a listener on those in state `failed`, held for
 *   the term like the breakers' (empty, and so silent, while none failed).
 * The alerts firing live in `transcription_alert_state/current` (read once per term, then
 * cached); each message is written together with it under its version guard, so two leaders
 * that overlap for a moment cannot both send one. Delivery follows the write, in order, and
 * its outcome is patched onto the feed event; it never fails the duty.
 *
 * Dead-letter growth is measured from this leader's own samples: a new leader starts a new
 * baseline (growth across a change of leader is seen one window later at most, or not at all
 * if it stopped).
 */
export class AlertMonitor {
  private term = 0;
  private termAbort: AbortController | null = null;
  private breakers: Map<string, BreakerDoc> | null = null;
  /** The bulk controls in state `failed` (null: the listener has not answered yet this term). */
  private failedBulk: { id: string; doc: BulkControlDoc }[] | null = null;
  private failedBulkIds: string | null = null;
  /** Model=state of the last snapshot evaluated (null: none yet this term). */
  private breakerStates: string | null = null;
  private state: { doc: AlertStateDoc | null; version: DocVersion | null } | null = null;
  private samples: CountSample[] = [];
  private takeoverReported = -1;
  private evaluating: Promise<void> = Promise.resolve();
  private delivering: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  /** Operators' e-mails by uid, from the audit entries breaker controls name (one read per control). */
  private readonly people = new Map<string, string>();
  private readonly auditsRead = new Set<string>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: AlertMonitorDeps,
  ) {}

  get enabled(): boolean {
    return this.ctx.config.alerts.enabled;
  }

  /**
   * Follows this server's leadership (`LeaderElector.onChange`): a new term starts the
   * breaker listener and a fresh view; losing it stops them. (Not on the duty's first run:
   * a leader that finds the fleet idle puts its duties on the slow idle cadence at once.)
   */
  leadership(state: { isLeader: boolean; term: number }): void {
    if (!this.enabled) return;
    if (state.isLeader && (this.term !== state.term || !this.termAbort)) this.beginTerm(state.term);
    else if (!state.isLeader) this.endTerm();
  }

  /** The duty's run: evaluate now (and sweep expired feed events, hourly). */
  async run({ term, signal }: { term: number; signal: AbortSignal }): Promise<void> {
    if (!this.enabled || signal.aborted) return;
    if (term !== this.term || !this.termAbort) this.beginTerm(term);
    await this.evaluate(this.termAbort!.signal);
    await this.prune(signal);
  }

  /** Settles when every message recorded so far has been delivered (or failed). */
  settled(): Promise<void> {
    return this.evaluating.then(() => this.delivering);
  }

  private beginTerm(term: number): void {
    this.endTerm();
    const abort = new AbortController();
    const { signal } = abort;
    this.termAbort = abort;
    this.term = term;
    this.state = null;
    this.breakers = null;
    this.breakerStates = null;
    this.failedBulk = null;
    this.failedBulkIds = null;
    this.samples = [];
    const { ctx } = this;
    const unlisten = listenResilient(
      ctx.store,
      queryOf(QUERIES.allBreakers, {}),
      (snapshot) => {
        if (signal.aborted) return;
        this.breakers = new Map(snapshot.docs.map((d) => [d.id, d.data]));
        const states = snapshot.docs.map((d) => `${d.id}=${d.data.state}`).sort().join(',');
        if (states === this.breakerStates) return;
        this.breakerStates = states;
        void this.evaluate(signal);
      },
      { clock: ctx.clock, log: ctx.log, what: 'alerts: breakers' },
    );
    signal.addEventListener('abort', unlisten, { once: true });
    // Failed bulk controls: a listener on an empty result while none failed (one read a term).
    const unlistenBulk = listenResilient(
      ctx.store,
      queryOf(QUERIES.bulkControlsInStates, { state: ['failed'] }),
      (snapshot) => {
        if (signal.aborted) return;
        this.failedBulk = snapshot.docs.map((d) => ({ id: d.id, doc: d.data }));
        const ids = snapshot.docs.map((d) => d.id).sort().join(',');
        if (ids === this.failedBulkIds) return;
        this.failedBulkIds = ids;
        void this.evaluate(signal);
      },
      { clock: ctx.clock, log: ctx.log, what: 'alerts: failed bulk controls' },
    );
    signal.addEventListener('abort', unlistenBulk, { once: true });
  }

  private endTerm(): void {
    this.termAbort?.abort();
    this.termAbort = null;
  }

  /** One evaluation at a time (the duty and the breaker listener both ask for them). */
  private evaluate(signal: AbortSignal): Promise<void> {
    this.evaluating = this.evaluating
      .then(() => this.evaluateNow(signal))
      .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'alert evaluation failed'));
    return this.evaluating;
  }

  private async evaluateNow(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const { ctx } = this;
    const config = ctx.config.alerts;
    const now = ctx.store.now();
    const observations: AlertObservation[] = [];
    const evaluated = new Set<AlertKind>();
    const add = (o: AlertObservation | null, kind: AlertKind) => {
      if (!o) return;
      observations.push(o);
      evaluated.add(kind);
    };
    if (this.breakers) {
      const breakers = [...this.breakers.values()];
      await this.learnOperators(breakers);
      const { model, fallbackModel, fallbackPriorities } = ctx.config.upstream;
      const who = (id: string) => this.people.get(id) ?? id;
      observations.push(...breakerObservations(breakers, { who, route: { primary: model, fallbackModel, fallbackPriorities } }));
      evaluated.add('breaker_open');
    }
    if (this.failedBulk) {
      observations.push(...bulkFailedObservations(this.failedBulk));
      evaluated.add('bulk_control_failed');
    }
    const stats = this.deps.stats();
    if (stats) {
      this.samples = addCountSample(this.samples, { at: stats.at, count: stats.byStatus.dead_lettered }, config.deadLetters.windowMs);
      add(deadLetterObservation(this.samples, now, config.deadLetters), 'dead_letters_growing');
      add(
        queueStalledObservation({ oldestQueuedAt: stats.oldestQueuedAt, queued: stats.byStatus.queued, paused: stats.paused || stats.pausedPriorities.length > 0 }, now, config.oldestQueued),
        'queue_stalled',
      );
    }
    const takeover = this.deps.takeover();
    const fresh = takeover && takeover.term === this.term && this.takeoverReported !== this.term ? takeover : null;
    add(noLiveServerObservation({ serverId: ctx.serverId, takeover: fresh }, config.noLiveServer), 'no_live_server');
    if (await this.record(observations, evaluated, now, this.term)) this.takeoverReported = this.term;
  }

  /**
   * A breaker an operator changed names the control's audit entry, which has their e-mail: a
   * message says who, not which uid. Read once per control; a failed read leaves the uid.
   */
  private async learnOperators(breakers: readonly BreakerDoc[]): Promise<void> {
    for (const b of breakers) {
      const id = b.controlAudit?.id;
      if (!id || this.auditsRead.has(id)) continue;
      if (this.auditsRead.size >= 500) this.auditsRead.clear();
      this.auditsRead.add(id);
      try {
        const entry = (await this.ctx.store.get('audit', id)).doc;
        if (entry?.actor.email) this.people.set(entry.actor.id, entry.actor.email);
      } catch (error) {
        this.ctx.log.debug({ err: error, auditId: id }, 'could not read the audit entry of a breaker control');
      }
    }
  }

  /**
   * Plans against the alerts firing, writes the messages with the state under its version
   * guard, then hands them to delivery. False: another writer got there first (re-read next time).
   */
  private async record(
    observations: readonly AlertObservation[],
    evaluated: ReadonlySet<AlertKind>,
    now: number,
    term: number,
    delivery: { deadlineMs?: number } = {},
  ): Promise<boolean> {
    const { ctx } = this;
    const state = this.state ?? (this.state = await this.readState());
    const plan = planAlerts(state.doc?.active ?? {}, observations, { now, reminderMs: ctx.config.alerts.reminderMs, evaluated });
    if (plan.events.length === 0) return true;
    const sink = this.deps.sink;
    const feedOnly = !sink || sink.targets === 0;
    const next: AlertStateDoc = { active: plan.active, updatedAt: now, updatedBy: ctx.serverId };
    const events = plan.events.map((e) => ({ id: newDocumentId(ctx.random), event: e, doc: this.eventDoc(e, term, feedOnly) }));
    const res = await ctx.store.commitIf([
      { op: 'set', collection: 'alertState', id: SINGLETON_IDS.alertState, data: next, guard: guardFor(state.version) },
      ...events.map((e) => ({ op: 'set' as const, collection: 'alerts' as const, id: e.id, data: e.doc, guard: { ifMissing: true as const } })),
    ]);
    if (!res.ok) {
      this.state = null;
      ctx.log.info({}, 'alert state changed under this server: re-read next time');
      return false;
    }
    this.state = { doc: next, version: res.versions[0] ?? null };
    for (const e of events) {
      ctx.log.warn({ alert: e.event.key, status: e.event.status, reminder: e.event.reminder, eventId: e.id }, e.doc.text);
      if (!feedOnly) this.deliver(e.id, e.event, delivery);
    }
    return true;
  }

  private async readState(): Promise<{ doc: AlertStateDoc | null; version: DocVersion | null }> {
    const read = await this.ctx.store.get('alertState', SINGLETON_IDS.alertState);
    return { doc: read.doc, version: read.version };
  }

  private eventDoc(e: PlannedAlertEvent, term: number, feedOnly: boolean): AlertEventDoc {
    return {
      at: e.at,
      key: e.key,
      kind: e.kind,
      status: e.status,
      reminder: e.reminder,
      firingSince: e.firingSince,
      subject: e.subject,
      title: e.title,
      detail: e.detail,
      text: alertText(e),
      sentBy: this.ctx.serverId,
      term,
      delivery: { state: feedOnly ? 'none' : 'pending', at: feedOnly ? e.at : null, webhooks: [] },
      expireAt: e.at + this.ctx.config.alerts.retentionMs,
    };
  }

  /** In order of recording (a resolve never overtakes its firing message); never throws. */
  private deliver(id: string, event: PlannedAlertEvent, options: { deadlineMs?: number } = {}): void {
    const { ctx } = this;
    const sink = this.deps.sink!;
    this.delivering = this.delivering.then(async () => {
      try {
        const message = slackMessage(event, { prefix: ctx.config.collectionPrefix, serverId: ctx.serverId });
        const outcome = await sink.send(message, options);
        if (outcome.state !== 'delivered') ctx.log.warn({ alert: event.key, eventId: id, delivery: outcome }, 'alert not delivered to every webhook');
        await ctx.store.patch('alerts', id, { delivery: { state: outcome.state, at: ctx.store.now(), webhooks: outcome.webhooks } });
      } catch (error) {
        ctx.log.warn({ err: error, alert: event.key, eventId: id }, 'alert delivery could not be recorded');
      }
    });
  }

  /** Feed events past their `expireAt`, a page at a time, at most hourly. */
  private async prune(signal: AbortSignal): Promise<void> {
    const { store } = this.ctx;
    const now = store.now();
    if (signal.aborted || now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const { docs } = await store.query(queryOf(QUERIES.expiredAlertEvents, { before: at(now) }, { limit: PRUNE_LIMIT }));
    if (docs.length) await store.commit(docs.map((d) => ({ op: 'delete' as const, collection: 'alerts' as const, id: d.id })));
  }

  /**
   * Called by a stopping server after it resigned (not as leader): if no other server is live
   * (`active`, heartbeating; draining ones are leaving too), nobody would report the fleet
   * gone, so this one does, within `deadlineMs` (the shutdown has little time left). Servers
   * that stop together race for the state document's guard: one sends.
   */
  async onShutdown(options: { deadlineMs: number }): Promise<void> {
    const { ctx } = this;
    const config = ctx.config.alerts;
    this.endTerm();
    if (!config.enabled || !config.noLiveServer.enabled) return;
    await this.evaluating;
    const { docs, readTime } = await ctx.store.query(queryOf(QUERIES.serversInStates, { state: ['active'] }));
    const others = docs.filter((d) => d.id !== ctx.serverId && !isServerStale(d.data, ctx.config.serverCoordination, readTime));
    if (others.length > 0) return;
    this.state = await this.readState();
    const recorded = await this.record([lastServerStoppedObservation(ctx.serverId, readTime)], new Set(['no_live_server']), readTime, 0, options);
    // The sink stops retrying at the deadline; the race also bounds deliveries queued before.
    if (recorded) await Promise.race([this.delivering, ctx.clock.sleep(options.deadlineMs)]);
  }
}

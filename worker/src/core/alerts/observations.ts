import type { AlertKind } from '../../schema/alerts.js';
import type { BreakerDoc } from '../../schema/flow.js';
import type { LeaderLeaseDoc } from '../../schema/coordination.js';
import type { BulkControlDoc } from '../../schema/bulk.js';
import { formatAlertDuration, formatAlertTime } from './format.js';
import { deadLetterRise, type CountSample } from './dead-letter-trend.js';

/**
 * What one evaluation found about one alert condition. `firing: false` is news too: it is
 * what resolves an alert that was firing. `retroactive`: the condition was true in the past
 * and is over already (nobody could send while it lasted); it is reported once, resolved.
 */
export interface AlertObservation {
  key: string;
  kind: AlertKind;
  firing: boolean;
  title: string;
  /** What is true now: why it fires, or how it cleared. */
  detail: string;
  /** The model of a breaker alert. */
  subject?: string | null;
  /** When the condition began, when known (a breaker's `since`, a job's admission). */
  since?: number | null;
  retroactive?: { from: number; to: number };
}

export const alertKeys = {
  breaker: (model: string) => `breaker_open:${model}`,
  deadLetters: 'dead_letters_growing',
  queueStalled: 'queue_stalled',
  noLiveServer: 'no_live_server',
  bulkFailed: (bulkId: string) => `bulk_control_failed:${bulkId}`,
} as const;

type BreakerView = Pick<BreakerDoc, 'model' | 'state' | 'since' | 'override' | 'overrideBy' | 'history'>;

/** What the breaker messages say beyond the documents: who people are, and where jobs go. */
export interface BreakerAlertContext {
  /** A person's name for an operator's uid (their e-mail, from the control's audit entry); default: the id. */
  who?: (id: string) => string;
  /** The configured route: the primary model, its fallback and the priorities that may use it. */
  route?: { primary: string; fallbackModel: string | null; fallbackPriorities: readonly string[] };
}

function whileOpen(model: string, route: BreakerAlertContext['route']): string {
  if (route && route.primary === model && route.fallbackModel && route.fallbackPriorities.length > 0) {
    return `${route.fallbackPriorities.join(', ')} jobs go to ${route.fallbackModel}; the others wait`;
  }
  return 'its jobs wait';
}

/**
 * One observation per breaker document: firing while the breaker is open or half-open (a
 * half-open probe is part of the outage, so open -> half-open -> open is one alert, not three),
 * resolved once it is closed.
 */
export function breakerObservations(breakers: readonly BreakerView[], context: BreakerAlertContext = {}): AlertObservation[] {
  const who = context.who ?? ((id: string) => id);
  return breakers.map((b) => {
    const last = b.history.at(-1);
    const why = b.override === 'force_open' ? `forced open by ${b.overrideBy ? who(b.overrideBy) : 'an operator'}` : last?.reason ? last.reason : 'opened';
    const base = { key: alertKeys.breaker(b.model), kind: 'breaker_open' as const, subject: b.model, title: `Circuit breaker open: ${b.model}` };
    if (b.state === 'closed') {
      const how = last && last.to === 'closed' ? `closed: ${last.reason}${last.by ? ` (by ${who(last.by)})` : ''}` : 'closed';
      return { ...base, firing: false, detail: `${b.model} is ${how}; upstream calls resume.` };
    }
    const state = b.state === 'half_open' ? 'half-open (one probe call is testing the model)' : 'open';
    return {
      ...base,
      firing: true,
      since: b.since,
      detail: `${b.model} is ${state} since ${formatAlertTime(b.since)}: ${why}. Meanwhile ${whileOpen(b.model, context.route)}.`,
    };
  });
}

/** Dead letters added within the window, from the leader's samples of the stats document's count. */
export function deadLetterObservation(
  samples: readonly CountSample[],
  now: number,
  config: { rise: number; windowMs: number },
): AlertObservation | null {
  if (config.rise <= 0 || samples.length === 0) return null;
  const { rise, count } = deadLetterRise(samples, now, config.windowMs);
  const window = formatAlertDuration(config.windowMs);
  const base = { key: alertKeys.deadLetters, kind: 'dead_letters_growing' as const, title: 'Dead letters growing' };
  if (rise >= config.rise) {
    return {
      ...base,
      firing: true,
      detail: `${rise} job(s) dead-lettered in the last ${window} (threshold ${config.rise}); ${count} dead letter(s) in all. Look at their errors, then redrive them.`,
    };
  }
  return { ...base, firing: false, detail: `fewer than ${config.rise} new dead letters in the last ${window}; ${count} in all.` };
}

/** The oldest queued job (the stats document's `oldestQueuedAt`, its admission time). */
export function queueStalledObservation(
  stats: { oldestQueuedAt: number | null; queued: number; paused: boolean },
  now: number,
  config: { maxAgeMs: number | null },
): AlertObservation | null {
  if (config.maxAgeMs === null) return null;
  const base = { key: alertKeys.queueStalled, kind: 'queue_stalled' as const, title: 'Queued jobs are not being served' };
  const age = stats.oldestQueuedAt === null ? 0 : now - stats.oldestQueuedAt;
  if (stats.oldestQueuedAt !== null && age > config.maxAgeMs) {
    return {
      ...base,
      firing: true,
      since: stats.oldestQueuedAt + config.maxAgeMs,
      detail:
        `the oldest of ${stats.queued} queued job(s) has waited ${formatAlertDuration(age)} (threshold ${formatAlertDuration(config.maxAgeMs)})` +
        `${stats.paused ? '; the queue is paused' : ''}.`,
    };
  }
  return {
    ...base,
    firing: false,
    detail: stats.oldestQueuedAt === null ? 'no job is queued any more.' : `the oldest queued job has waited ${formatAlertDuration(age)}.`,
  };
}

/**
 * `no_live_server` as the leader sees it: the leader is a live server, so the condition is
 * false (which resolves a `no_live_server` the last stopping server sent). `takeover`: the
 * lease this leader found when it took over; if it had lapsed more than `gapMs` before, no
 * server was alive to take it (with one alive, a follower takes a lapsed lease within a
 * second), so the fleet was down from the previous leader's last sign of life (its
 * resignation, or its last renewal if it crashed) until now: reported once, as over.
 */
export function noLiveServerObservation(
  leader: { serverId: string; takeover: { previous: LeaderLeaseDoc | null; at: number } | null },
  config: { enabled: boolean; gapMs: number },
): AlertObservation | null {
  if (!config.enabled) return null;
  const base = { key: alertKeys.noLiveServer, kind: 'no_live_server' as const, title: 'No live server' };
  const previous = leader.takeover?.previous ?? null;
  const at = leader.takeover?.at ?? 0;
  if (previous && at - previous.expiresAt > config.gapMs) {
    const from = previous.holder === null ? previous.expiresAt : previous.renewedAt;
    return {
      ...base,
      firing: false,
      retroactive: { from, to: at },
      detail:
        `no server ran the queue from ${formatAlertTime(from)} to ${formatAlertTime(at)} (${formatAlertDuration(at - from)}): ` +
        `${previous.holder === null ? 'the last server stopped' : `every server stopped or lost Firestore (last leader ${previous.holder})`}; ` +
        `server ${leader.serverId} leads again.`,
    };
  }
  return { ...base, firing: false, detail: `server ${leader.serverId} is running the queue again.` };
}

/** What the last server to stop reports: nothing runs jobs until a server starts. */
export function lastServerStoppedObservation(serverId: string, now: number): AlertObservation {
  return {
    key: alertKeys.noLiveServer,
    kind: 'no_live_server',
    firing: true,
    title: 'No live server',
    since: now,
    detail: `the last live server (${serverId}) stopped at ${formatAlertTime(now)}: no job runs until a server starts.`,
  };
}

type BulkView = Pick<BulkControlDoc, 'action' | 'description' | 'state' | 'progress' | 'requestedBy' | 'updatedAt' | 'finishedAt'>;

const BULK_VERBS: Record<BulkControlDoc['action'], string> = { 'job.retry': 'Retry', 'job.redrive': 'Redrive', 'job.cancel': 'Cancel' };

/**
 * One firing observation per bulk control the fleet gave up on (`failed`): what it was, how
 * far it got and the store's words. A control that is no longer failed (resumed, then done
 * or stopped) drops out of the input, which resolves its alert (see `planAlerts`).
 */
export function bulkFailedObservations(controls: readonly { id: string; doc: BulkView }[]): AlertObservation[] {
  return controls
    .filter((c) => c.doc.state === 'failed')
    .map(({ id, doc }) => {
      const who = doc.requestedBy.email ?? doc.requestedBy.id;
      const { done, matched } = doc.progress;
      const since = doc.finishedAt ?? doc.updatedAt;
      return {
        key: alertKeys.bulkFailed(id),
        kind: 'bulk_control_failed' as const,
        firing: true,
        title: `Bulk control failed: ${BULK_VERBS[doc.action]} all matching (${doc.description})`,
        subject: id,
        since,
        detail:
          `the fleet gave up on ${id} (started by ${who}) at ${formatAlertTime(since)} after ${done} of ${matched} matching job(s): ` +
          `${doc.progress.lastError ?? 'no reason recorded'}. Fix the cause, then resume it from the Queues & jobs page.`,
      };
    });
}

import type { ActiveAlert, AlertKind, AlertStatus } from '../../schema/alerts.js';
import type { AlertObservation } from './observations.js';

/** A message to record in the feed and send. */
export interface PlannedAlertEvent {
  key: string;
  kind: AlertKind;
  status: AlertStatus;
  /** A re-send of an alert that stayed firing. */
  reminder: boolean;
  title: string;
  detail: string;
  subject: string | null;
  firingSince: number;
  at: number;
}

export interface AlertPlan {
  /** The alerts firing after this evaluation (the state document's `active`). */
  active: Record<string, ActiveAlert>;
  events: PlannedAlertEvent[];
}

/**
 * One evaluation's transitions, given the alerts firing before it (by dedupe key):
 * - firing and not active: a `firing` message, and it becomes active;
 * - firing and active: nothing, unless `reminderMs` passed since it was last sent (a reminder);
 * - not firing and active: a `resolved` message, and it is no longer active;
 * - retroactive (over before anyone could send): one `resolved` message for the whole span;
 * - active, of a kind this evaluation judged (`evaluated`), with no observation at all (its
 *   breaker document is gone): resolved.
 * Kinds not evaluated (their inputs are unknown, e.g. a new leader's stats) stay as they are.
 * An empty `events` means nothing to write.
 */
export function planAlerts(
  before: Readonly<Record<string, ActiveAlert>>,
  observations: readonly AlertObservation[],
  args: { now: number; reminderMs: number | null; evaluated: ReadonlySet<AlertKind> },
): AlertPlan {
  const { now, reminderMs } = args;
  const active: Record<string, ActiveAlert> = { ...before };
  const events: PlannedAlertEvent[] = [];
  const seen = new Set<string>();
  const event = (o: Pick<AlertObservation, 'key' | 'kind' | 'title' | 'detail'> & { subject: string | null }, status: AlertStatus, firingSince: number, reminder = false) =>
    events.push({ key: o.key, kind: o.kind, status, reminder, title: o.title, detail: o.detail, subject: o.subject, firingSince, at: now });

  for (const o of observations) {
    if (seen.has(o.key)) continue;
    seen.add(o.key);
    const current = active[o.key];
    const subject = o.subject ?? null;
    if (o.retroactive) {
      event({ ...o, subject }, 'resolved', current ? current.firingSince : o.retroactive.from);
      delete active[o.key];
    } else if (o.firing && !current) {
      const firingSince = Math.min(now, o.since ?? now);
      event({ ...o, subject }, 'firing', firingSince);
      active[o.key] = { kind: o.kind, title: o.title, subject, firingSince, lastSentAt: now };
    } else if (o.firing && current) {
      if (reminderMs !== null && now - current.lastSentAt >= reminderMs) {
        event({ ...o, subject }, 'firing', current.firingSince, true);
        active[o.key] = { ...current, lastSentAt: now };
      }
    } else if (current) {
      event({ ...o, title: current.title, subject: current.subject }, 'resolved', current.firingSince);
      delete active[o.key];
    }
  }
  for (const [key, current] of Object.entries(before)) {
    if (seen.has(key) || !args.evaluated.has(current.kind)) continue;
    event({ key, kind: current.kind, title: current.title, subject: current.subject, detail: 'the condition no longer applies.' }, 'resolved', current.firingSince);
    delete active[key];
  }
  return { active, events };
}

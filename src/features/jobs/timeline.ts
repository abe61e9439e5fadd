import { MAX_ERROR_HISTORY, type AuditDoc, type ErrorClass, type JobDoc, type JobError } from '@fq/worker/schema';

/**
 * A job's history as one list, oldest first: submission, admission, every attempt (start, end,
 * server, outcome, the error's class and upstream status, the lease it ran under), every
 * operator action from the audit log (who, by e-mail where known, and why), and how it ended.
 * Pure: the job page renders what this returns, and its test states the rules.
 *
 * What the job document records: the failed attempts (`errors`, the latest
 * `MAX_ERROR_HISTORY`, with the claim time and lease where the worker recorded them), the
 * successful one (`result`, with its server and start where recorded), the current lease.
 * Released attempts (shutdown, flow control said wait) are refunded and leave no record.
 */

export type AuditEntry = AuditDoc & { id: string };

export type TimelineTone = 'ok' | 'error' | 'warn' | 'info';

export interface TimelineAttempt {
  /** 1 for the first call the timeline knows of, in time order (redrives do not restart it). */
  number: number;
  startedAt: number | null;
  endedAt: number | null;
  serverId: string | null;
  model: string | null;
  outcome: 'succeeded' | 'failed' | 'running';
  errorClass: ErrorClass | null;
  /** The upstream's HTTP status (or provider code) when the attempt failed on an answer. */
  upstreamStatus: number | string | null;
  message: string | null;
  lease: { token: number | null; claimedAt: number | null; renewedAt: number | null; expiresAt: number | null } | null;
}

export interface TimelineRow {
  key: string;
  /** When it happened: an attempt's start (its end when the start was not recorded). */
  at: number;
  kind: 'submitted' | 'admitted' | 'attempt' | 'operator' | 'cancel_request' | 'scheduled' | 'ended' | 'payload' | 'truncated';
  title: string;
  /** The person (e-mail where known) or the server. */
  who: string | null;
  outcome: string | null;
  tone: TimelineTone;
  details: string[];
  attempt?: TimelineAttempt;
}

/** A person as the console shows one: the e-mail where known, else the uid. */
export function submitterOf(job: { userId: string; userEmail?: string | null }): string {
  return job.userEmail ?? job.userId;
}

const ACTION_TITLES: Partial<Record<AuditDoc['action'], string>> = {
  'job.cancel': 'Cancelled by an operator',
  'job.retry': 'Retried by an operator',
  'job.redrive': 'Redriven by an operator',
};

function describeStatus(code: number | string | null): string | null {
  if (code === null) return null;
  return typeof code === 'number' ? `HTTP ${code}` : String(code);
}

function failedOutcome(e: JobError): string {
  if (e.errorClass === 'lease_lost') return 'lease lost: reclaimed';
  const status = describeStatus(e.code);
  return `failed: ${e.errorClass}${status ? ` (${status})` : ''}`;
}

function chargeNote(e: JobError): string | null {
  if (e.charge === 'busy') return 'Not counted as an attempt: charged to the busy budget.';
  if (e.charge === 'probe') return 'A failed breaker probe: not counted as an attempt.';
  return null;
}

function leaseLine(lease: TimelineAttempt['lease']): string | null {
  if (!lease || lease.token === null) return null;
  const parts = [`Lease #${lease.token}`];
  if (lease.renewedAt !== null && lease.claimedAt !== null && lease.renewedAt > lease.claimedAt) parts.push('renewed');
  return parts.join(', ');
}

interface Draft {
  row: Omit<TimelineRow, 'attempt'> & { attempt?: Omit<TimelineAttempt, 'number'> };
  /** Tie order at equal times: the order things happen in a job's life. */
  order: number;
}

function attemptDrafts(job: JobDoc): Draft[] {
  const out: Draft[] = [];
  job.errors.forEach((e, i) => {
    const startedAt = e.startedAt ?? null;
    const lease = e.leaseToken != null ? { token: e.leaseToken, claimedAt: startedAt, renewedAt: e.renewedAt ?? null, expiresAt: null } : null;
    const details = [e.message];
    const l = leaseLine(lease);
    if (l) details.push(l);
    if (e.retryAfterMs !== null) details.push(`The upstream asked to retry after ${Math.round(e.retryAfterMs / 1000)} s.`);
    const note = chargeNote(e);
    if (note) details.push(note);
    out.push({
      order: 2,
      row: {
        key: `error-${i}-${e.at}`,
        at: startedAt ?? e.at,
        kind: 'attempt',
        title: 'Attempt',
        who: e.serverId,
        outcome: failedOutcome(e),
        tone: e.charge === 'busy' || e.errorClass === 'lease_lost' ? 'warn' : 'error',
        details,
        attempt: {
          startedAt,
          endedAt: e.at,
          serverId: e.serverId,
          model: e.model,
          outcome: 'failed',
          errorClass: e.errorClass,
          upstreamStatus: e.code,
          message: e.message,
          lease,
        },
      },
    });
  });
  if (job.result) {
    const r = job.result;
    const startedAt = r.startedAt ?? job.lastStartedAt;
    out.push({
      order: 2,
      row: {
        key: 'result',
        at: startedAt ?? job.completedAt ?? job.updatedAt,
        kind: 'attempt',
        title: 'Attempt',
        who: r.serverId ?? null,
        outcome: 'succeeded',
        tone: 'ok',
        details: [`${r.model}, upstream call ${Math.round(r.upstreamMs)} ms${r.tokens !== null ? `, ${r.tokens} tokens` : ''}`],
        attempt: {
          startedAt,
          endedAt: job.completedAt,
          serverId: r.serverId ?? null,
          model: r.model,
          outcome: 'succeeded',
          errorClass: null,
          upstreamStatus: null,
          message: null,
          lease: null,
        },
      },
    });
  }
  if (job.status === 'running' && job.lease) {
    const lease = { token: job.lease.token, claimedAt: job.lease.acquiredAt, renewedAt: job.lease.heartbeatAt, expiresAt: job.lease.expiresAt };
    out.push({
      order: 2,
      row: {
        key: 'running',
        at: job.lease.acquiredAt,
        kind: 'attempt',
        title: 'Attempt',
        who: job.lease.owner,
        outcome: 'running',
        tone: 'info',
        details: [leaseLine(lease) ?? ''].filter(Boolean),
        attempt: {
          startedAt: job.lease.acquiredAt,
          endedAt: null,
          serverId: job.lease.owner,
          model: job.servedBy ?? job.model,
          outcome: 'running',
          errorClass: null,
          upstreamStatus: null,
          message: null,
          lease,
        },
      },
    });
  }
  return out;
}

function operatorDrafts(jobId: string, audit: readonly AuditEntry[]): Draft[] {
  return audit.map((a) => {
    const details: string[] = [];
    if (a.reason) details.push(`Reason: ${a.reason}`);
    if (a.target.id !== jobId) details.push(`One of ${a.targetIds.length} jobs matching ${a.target.id}.`);
    return {
      order: 3,
      row: {
        key: `audit-${a.id}`,
        at: a.at,
        kind: 'operator',
        title: ACTION_TITLES[a.action] ?? a.action,
        who: a.actor.email ?? a.actor.id,
        outcome: null,
        tone: 'info',
        details,
      },
    } satisfies Draft;
  });
}

/** E-mails of the people the audit entries name, by uid (a cancel request records a uid). */
function emailsByUid(job: JobDoc, audit: readonly AuditEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  if (job.userEmail) out.set(job.userId, job.userEmail);
  for (const a of audit) if (a.actor.email) out.set(a.actor.id, a.actor.email);
  return out;
}

function endDrafts(job: JobDoc, audit: readonly AuditEntry[]): Draft[] {
  const out: Draft[] = [];
  const at = job.completedAt;
  if (job.cancelRequest) {
    const cancelAudited = audit.some((a) => a.action === 'job.cancel');
    if (!cancelAudited) {
      const by = job.cancelRequest.by;
      out.push({
        order: 3,
        row: {
          key: 'cancel-request',
          at: job.cancelRequest.at,
          kind: 'cancel_request',
          title: by === job.userId ? 'Cancel requested by the submitter' : 'Cancel requested',
          who: emailsByUid(job, audit).get(by) ?? by,
          outcome: null,
          tone: 'info',
          details: job.cancelRequest.reason ? [`Reason: ${job.cancelRequest.reason}`] : [],
        },
      });
    }
  }
  if (at !== null) {
    const ended: Partial<Record<JobDoc['status'], [string, TimelineTone]>> = {
      failed: ['Failed permanently', 'error'],
      dead_lettered: ['Moved to the dead letters', 'error'],
      cancelled: ['Cancelled', 'warn'],
      rejected: ['Rejected at admission', 'error'],
    };
    const e = ended[job.status];
    if (e) {
      const details = job.rejection ? [`${job.rejection.code}: ${job.rejection.message}`] : [];
      if (job.status === 'dead_lettered') details.push(`${job.attempts} of ${job.maxAttempts} attempts spent.`);
      out.push({ order: 4, row: { key: 'ended', at, kind: 'ended', title: e[0], who: null, outcome: job.status, tone: e[1], details } });
    }
  }
  if (job.status === 'waiting' && job.availableAt !== null) {
    const deferred = job.deferredUntil != null && job.attempts === 0 && job.errors.length === 0;
    out.push({
      order: 5,
      row: {
        key: 'scheduled',
        at: job.availableAt,
        kind: 'scheduled',
        title: deferred ? 'Starts (deferred by the rate limit)' : 'Next attempt due',
        who: null,
        outcome: null,
        tone: 'info',
        details: [],
      },
    });
  }
  if (job.payloadDeletedAt !== null) {
    out.push({ order: 6, row: { key: 'payload', at: job.payloadDeletedAt, kind: 'payload', title: 'Audio deleted', who: null, outcome: null, tone: 'info', details: [] } });
  }
  return out;
}

/**
 * The timeline of `job` with the audit entries that name it (any order; entries naming other
 * jobs are ignored), oldest first. Attempts are numbered in time order across redrives (the
 * job's own `attempt` counter restarts at each redrive and skips busy answers).
 */
export function buildJobTimeline(jobId: string, job: JobDoc, audit: readonly AuditEntry[]): TimelineRow[] {
  const drafts: Draft[] = [];
  if (job.errors.length >= MAX_ERROR_HISTORY) {
    drafts.push({
      order: 0,
      row: { key: 'truncated', at: job.createdAt, kind: 'truncated', title: `Only the latest ${MAX_ERROR_HISTORY} failed attempts are kept`, who: null, outcome: null, tone: 'warn', details: [] },
    });
  }
  drafts.push({
    order: 0,
    row: { key: 'submitted', at: job.createdAt, kind: 'submitted', title: `Submitted (${job.source})`, who: submitterOf(job), outcome: null, tone: 'info', details: [] },
  });
  if (job.admittedAt !== null) {
    const details = job.deferredUntil != null ? ["Over the user's rate limit: its start was deferred."] : [];
    drafts.push({ order: 1, row: { key: 'admitted', at: job.admittedAt, kind: 'admitted', title: 'Admitted', who: null, outcome: null, tone: 'info', details } });
  }
  const mine = audit.filter((a) => a.targetIds.includes(jobId) || (a.target.kind === 'job' && a.target.id === jobId));
  drafts.push(...attemptDrafts(job), ...operatorDrafts(jobId, mine), ...endDrafts(job, mine));
  // Stable: equal times keep the order of a job's life (submission, admission, attempt, action, end).
  const sorted = drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.row.at - b.d.row.at || a.d.order - b.d.order || a.i - b.i);
  let n = 0;
  return sorted.map(({ d }) => {
    const { attempt, ...row } = d.row;
    if (!attempt) return row;
    n += 1;
    return { ...row, title: `Attempt ${n}`, attempt: { ...attempt, number: n } };
  });
}

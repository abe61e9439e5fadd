import { QUERIES, describeBulkFilter, type BulkAction, type BulkControlDoc, type BulkFilter, type JobStatus } from '@fq/worker/schema';
import { at, specOf, type QuerySpec } from '../../data/specs';

/**
 * The job search's filter as the job table holds it (`JobFilter` of data/queries), by shape:
 * what "apply to all matching" can take over.
 */
export interface SearchFilter {
  userId?: string;
  userEmail?: string;
  idPrefix?: string;
  status?: JobStatus;
  fromMs?: number;
  toMs?: number;
}

export type BulkFilterResult = { ok: true; filter: BulkFilter; description: string } | { ok: false; why: string };

/**
 * A search as a bulk control's filter. The fleet pages through the job search's own query
 * (user, status, created range), so an e-mail or id-prefix search cannot be applied to all:
 * the operator narrows by user id or status instead.
 */
export function bulkFilterOf(search: SearchFilter): BulkFilterResult {
  if (search.userEmail) return { ok: false, why: 'Search by user id rather than e-mail to act on everything matching.' };
  if (search.idPrefix) return { ok: false, why: 'A job id prefix search cannot be applied to all matching jobs.' };
  const filter: BulkFilter = {
    status: search.status ?? null,
    priority: null,
    userId: search.userId || null,
    fromMs: search.fromMs ?? null,
    toMs: search.toMs ?? null,
  };
  return { ok: true, filter, description: describeBulkFilter(filter) };
}

/** The query whose count the confirmation shows: the one the carrier pages through. */
export function matchingSpec(filter: BulkFilter): QuerySpec<'jobs'> {
  return specOf(
    QUERIES.jobSearch,
    {
      userId: filter.userId ?? undefined,
      status: filter.status ?? undefined,
      from: filter.fromMs === null ? undefined : at(filter.fromMs),
      to: filter.toMs === null ? undefined : at(filter.toMs),
    },
    1,
  );
}

export const BULK_VERBS: Record<BulkAction, { label: string; past: string; what: string }> = {
  'job.retry': {
    label: 'Retry',
    past: 'retried',
    what: 'Waiting jobs skip the rest of their backoff; failed jobs are queued again with a fresh attempt budget.',
  },
  'job.redrive': {
    label: 'Redrive',
    past: 'redriven',
    what: 'Dead-lettered and failed jobs are queued again with a fresh attempt budget (their redrive count goes up).',
  },
  'job.cancel': {
    label: 'Cancel',
    past: 'cancelled',
    what: 'Queued and waiting jobs are cancelled now and their audio deleted; running jobs get a cancel request.',
  },
};

export interface BulkFigures {
  /** Jobs looked at (done + skipped + failed). */
  processed: number;
  /** The confirmed count, or what was matched when more jobs matched than were counted. */
  total: number | null;
  /** 0..1 when a total is known. */
  ratio: number | null;
  state: 'running' | 'stopping' | 'stopped' | 'done' | 'failed' | 'waiting';
}

/** What the progress panel shows of a bulk control. */
export function bulkFigures(doc: BulkControlDoc): BulkFigures {
  const { done, skipped, failed, matched } = doc.progress;
  const processed = done + skipped + failed;
  const total = doc.state === 'done' ? matched : doc.expectedCount === null ? null : Math.max(doc.expectedCount, matched);
  const ratio = total === null ? null : total === 0 ? 1 : Math.min(1, processed / total);
  const state =
    doc.state !== 'running' ? doc.state : doc.stopRequested ? 'stopping' : doc.carrier === null && processed === 0 ? 'waiting' : 'running';
  return { processed, total, ratio, state };
}

import { JOB_STATUSES, type JobStatus } from '@fq/worker/schema';
import type { JobFilter } from '../../data/queries';

export interface SearchForm {
  /** Job id or user id. */
  text: string;
  status: string;
  from: string;
  to: string;
}

export const EMPTY_FORM: SearchForm = { text: '', status: '', from: '', to: '' };

/** Firestore document ids cannot contain "/" and are at most 1500 bytes. */
export function couldBeDocId(text: string): boolean {
  return text.length > 0 && text.length <= 1500 && !text.includes('/') && text !== '.' && text !== '..';
}

export type ParsedSearch =
  | { ok: true; text: string | null; filter: JobFilter }
  | { ok: false; error: string };

/** `datetime-local` values are local wall time; convert with the browser's time zone. */
function parseLocal(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : Number.NaN;
}

export function parseSearch(form: SearchForm): ParsedSearch {
  const text = form.text.trim() || null;
  let status: JobStatus | undefined;
  if (form.status) {
    if (!(JOB_STATUSES as readonly string[]).includes(form.status)) return { ok: false, error: `unknown status ${form.status}` };
    status = form.status as JobStatus;
  }
  const from = parseLocal(form.from);
  const to = parseLocal(form.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return { ok: false, error: 'the time range is not a valid date' };
  if (from !== null && to !== null && from >= to) return { ok: false, error: '"From" must be before "To"' };
  const filter: JobFilter = {};
  if (status) filter.status = status;
  if (from !== null) filter.fromMs = from;
  if (to !== null) filter.toMs = to;
  return { ok: true, text, filter };
}

/**
 * The search a link asks for (`/queues?status=dead_lettered`, the dead-letter count's link).
 * Only `status` for now; an unknown one is kept so the form reports it like a typed one.
 */
export function formFromParams(params: URLSearchParams): SearchForm {
  return { ...EMPTY_FORM, status: params.get('status') ?? '' };
}

import { JOB_STATUSES, type JobStatus } from '@fq/worker/schema';
import type { JobFilter } from '../../data/queries';

/**
 * What the search text is: `auto` reads an e-mail when it holds "@", else a job id (one
 * document read) and then a user id; the others say it outright. `id` is a job id prefix.
 */
export const SEARCH_BY = ['auto', 'email', 'user', 'id'] as const;
export type SearchBy = (typeof SEARCH_BY)[number];
export const SEARCH_BY_LABELS: Record<SearchBy, string> = {
  auto: 'Job id, user id or e-mail',
  email: 'E-mail',
  user: 'User id',
  id: 'Job id prefix',
};

/** How the job table stays current; see `useJobSearch` for what each costs in reads. */
export const REFRESH_MODES = ['off', '10s', '30s', 'live'] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];
export const REFRESH_INTERVAL_MS: Record<RefreshMode, number | null> = { off: null, '10s': 10_000, '30s': 30_000, live: null };

export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = PAGE_SIZES[0];

/** The shortcuts above the table: the statuses on-call is asked about most. */
export const STATUS_SHORTCUTS: readonly { label: string; status: JobStatus }[] = [
  { label: 'Dead letters', status: 'dead_lettered' },
  { label: 'Failed', status: 'failed' },
  { label: 'Running', status: 'running' },
  { label: 'Waiting', status: 'waiting' },
  { label: 'Queued', status: 'queued' },
];

export interface SearchForm {
  text: string;
  /** A `SearchBy`; anything else (a hand-edited link) is reported by `parseSearch`. */
  by: string;
  status: string;
  /** `datetime-local` values (local wall time). */
  from: string;
  to: string;
}

export const EMPTY_FORM: SearchForm = { text: '', by: 'auto', status: '', from: '', to: '' };

/** Everything the URL holds: the applied search, the page size and the refresh mode (not the page: cursors are not shareable). */
export interface SearchState {
  form: SearchForm;
  pageSize: number;
  refresh: RefreshMode;
}

export const DEFAULT_STATE: SearchState = { form: EMPTY_FORM, pageSize: DEFAULT_PAGE_SIZE, refresh: 'off' };

/** Firestore document ids cannot contain "/" and are at most 1500 bytes. */
export function couldBeDocId(text: string): boolean {
  return text.length > 0 && text.length <= 1500 && !text.includes('/') && text !== '.' && text !== '..';
}

/** Job ids the product makes and the rules accept (JOB_ID_PATTERN without its reserved-name rule). */
const JOB_ID_CHARS = /^[A-Za-z0-9_-]{1,128}$/;

export type ParsedSearch =
  | {
      ok: true;
      /** Try this as a job id first (one document read); the filter is the fallback. */
      lookup: string | null;
      filter: JobFilter;
    }
  | { ok: false; error: string };

/** `datetime-local` values are local wall time; convert with the browser's time zone. */
function parseLocal(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : Number.NaN;
}

export function parseSearch(form: SearchForm): ParsedSearch {
  const text = form.text.trim();
  if (!(SEARCH_BY as readonly string[]).includes(form.by)) return { ok: false, error: `unknown search field ${form.by}` };
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
  if (!text) return { ok: true, lookup: null, filter };

  const by = form.by as SearchBy;
  if (by === 'id') {
    // Firestore serves an id range from its own id index only: no other filter beside it.
    if (status || from !== null || to !== null) return { ok: false, error: 'a job id prefix search takes no status or time filter' };
    if (!JOB_ID_CHARS.test(text)) return { ok: false, error: 'job ids hold only letters, digits, "_" and "-"' };
    return { ok: true, lookup: null, filter: { idPrefix: text } };
  }
  if (by === 'email' || (by === 'auto' && text.includes('@'))) return { ok: true, lookup: null, filter: { ...filter, userEmail: text } };
  if (by === 'user') return { ok: true, lookup: null, filter: { ...filter, userId: text } };
  return { ok: true, lookup: couldBeDocId(text) ? text : null, filter: { ...filter, userId: text } };
}

/**
 * The search a link asks for (`/queues?status=dead_lettered`, the dead-letter count's link, or
 * a shared one). An unknown status or field is kept so the form reports it like a typed one; an
 * unknown page size or refresh mode falls back to the default.
 */
export function stateFromParams(params: URLSearchParams): SearchState {
  const size = Number(params.get('size'));
  const refresh = params.get('refresh') ?? '';
  return {
    form: {
      text: params.get('q') ?? '',
      by: params.get('by') ?? EMPTY_FORM.by,
      status: params.get('status') ?? '',
      from: params.get('from') ?? '',
      to: params.get('to') ?? '',
    },
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
    refresh: (REFRESH_MODES as readonly string[]).includes(refresh) ? (refresh as RefreshMode) : DEFAULT_STATE.refresh,
  };
}

/** The URL's search params for a state: only what differs from the defaults, in a fixed order. */
export function paramsFromState(state: SearchState): URLSearchParams {
  const out = new URLSearchParams();
  const { form } = state;
  if (form.text.trim()) out.set('q', form.text.trim());
  if (form.text.trim() && form.by !== EMPTY_FORM.by) out.set('by', form.by);
  if (form.status) out.set('status', form.status);
  if (form.from) out.set('from', form.from);
  if (form.to) out.set('to', form.to);
  if (state.pageSize !== DEFAULT_PAGE_SIZE) out.set('size', String(state.pageSize));
  if (state.refresh !== DEFAULT_STATE.refresh) out.set('refresh', state.refresh);
  return out;
}

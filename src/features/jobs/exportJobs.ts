import type { JobDoc } from '@fq/worker/schema';
import type { DataPort, Page, PageCursor } from '../../data/port';
import { jobSearchSpec, specs, type JobFilter } from '../../data/queries';
import type { Row } from '../../data/rows';

/**
 * Export of a search: every matching job up to `EXPORT_CAP`, as CSV (one row per job, the
 * columns below) or JSON (the job documents as the console decodes them, times as ISO strings).
 * Never audio: the console drops a job's inline audio when it decodes it, and chunks are never
 * read. Formatters are pure; `fetchExport` is the only part that reads.
 */
export const EXPORT_CAP = 10_000;
/** Documents per read while exporting (the console's query limit is 500). */
export const EXPORT_PAGE = 500;

export type ExportedJob = { id: string; data: JobDoc } | { id: string; invalid: string };

interface Column {
  header: string;
  value: (id: string, job: JobDoc) => string | number | null;
}

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

export const CSV_COLUMNS: readonly Column[] = [
  { header: 'id', value: (id) => id },
  { header: 'status', value: (_, j) => j.status },
  { header: 'priority', value: (_, j) => j.priority },
  { header: 'userId', value: (_, j) => j.userId },
  { header: 'userEmail', value: (_, j) => j.userEmail ?? null },
  { header: 'createdAt', value: (_, j) => iso(j.createdAt) },
  { header: 'admittedAt', value: (_, j) => iso(j.admittedAt) },
  { header: 'completedAt', value: (_, j) => iso(j.completedAt) },
  { header: 'attempts', value: (_, j) => j.attempts },
  { header: 'maxAttempts', value: (_, j) => j.maxAttempts },
  { header: 'redriveCount', value: (_, j) => j.redriveCount },
  { header: 'lastErrorClass', value: (_, j) => j.lastErrorClass },
  { header: 'lastError', value: (_, j) => j.errors.at(-1)?.message ?? null },
  { header: 'rejection', value: (_, j) => j.rejection?.code ?? null },
  { header: 'model', value: (_, j) => j.model },
  { header: 'servedBy', value: (_, j) => j.servedBy },
  { header: 'latencyMs', value: (_, j) => j.result?.latencyMs ?? null },
  { header: 'audioSeconds', value: (_, j) => j.audio.durationSec },
  { header: 'audioBytes', value: (_, j) => j.audio.bytes },
  { header: 'mimeType', value: (_, j) => j.audio.mimeType },
  { header: 'source', value: (_, j) => j.source },
  { header: 'tier', value: (_, j) => j.tier },
  { header: 'sessionId', value: (_, j) => j.sessionId },
  { header: 'metadata', value: (_, j) => (Object.keys(j.metadata).length ? JSON.stringify(j.metadata) : null) },
];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (=, +, @, a tab or CR first; "-" unless the cell is a plain
 * id such as a job id) gets a leading apostrophe, because job fields are user-supplied.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+@\t\r]/.test(text) || (text.startsWith('-') && !/^[A-Za-z0-9_-]+$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The jobs as CSV: a header line, then one line per job (an unreadable one names its error). CRLF line ends. */
export function jobsToCsv(jobs: readonly ExportedJob[]): string {
  const lines = [CSV_COLUMNS.map((c) => c.header).join(',')];
  for (const j of jobs) {
    if ('invalid' in j) {
      lines.push(CSV_COLUMNS.map((c, i) => csvCell(i === 0 ? j.id : c.header === 'lastError' ? `unreadable document: ${j.invalid}` : null)).join(','));
      continue;
    }
    lines.push(CSV_COLUMNS.map((c) => csvCell(c.value(j.id, j.data))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Epoch-ms fields of a job document, written as ISO strings in JSON (a reader sees dates). */
const TIME_FIELDS = new Set([
  'createdAt', 'updatedAt', 'admittedAt', 'availableAt', 'deferredUntil', 'busySince', 'firstStartedAt', 'lastStartedAt',
  'positionAt', 'completedAt', 'payloadDeletedAt', 'expireAt', 'at', 'acquiredAt', 'expiresAt', 'heartbeatAt',
]);

function jsonValue(key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return undefined;
  if (TIME_FIELDS.has(key) && typeof value === 'number') return new Date(value).toISOString();
  return value;
}

/** The jobs as a JSON document: what was searched, when, whether the cap cut it, and the jobs. */
export function jobsToJson(jobs: readonly ExportedJob[], meta: { search: string; exportedAt: number; truncated: boolean }): string {
  const body = {
    search: meta.search,
    exportedAt: new Date(meta.exportedAt).toISOString(),
    count: jobs.length,
    truncated: meta.truncated,
    jobs: jobs.map((j) => ('invalid' in j ? { id: j.id, unreadable: j.invalid } : { id: j.id, ...j.data })),
  };
  // inlineAudio never reaches here (dropped on decode); bytes of any kind are left out anyway.
  return `${JSON.stringify(body, (key, value: unknown) => jsonValue(key, value), 2)}\n`;
}

/** A file name for an export: `jobs-<search>-<UTC time>.csv`, safe on every file system. */
export function exportFileName(search: string, exportedAt: number, format: 'csv' | 'json'): string {
  const slug = search.toLowerCase().replace(/[^a-z0-9@._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'all';
  const when = new Date(exportedAt).toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `jobs-${slug}-${when}.${format}`;
}

const toExported = (row: Row<JobDoc>): ExportedJob => (row.ok ? { id: row.id, data: row.data } : { id: row.id, invalid: row.error });

export interface ExportResult {
  jobs: ExportedJob[];
  /** More jobs matched than the cap. */
  truncated: boolean;
}

/**
 * Every job the search matches, up to `cap`, read in pages of `EXPORT_PAGE` (so an export costs
 * one read per exported job, at most `cap` plus one page). `lookup`: the job id the table matched
 * exactly (the search then exports that one job). `onProgress` hears the count after each page;
 * `signal` stops between pages (what was read so far is returned, marked truncated).
 */
export async function fetchExport(
  port: DataPort,
  search: { lookup: string | null; filter: JobFilter },
  options: { cap?: number; onProgress?: (count: number) => void; signal?: AbortSignal } = {},
): Promise<ExportResult> {
  const cap = options.cap ?? EXPORT_CAP;
  if (search.lookup) {
    const row = await port.getDoc(specs.job(search.lookup));
    if (row) return { jobs: [toExported(row)], truncated: false };
  }
  const jobs: ExportedJob[] = [];
  let cursor: PageCursor | null = null;
  for (;;) {
    const want = Math.min(EXPORT_PAGE, cap - jobs.length + 1);
    const page: Page<JobDoc> = await port.getPage(jobSearchSpec(search.filter, want), cursor);
    jobs.push(...page.rows.map(toExported));
    options.onProgress?.(Math.min(jobs.length, cap));
    if (jobs.length > cap) return { jobs: jobs.slice(0, cap), truncated: true };
    if (!page.next) return { jobs, truncated: false };
    if (options.signal?.aborted) return { jobs, truncated: true };
    cursor = page.next;
  }
}

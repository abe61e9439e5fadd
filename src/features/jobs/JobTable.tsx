import { useCanOperate } from '../../auth/roles';
import { JOB_STATUSES } from '@fq/worker/schema';
import { MAX_BULK_IDS } from '@fq/worker/core';
import { useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Button, focusRing } from '../../components/ui/Button';
import { Card } from '../../components/ui/Card';
import { Empty, ErrorState, InvalidRow, Loading } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useData } from '../../data/context';
import { describeError } from '../../data/errors';
import { describeJobFilter } from '../../data/queries';
import { formatTime } from '../../lib/format';
import { ApplyToAllMatching } from '../bulk/ApplyToAllMatching';
import { ControlButton } from '../controls/ControlButton';
import { downloadText } from './download';
import { EXPORT_CAP, exportFileName, fetchExport, jobsToCsv, jobsToJson } from './exportJobs';
import { JobStatusBadge } from './JobStatusBadge';
import {
  DEFAULT_STATE,
  PAGE_SIZES as ALL_PAGE_SIZES,
  REFRESH_MODES,
  SEARCH_BY,
  SEARCH_BY_LABELS,
  STATUS_SHORTCUTS,
  paramsFromState,
  parseSearch,
  stateFromParams,
  type RefreshMode,
  type SearchForm,
  type SearchState,
} from './search';
import { useJobSearch } from './useJobSearch';

const PAGE_SIZES = ALL_PAGE_SIZES.filter((n) => n <= MAX_BULK_IDS);
const VIEWER_HEAD = ['Job', 'Status', 'Priority', 'User', 'E-mail', 'Created', 'Attempts', 'Last error'];
/** Operators get a selection column (bulk actions); a viewer, who may run none, does not. */
const OPERATOR_HEAD = ['', ...VIEWER_HEAD];
const input = `rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800 ${focusRing}`;
const REFRESH_LABELS: Record<RefreshMode, string> = { off: 'Off', '10s': 'Every 10 s', '30s': 'Every 30 s', live: 'Live' };

type ExportState = { status: 'running'; format: 'csv' | 'json'; count: number } | { status: 'done' | 'failed'; message: string } | null;

export function JobTable() {
  const { port } = useData();
  const canOperate = useCanOperate();
  const head = canOperate ? OPERATOR_HEAD : VIEWER_HEAD;
  // The applied search lives in the URL: a link shares it, and back/forward restore it.
  const [params, setParams] = useSearchParams();
  const applied = stateFromParams(params);
  const [form, setForm] = useState<SearchForm>(applied.form);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [exportState, setExportState] = useState<ExportState>(null);
  const exportAbort = useRef<AbortController | null>(null);
  const ids = { search: useId(), by: useId(), status: useId(), from: useId(), to: useId(), size: useId(), refresh: useId() };
  const parsed = parseSearch(applied.form);
  const pageSize = applied.pageSize;
  const search = useJobSearch(parsed.ok ? parsed.lookup : null, parsed.ok ? parsed.filter : {}, pageSize, applied.refresh);
  // Another search in the URL (a link such as the dead-letter count, back/forward, or our own
  // navigation) starts over: its form, no selection, page one.
  const urlKey = params.toString();
  const [shownKey, setShownKey] = useState(urlKey);
  if (shownKey !== urlKey) {
    setShownKey(urlKey);
    setForm(applied.form);
    setSelected(new Set());
    search.reset();
  }
  const rows = search.rows;
  const okIds = rows.filter((r) => r.ok).map((r) => r.id);
  const allSelected = okIds.length > 0 && okIds.every((id) => selected.has(id));
  const searchWords = parsed.ok ? (search.matchedBy === 'id' ? `id=${parsed.lookup}` : describeJobFilter(parsed.filter)) : 'invalid search';
  const selection = parsed.ok ? `${searchWords}, page ${search.pageIndex + 1}` : 'selection';
  const chosen = [...selected];

  /** Navigates to a search: a new history entry, so the back button returns to this one. */
  const go = (next: SearchState, options: { replace?: boolean } = {}) => setParams(paramsFromState(next), options);
  const submit = () => go({ ...applied, form });

  const runExport = async (format: 'csv' | 'json') => {
    if (!parsed.ok) return;
    const controller = new AbortController();
    exportAbort.current = controller;
    setExportState({ status: 'running', format, count: 0 });
    try {
      const result = await fetchExport(
        port,
        { lookup: search.matchedBy === 'id' ? parsed.lookup : null, filter: parsed.filter },
        { signal: controller.signal, onProgress: (count) => setExportState({ status: 'running', format, count }) },
      );
      const at = Date.now();
      const text = format === 'csv' ? jobsToCsv(result.jobs) : jobsToJson(result.jobs, { search: searchWords, exportedAt: at, truncated: result.truncated });
      downloadText(exportFileName(searchWords, at, format), text, format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json');
      const stopped = controller.signal.aborted;
      setExportState({
        status: 'done',
        message: `Exported ${result.jobs.length.toLocaleString('en-US')} job${result.jobs.length === 1 ? '' : 's'} as ${format.toUpperCase()}${
          result.truncated ? (stopped ? ' (stopped: only the jobs read so far)' : ` (the first ${EXPORT_CAP.toLocaleString('en-US')}; more match)`) : ''
        }.`,
      });
    } catch (error) {
      setExportState({ status: 'failed', message: `Export failed: ${describeError(error)}` });
    } finally {
      exportAbort.current = null;
    }
  };

  const bulk = (type: 'job.cancel' | 'job.retry' | 'job.redrive', label: string, what: string, variant: 'danger' | 'secondary') => (
    <ControlButton
      label={label}
      variant={variant}
      disabled={chosen.length === 0}
      testId={`bulk-${type.slice(4)}`}
      title={`${label}: ${chosen.length} job${chosen.length === 1 ? '' : 's'}?`}
      command={(reason) => ({ type, jobIds: chosen, selection, reason })}
      onDone={() => setSelected(new Set())}
      description={
        <div className="space-y-2">
          <p>{what}</p>
          <p>
            Selected ({chosen.length}): <span className="break-all font-mono text-xs">{chosen.slice(0, 20).join(', ')}{chosen.length > 20 ? ' …' : ''}</span>
          </p>
          <p className="text-xs">Jobs that cannot take this action are skipped and listed afterwards. Each group of up to 16 jobs is committed with its own audit entry.</p>
        </div>
      }
    />
  );

  return (
    <Card title="Jobs" testId="job-table-card">
      <form
        role="search"
        aria-label="Job search"
        className="mb-3 flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="flex flex-col">
          <label htmlFor={ids.search} className="text-xs text-slate-500">
            Search jobs
          </label>
          <input
            id={ids.search}
            type="search"
            placeholder={SEARCH_BY_LABELS[(SEARCH_BY as readonly string[]).includes(form.by) ? (form.by as keyof typeof SEARCH_BY_LABELS) : 'auto']}
            value={form.text}
            onChange={(e) => setForm({ ...form, text: e.target.value })}
            className={`${input} w-64`}
          />
        </div>
        <div className="flex flex-col">
          <label htmlFor={ids.by} className="text-xs text-slate-500">
            Search by
          </label>
          <select id={ids.by} value={form.by} onChange={(e) => setForm({ ...form, by: e.target.value })} className={input}>
            {SEARCH_BY.map((b) => (
              <option key={b} value={b}>
                {b === 'auto' ? 'Any (id, user, e-mail)' : SEARCH_BY_LABELS[b]}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col">
          <label htmlFor={ids.status} className="text-xs text-slate-500">
            Status
          </label>
          <select id={ids.status} value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })} className={input}>
            <option value="">any</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col">
          <label htmlFor={ids.from} className="text-xs text-slate-500">
            From
          </label>
          <input id={ids.from} type="datetime-local" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} className={input} />
        </div>
        <div className="flex flex-col">
          <label htmlFor={ids.to} className="text-xs text-slate-500">
            To
          </label>
          <input id={ids.to} type="datetime-local" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} className={input} />
        </div>
        <div className="flex flex-col">
          <label htmlFor={ids.size} className="text-xs text-slate-500">
            Page size
          </label>
          <select
            id={ids.size}
            value={pageSize}
            onChange={(e) => go({ ...applied, pageSize: Number(e.target.value) }, { replace: true })}
            className={input}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col">
          <label htmlFor={ids.refresh} className="text-xs text-slate-500">
            Auto-refresh
          </label>
          <select
            id={ids.refresh}
            value={applied.refresh}
            // Replaced, not pushed: the back button steps through searches, not refresh modes.
            onChange={(e) => go({ ...applied, refresh: e.target.value as RefreshMode }, { replace: true })}
            className={input}
            title="Off: reads only when you search. Every 10 s / 30 s: re-reads this page (up to 100 documents) each time. Live: one listener on the first page, a read per change of a job shown."
          >
            {REFRESH_MODES.map((m) => (
              <option key={m} value={m}>
                {REFRESH_LABELS[m]}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="primary">
          Search
        </Button>
        <Button onClick={() => go({ ...DEFAULT_STATE, pageSize: applied.pageSize, refresh: applied.refresh })}>Clear</Button>
        <Button onClick={() => void search.query.refetch()} disabled={search.query.isFetching}>
          {search.query.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </form>

      <div className="mb-3 flex flex-wrap items-center gap-2" role="group" aria-label="Status shortcuts">
        <span className="text-xs text-slate-500">Show:</span>
        {STATUS_SHORTCUTS.map((s) => {
          const active = applied.form.status === s.status;
          return (
            <Button
              key={s.status}
              size="sm"
              variant={active ? 'primary' : 'secondary'}
              aria-pressed={active}
              // A second click on the active one drops the status filter.
              onClick={() => go({ ...applied, form: { ...applied.form, status: active ? '' : s.status } })}
            >
              {s.label}
            </Button>
          );
        })}
        <span className="ml-auto text-xs text-slate-500" data-testid="job-refresh-state">
          {search.liveState
            ? search.liveState.error
              ? `Live updates stopped: ${describeError(search.liveState.error)}`
              : search.liveState.connected
                ? 'Live: this page updates as jobs change'
                : 'Live: connecting…'
            : search.intervalMs
              ? `Refreshes every ${search.intervalMs / 1000} s${applied.refresh === 'live' ? ' (live covers the first page)' : ''}`
              : null}
        </span>
      </div>

      {!parsed.ok && <ErrorState error={parsed.error} />}

      {canOperate && (
        <div className="mb-2 flex flex-wrap items-center gap-2" aria-label="Bulk actions" role="group">
          <span className="text-xs text-slate-500">{chosen.length} selected</span>
          {bulk('job.cancel', 'Cancel selected', 'Queued and waiting jobs are cancelled now and their audio deleted; running jobs get a cancel request and their worker aborts the upstream call.', 'danger')}
          {bulk('job.retry', 'Retry selected', 'Waiting jobs skip the rest of their backoff; failed jobs are queued again with a fresh attempt budget.', 'secondary')}
          {bulk('job.redrive', 'Redrive selected', 'Dead-lettered and failed jobs are queued again with a fresh attempt budget (their redrive count goes up).', 'secondary')}
        </div>
      )}
      {canOperate && parsed.ok && search.matchedBy !== 'id' && <ApplyToAllMatching filter={parsed.filter} />}

      {search.query.isPending ? (
        <Loading label="Loading jobs…" />
      ) : search.query.error ? (
        <ErrorState what="jobs" error={describeError(search.query.error)} onRetry={() => void search.query.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>No jobs match this search.</Empty>
      ) : (
        <Table caption="Jobs" head={head} testId="job-table">
          {(canOperate || search.matchedBy === 'id') && (
            <tr className="bg-slate-50 dark:bg-slate-900">
              <td className="px-3 py-1" colSpan={head.length}>
                {canOperate && (
                  <label className="inline-flex items-center gap-2 text-xs">
                    <input
                      type="checkbox"
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(okIds))}
                      className={focusRing}
                    />
                    Select all {okIds.length} on this page
                  </label>
                )}
                {search.matchedBy === 'id' && <span className="ml-3 text-xs text-slate-500">matched by job id</span>}
              </td>
            </tr>
          )}
          {rows.map((r) => {
            if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={head.length} />;
            const j = r.data;
            return (
              <tr key={r.id} data-testid={`job-row-${r.id}`}>
                {canOperate && (
                  <Td>
                    <input
                      type="checkbox"
                      aria-label={`Select job ${r.id}`}
                      checked={selected.has(r.id)}
                      onChange={() => {
                        const next = new Set(selected);
                        if (next.has(r.id)) next.delete(r.id);
                        else next.add(r.id);
                        setSelected(next);
                      }}
                      className={focusRing}
                    />
                  </Td>
                )}
                <Td mono>
                  <Link to={`/jobs/${encodeURIComponent(r.id)}`} className={`text-indigo-700 underline dark:text-indigo-300 ${focusRing}`}>
                    {r.id}
                  </Link>
                </Td>
                <Td>
                  <JobStatusBadge status={j.status} />
                </Td>
                <Td>{j.priority}</Td>
                <Td mono>{j.userId}</Td>
                <Td>{j.userEmail ?? '—'}</Td>
                <Td>{formatTime(j.createdAt)}</Td>
                <Td>
                  {j.attempts} / {j.maxAttempts}
                </Td>
                <Td>{j.lastErrorClass ?? '—'}</Td>
              </tr>
            );
          })}
        </Table>
      )}
      <nav aria-label="Job pages" className="mt-3 flex flex-wrap items-center gap-2">
        <Button size="sm" onClick={search.previousPage} disabled={!search.hasPrevious}>
          Previous page
        </Button>
        <span className="text-xs text-slate-500">Page {search.pageIndex + 1}</span>
        <Button
          size="sm"
          onClick={() => {
            setSelected(new Set());
            search.nextPage();
          }}
          disabled={!search.hasNext}
        >
          Next page
        </Button>
        <span className="ml-auto flex flex-wrap items-center gap-2" role="group" aria-label="Export">
          {exportState?.status === 'running' ? (
            <>
              <span className="text-xs text-slate-500" role="status">
                Exporting {exportState.format.toUpperCase()}… {exportState.count.toLocaleString('en-US')} jobs read
              </span>
              <Button size="sm" onClick={() => exportAbort.current?.abort()}>
                Stop export
              </Button>
            </>
          ) : (
            <>
              {exportState && (
                <span className={`text-xs ${exportState.status === 'failed' ? 'text-red-700 dark:text-red-300' : 'text-slate-500'}`} role="status" data-testid="export-result">
                  {exportState.message}
                </span>
              )}
              <Button
                size="sm"
                disabled={!parsed.ok}
                onClick={() => void runExport('csv')}
                title={`Every job this search matches, up to ${EXPORT_CAP.toLocaleString('en-US')} (one read each), without audio`}
              >
                Export CSV
              </Button>
              <Button size="sm" disabled={!parsed.ok} onClick={() => void runExport('json')} title={`Up to ${EXPORT_CAP.toLocaleString('en-US')} jobs as JSON documents, without audio`}>
                Export JSON
              </Button>
            </>
          )}
        </span>
      </nav>
    </Card>
  );
}

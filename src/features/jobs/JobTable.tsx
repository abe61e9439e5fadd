import { JOB_STATUSES } from '@fq/worker/schema';
import { MAX_BULK_IDS } from '@fq/worker/core';
import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Button, focusRing } from '../../components/ui/Button';
import { Card } from '../../components/ui/Card';
import { Empty, ErrorState, InvalidRow, Loading } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { describeError } from '../../data/errors';
import { describeJobFilter } from '../../data/queries';
import { formatTime } from '../../lib/format';
import { ControlButton } from '../controls/ControlButton';
import { JobStatusBadge } from './JobStatusBadge';
import { EMPTY_FORM, formFromParams, parseSearch, type SearchForm } from './search';
import { useJobSearch } from './useJobSearch';

const PAGE_SIZES = [25, 50, 100].filter((n) => n <= MAX_BULK_IDS);
const HEAD = ['', 'Job', 'Status', 'Priority', 'User', 'Created', 'Attempts', 'Last error'];
const input = `rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-800 ${focusRing}`;

export function JobTable() {
  const [params, setParams] = useSearchParams();
  const linked = formFromParams(params);
  const [form, setForm] = useState<SearchForm>(linked);
  const [applied, setApplied] = useState<SearchForm>(linked);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]!);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const ids = { search: useId(), status: useId(), from: useId(), to: useId(), size: useId() };
  const parsed = parseSearch(applied);
  const search = useJobSearch(parsed.ok ? parsed.text : null, parsed.ok ? parsed.filter : {}, pageSize);
  // A link to another search while this page is open (the dead-letter count) runs that search.
  const linkedKey = params.toString();
  const [shownLink, setShownLink] = useState(linkedKey);
  if (shownLink !== linkedKey) {
    setShownLink(linkedKey);
    setForm(linked);
    setApplied(linked);
    setSelected(new Set());
    search.reset();
  }
  const rows = search.query.data?.rows ?? [];
  const okIds = rows.filter((r) => r.ok).map((r) => r.id);
  const allSelected = okIds.length > 0 && okIds.every((id) => selected.has(id));
  const selection = parsed.ok
    ? `${search.query.data?.matchedBy === 'user' ? `user=${parsed.text}, ` : ''}${describeJobFilter(parsed.filter)}, page ${search.pageIndex + 1}`
    : 'selection';
  const chosen = [...selected];

  const submit = () => {
    setApplied(form);
    setSelected(new Set());
    search.reset();
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
          <input id={ids.search} type="search" placeholder="Job id or user id" value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} className={`${input} w-64`} />
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
            onChange={(e) => {
              setPageSize(Number(e.target.value));
              setSelected(new Set());
              search.reset();
            }}
            className={input}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="primary">
          Search
        </Button>
        <Button
          onClick={() => {
            setForm(EMPTY_FORM);
            setApplied(EMPTY_FORM);
            setSelected(new Set());
            search.reset();
            // The link's search is gone too, so following it again runs it again.
            if (linkedKey !== '') {
              setShownLink('');
              setParams({}, { replace: true });
            }
          }}
        >
          Clear
        </Button>
        <Button onClick={() => void search.query.refetch()} disabled={search.query.isFetching}>
          {search.query.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </form>

      {!parsed.ok && <ErrorState error={parsed.error} />}

      <div className="mb-2 flex flex-wrap items-center gap-2" aria-label="Bulk actions" role="group">
        <span className="text-xs text-slate-500">{chosen.length} selected</span>
        {bulk('job.cancel', 'Cancel selected', 'Queued and waiting jobs are cancelled now and their audio deleted; running jobs get a cancel request and their worker aborts the upstream call.', 'danger')}
        {bulk('job.retry', 'Retry selected', 'Waiting jobs skip the rest of their backoff; failed jobs are queued again with a fresh attempt budget.', 'secondary')}
        {bulk('job.redrive', 'Redrive selected', 'Dead-lettered and failed jobs are queued again with a fresh attempt budget (their redrive count goes up).', 'secondary')}
      </div>

      {search.query.isPending ? (
        <Loading label="Loading jobs…" />
      ) : search.query.error ? (
        <ErrorState what="jobs" error={describeError(search.query.error)} onRetry={() => void search.query.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>No jobs match this search.</Empty>
      ) : (
        <Table caption="Jobs" head={HEAD} testId="job-table">
          <tr className="bg-slate-50 dark:bg-slate-900">
            <td className="px-3 py-1" colSpan={HEAD.length}>
              <label className="inline-flex items-center gap-2 text-xs">
                <input
                  type="checkbox"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(okIds))}
                  className={focusRing}
                />
                Select all {okIds.length} on this page
              </label>
              {search.query.data?.matchedBy === 'id' && <span className="ml-3 text-xs text-slate-500">matched by job id</span>}
            </td>
          </tr>
          {rows.map((r) => {
            if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={HEAD.length} />;
            const j = r.data;
            return (
              <tr key={r.id} data-testid={`job-row-${r.id}`}>
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
      <nav aria-label="Job pages" className="mt-3 flex items-center gap-2">
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
      </nav>
    </Card>
  );
}

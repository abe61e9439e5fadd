import type { JobDoc } from '@fq/worker/schema';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useData } from '../../data/context';
import { useLiveDoc, useLiveQuery } from '../../data/hooks';
import type { PageCursor } from '../../data/port';
import { jobSearchSpec, specs, type JobFilter } from '../../data/queries';
import type { Row } from '../../data/rows';
import { queryKeys } from '../../live/keys';
import { REFRESH_INTERVAL_MS, type RefreshMode } from './search';

export type MatchedBy = 'id' | 'user' | 'filter';

/**
 * One page of the job table. A search text in `lookup` is tried as a job id first (one
 * document read), then the filter runs. "Refresh" and every control (see useControl) refetch it.
 *
 * Read cost by refresh mode (why the default is off, and why live covers one page only):
 * - off: one page (pageSize documents, 25-100) per search, page turn or Refresh;
 * - 10 s / 30 s: that page again per tick while the tab is visible (25 documents every 30 s =
 *   50 reads a minute; every 10 s = 150), whatever the queue does;
 * - live: ONE listener on the first page's query (or on the one job an id matched): pageSize
 *   reads when it opens, then one read per document that enters, changes or leaves that page,
 *   so it grows with how busy the shown jobs are (a "newest first" page of a busy queue changes
 *   with every new job; a dead-letter page rarely does). Later pages are not listened to; they
 *   refresh every 30 s instead. The listener closes when the mode, the search or the page changes.
 */
export function useJobSearch(lookup: string | null, filter: JobFilter, pageSize: number, refresh: RefreshMode = 'off') {
  const { port, prefix } = useData();
  // cursors[i] = cursor that starts page i (page 0 starts at the top)
  const [cursors, setCursors] = useState<(PageCursor | null)[]>([null]);
  const [pageIndex, setPageIndex] = useState(0);
  const spec = jobSearchSpec(filter, pageSize);
  const cursor = cursors[pageIndex] ?? null;
  const live = refresh === 'live' && pageIndex === 0;
  const intervalMs = refresh === 'live' ? (pageIndex === 0 ? null : 30_000) : REFRESH_INTERVAL_MS[refresh];
  const query = useQuery({
    queryKey: [...queryKeys.page(prefix, spec, cursor?.token ?? null), lookup ? `id:${lookup}` : 'filter'],
    queryFn: async () => {
      if (lookup && cursor === null) {
        const row = await port.getDoc(specs.job(lookup));
        if (row) return { rows: [row], next: null, matchedBy: 'id' as MatchedBy };
      }
      const page = await port.getPage(spec, cursor);
      return { ...page, matchedBy: (filter.userId && lookup ? 'user' : 'filter') as MatchedBy };
    },
    refetchInterval: intervalMs ?? false,
  });
  const matchedBy = query.data?.matchedBy;
  // The listener opens once the fetch has said what matched (a job id or the filter).
  const liveJob = useLiveDoc(live && matchedBy === 'id' && lookup ? specs.job(lookup) : null);
  const livePage = useLiveQuery(live && matchedBy !== undefined && matchedBy !== 'id' ? spec : null);
  let rows: Row<JobDoc>[] = query.data?.rows ?? [];
  if (live && matchedBy === 'id' && liveJob.data !== undefined) rows = liveJob.data ? [liveJob.data] : [];
  else if (live && matchedBy !== 'id' && livePage.data !== undefined) rows = livePage.data;
  const liveError = live ? (matchedBy === 'id' ? liveJob.error : livePage.error) : null;
  const next = query.data?.next ?? null;
  return {
    query,
    rows,
    matchedBy,
    /** Null when not live; else whether the listener has delivered (false while it opens). */
    liveState: live ? { connected: (matchedBy === 'id' ? liveJob.data : livePage.data) !== undefined, error: liveError } : null,
    intervalMs,
    pageIndex,
    hasPrevious: pageIndex > 0,
    hasNext: next !== null,
    nextPage: () => {
      if (!next) return;
      setCursors((c) => [...c.slice(0, pageIndex + 1), next]);
      setPageIndex((i) => i + 1);
    },
    previousPage: () => setPageIndex((i) => Math.max(0, i - 1)),
    /** Back to page one (new search). */
    reset: () => {
      setCursors([null]);
      setPageIndex(0);
    },
  };
}

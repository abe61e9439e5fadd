import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useData } from '../../data/context';
import type { PageCursor } from '../../data/port';
import { jobSearchSpec, specs, type JobFilter } from '../../data/queries';
import { queryKeys } from '../../live/keys';
import { couldBeDocId } from './search';

export type MatchedBy = 'id' | 'user' | 'filter';

/**
 * One page of the job table. Fetched, not listened to: a live job list would pay a read for
 * every job that changes under it, which grows with throughput. "Refresh" and every control
 * (see useControl) refetch it. A search text is tried as a job id first (one document read),
 * then as a user id.
 */
export function useJobSearch(text: string | null, filter: JobFilter, pageSize: number) {
  const { port, prefix } = useData();
  // cursors[i] = cursor that starts page i (page 0 starts at the top)
  const [cursors, setCursors] = useState<(PageCursor | null)[]>([null]);
  const [pageIndex, setPageIndex] = useState(0);
  const spec = jobSearchSpec({ ...filter, ...(text ? { userId: text } : {}) }, pageSize);
  const cursor = cursors[pageIndex] ?? null;
  const query = useQuery({
    queryKey: [...queryKeys.page(prefix, spec, cursor?.token ?? null), text ? 'id-or-user' : 'filter'],
    queryFn: async () => {
      if (text && couldBeDocId(text) && cursor === null) {
        const row = await port.getDoc(specs.job(text));
        if (row) return { rows: [row], next: null, matchedBy: 'id' as MatchedBy };
      }
      const page = await port.getPage(spec, cursor);
      return { ...page, matchedBy: (text ? 'user' : 'filter') as MatchedBy };
    },
  });
  const next = query.data?.next ?? null;
  return {
    query,
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

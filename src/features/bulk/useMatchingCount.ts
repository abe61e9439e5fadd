import type { BulkFilter } from '@fq/worker/schema';
import { useQuery } from '@tanstack/react-query';
import { useData } from '../../data/context';
import { matchingSpec } from './bulkFilter';

/**
 * How many jobs a bulk filter matches now (a count aggregation: one read per 1,000 jobs),
 * fetched when asked for (the panel asks when the operator opens it), not kept live.
 * `null` data: the data port has no count.
 */
export function useMatchingCount(filter: BulkFilter | null, enabled: boolean) {
  const { port, prefix } = useData();
  return useQuery<number | null, Error>({
    queryKey: ['fq', prefix, 'bulk-count', filter],
    enabled: enabled && filter !== null,
    staleTime: 0,
    queryFn: async () => (port.count && filter ? port.count(matchingSpec(filter)) : null),
  });
}

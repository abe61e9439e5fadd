import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useData } from '../../data/context';
import { specs } from '../../data/queries';
import { queryKeys } from '../../live/keys';
import { useClock } from '../../lib/clock';
import type { ServerCopy } from './fleetRows';
import { SERVER_LOAD_POLL_MS } from './health';

export interface ServerLoad {
  /** Each server's document as last read (the list's read, or a newer read of that one document). */
  copies: ReadonlyMap<string, ServerCopy>;
  /** Documents of the last list read that fail validation. */
  invalid: readonly { id: string; error: string }[];
  /** The first read of the list has not answered yet. */
  isPending: boolean;
  error: Error | null;
  retry: () => void;
  /** Reads these servers' documents again, one read each (a read already under way is not repeated). */
  recheck: (ids: readonly string[]) => void;
}

/**
 * The server documents, for their load figures and heartbeats: read once (`specs.servers()`
 * through the data port, one read per server), again every `SERVER_LOAD_POLL_MS`, and at once
 * whenever `refetchKey` changes from one known value to another (see `loadRefetchKey`). Not a
 * listener: each heartbeat would cost a read per open page.
 */
export function useServerLoad(refetchKey: string | null): ServerLoad {
  const { port, prefix } = useData();
  const clock = useClock();
  const spec = specs.servers();
  const list = useQuery({
    queryKey: queryKeys.page(prefix, spec, null),
    queryFn: async () => {
      // Sent now: every document in the answer is at least this fresh.
      const readAtLocalMs = clock.now();
      const page = await port.getPage(spec, null);
      return { rows: page.rows, readAtLocalMs };
    },
    refetchInterval: SERVER_LOAD_POLL_MS,
  });
  const { refetch } = list;

  const lastKey = useRef<string | null>(null);
  useEffect(() => {
    if (refetchKey === null) return;
    const previous = lastKey.current;
    lastKey.current = refetchKey;
    if (previous !== null && previous !== refetchKey) void refetch();
  }, [refetchKey, refetch]);

  const [rechecked, setRechecked] = useState<ReadonlyMap<string, ServerCopy>>(() => new Map());
  const underWay = useRef(new Set<string>());
  const recheck = useCallback(
    (ids: readonly string[]) => {
      for (const id of ids) {
        if (underWay.current.has(id)) continue;
        underWay.current.add(id);
        const readAtLocalMs = clock.now();
        port
          .getDoc(specs.server(id))
          .then(
            (row) => {
              if (row?.ok) setRechecked((m) => new Map(m).set(id, { doc: row.data, readAtLocalMs }));
              // Gone or unreadable: the list shows it as it is now.
              else void refetch();
            },
            // A failed read changes nothing: the next poll reads the server again.
            () => undefined,
          )
          .finally(() => underWay.current.delete(id));
      }
    },
    [clock, port, refetch],
  );

  const data = list.data;
  const { copies, invalid } = useMemo(() => {
    const copies = new Map<string, ServerCopy>();
    const invalid: { id: string; error: string }[] = [];
    if (!data) return { copies, invalid };
    for (const row of data.rows) {
      if (row.ok) copies.set(row.id, { doc: row.data, readAtLocalMs: data.readAtLocalMs });
      else invalid.push({ id: row.id, error: row.error });
    }
    // A single read sent after the list's wins; an older one is forgotten (the server may be gone).
    for (const [id, copy] of rechecked) {
      if (copy.readAtLocalMs >= data.readAtLocalMs && copies.has(id)) copies.set(id, copy);
    }
    return { copies, invalid };
  }, [data, rechecked]);

  return { copies, invalid, isPending: list.isPending, error: list.error, retry: () => void refetch(), recheck };
}

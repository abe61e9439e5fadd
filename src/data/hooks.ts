import type { CollectionKey } from '@fq/worker/schema';
import { useLive, type LiveResult } from '../live/react';
import { useData } from './context';
import type { Row } from './rows';
import type { DocOf } from './schemas';
import type { DocSpec, QuerySpec } from './specs';

/** A live document through the shared bridge (one listener per document, however many widgets). */
export function useLiveDoc<K extends CollectionKey>(spec: DocSpec<K> | null): LiveResult<Row<DocOf<K>> | null> {
  const { sources } = useData();
  return useLive(spec ? sources.doc(spec) : null);
}

/** A live, limited query through the shared bridge. */
export function useLiveQuery<K extends CollectionKey>(spec: QuerySpec<K> | null): LiveResult<Row<DocOf<K>>[]> {
  const { sources } = useData();
  return useLive(spec ? sources.query(spec) : null);
}

/** Firestore "now" from the offset estimate. */
export function useServerNow(localNow: number): number {
  const { serverClock } = useData();
  return serverClock.serverNow(localNow);
}

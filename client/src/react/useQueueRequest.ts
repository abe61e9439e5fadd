import type { QueueClient, RequestSnapshot } from '@fq/client';
import { useEffect, useState } from 'react';
import { useQueueClient } from './context.js';

const LOADING: RequestSnapshot = { request: null, isLoading: true, error: null };

/** One request, live (`client.watch`): null while unknown. */
export function useQueueRequest(requestId: string | null, options: { client?: QueueClient } = {}): RequestSnapshot {
  const client = useQueueClient(options.client);
  const [snapshot, setSnapshot] = useState<{ id: string | null; value: RequestSnapshot }>({ id: requestId, value: LOADING });
  useEffect(() => {
    if (requestId === null) return;
    return client.watch(requestId, (value) => setSnapshot({ id: requestId, value }));
  }, [client, requestId]);
  // A snapshot of the previous id is never shown for the new one.
  if (requestId === null) return { request: null, isLoading: false, error: null };
  return snapshot.id === requestId ? snapshot.value : LOADING;
}

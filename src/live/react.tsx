import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { LiveBridge } from './bridge';
import { deriveConnection, type ConnectionSummary } from './connection';
import type { LiveSource, LiveStatus } from './types';

const BridgeContext = createContext<LiveBridge | null>(null);

/** Owns one bridge per QueryClient; pass `bridge` to share one created elsewhere (tests). */
export function LiveProvider({ children, bridge }: { children: ReactNode; bridge?: LiveBridge }) {
  const client = useQueryClient();
  const [owned] = useState(() => bridge ?? new LiveBridge(client));
  useEffect(() => (bridge ? undefined : () => owned.dispose()), [bridge, owned]);
  return <BridgeContext.Provider value={owned}>{children}</BridgeContext.Provider>;
}

export function useLiveBridge(): LiveBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useLiveBridge must be used inside <LiveProvider>');
  return bridge;
}

const DISABLED_KEY = ['live', 'disabled'] as const;

export interface LiveResult<T> {
  data: T | undefined;
  error: Error | null;
  /** No data yet (first snapshot pending). */
  isPending: boolean;
  status: LiveStatus;
  retry: () => void;
}

/**
 * Observes a shared live source. `source` must be referentially stable per key (see
 * `createSources`): the effect retains it once and releases it on unmount or key change.
 */
export function useLive<T>(source: LiveSource<T> | null): LiveResult<T> {
  const bridge = useLiveBridge();
  useEffect(() => (source ? bridge.retain(source) : undefined), [bridge, source]);
  const query = useQuery<T, Error>({
    queryKey: source?.key ?? DISABLED_KEY,
    queryFn: skipToken,
    staleTime: Infinity,
  });
  const status = useSyncExternalStore(
    useCallback((cb: () => void) => bridge.subscribe(cb), [bridge]),
    () => (source ? bridge.statusOf(source.key) : 'detached'),
  );
  const retry = useCallback(() => {
    if (source) bridge.restart(source.key);
  }, [bridge, source]);
  return {
    data: query.data,
    error: query.error ?? (source ? bridge.errorOf(source.key) : null),
    isPending: source !== null && query.data === undefined && query.error === null,
    status,
    retry,
  };
}

function subscribeOnline(cb: () => void): () => void {
  window.addEventListener('online', cb);
  window.addEventListener('offline', cb);
  return () => {
    window.removeEventListener('online', cb);
    window.removeEventListener('offline', cb);
  };
}

export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine, () => true);
}

/** Connection state of all open listeners, for the shell's badge. */
export function useConnection(): ConnectionSummary {
  const bridge = useLiveBridge();
  const online = useOnline();
  // Re-render on every status change; the summary itself is cheap to derive.
  useSyncExternalStore(
    useCallback((cb: () => void) => bridge.subscribe(cb), [bridge]),
    () => bridge.getVersion(),
  );
  return deriveConnection(
    online,
    bridge.summaries().map((s) => s.status),
  );
}

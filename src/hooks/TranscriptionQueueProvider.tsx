import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, type ReactNode } from 'react';
import { DataProvider, type DataContextValue } from '../data/context';
import type { DataPort } from '../data/port';
import { createSources } from '../data/sources';
import { LiveBridge } from '../live/bridge';
import { LiveProvider } from '../live/react';
import { createServerClock } from '../live/serverClock';

/**
 * What an app needs around `useTranscriptionQueue`: the data port (e.g.
 * `createFirestoreData(getFirestore(app), prefix)`), the shared live bridge and the
 * server-clock estimate. Place it inside a TanStack `QueryClientProvider`.
 */
export function TranscriptionQueueProvider({ data, prefix = '', children }: { data: DataPort; prefix?: string; children: ReactNode }) {
  const client = useQueryClient();
  const bridge = useMemo(() => new LiveBridge(client), [client]);
  useEffect(() => () => bridge.dispose(), [bridge]);
  const value = useMemo<DataContextValue>(
    () => ({ port: data, sources: createSources(data, prefix), serverClock: createServerClock(), prefix }),
    [data, prefix],
  );
  return (
    <DataProvider value={value}>
      <LiveProvider bridge={bridge}>{children}</LiveProvider>
    </DataProvider>
  );
}

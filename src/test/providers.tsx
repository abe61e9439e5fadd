import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { createQueryClient } from '../app/App';
import { DataProvider, type DataContextValue } from '../data/context';
import { createSources } from '../data/sources';
import { ClockProvider } from '../lib/clock';
import { LiveBridge } from '../live/bridge';
import { LiveProvider } from '../live/react';
import { createServerClock } from '../live/serverClock';
import type { FakeData } from './fakeData';

/** Providers for hook tests: real query client, bridge and sources over a FakeData. */
export function dataWrapper(data: FakeData, now: () => number) {
  const client = createQueryClient();
  const bridge = new LiveBridge(client, { graceMs: 0 });
  const context: DataContextValue = { port: data, sources: createSources(data, ''), serverClock: createServerClock(), prefix: '' };
  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={client}>
        <ClockProvider clock={{ now, tickMs: 0 }}>
          <DataProvider value={context}>
            <LiveProvider bridge={bridge}>{children}</LiveProvider>
          </DataProvider>
        </ClockProvider>
      </QueryClientProvider>
    );
  }
  return { Wrapper, client, bridge, context };
}

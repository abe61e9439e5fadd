import { createServerClock } from '@fq/worker/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { createQueryClient } from '../app/App';
import { AppRoutes } from '../app/AppRoutes';
import type { AppServices } from '../app/services';
import { SessionProvider, useSession } from '../auth/session';
import { DataProvider, type DataContextValue } from '../data/context';
import { createSources } from '../data/sources';
import { ClockProvider } from '../lib/clock';
import { LiveBridge } from '../live/bridge';
import { LiveProvider } from '../live/react';
import { FakeAuth } from './fakeAuth';
import { FakeData } from './fakeData';
import { queueStoreOver } from './queueStore';
import { T0 } from './factories';

/** Pages live behind the session gate in the app; the harness waits for the fake session too. */
function SignedIn({ children }: { children: ReactNode }) {
  const { state } = useSession();
  return state.status === 'signed-in' ? children : null;
}

export interface PageHarness {
  data: FakeData;
  auth: FakeAuth;
  bridge: LiveBridge;
  context: DataContextValue;
}

/**
 * Renders a console page with fakes at the data seam: the real live bridge, sources, query
 * client and control executor run; only Firestore and Firebase Auth are replaced. Time is
 * fixed (`now`, default T0) and the server clock has no offset unless the test adds samples.
 */
export function renderPage(
  ui: ReactElement,
  options: { data?: FakeData; auth?: FakeAuth; now?: number; path?: string; route?: string } = {},
) {
  const data = options.data ?? new FakeData();
  const auth = options.auth ?? new FakeAuth().as({ isAdmin: true });
  const client = createQueryClient();
  const bridge = new LiveBridge(client, { graceMs: 0 });
  const context: DataContextValue = { port: data, sources: createSources(data, ''), serverClock: createServerClock(), prefix: '' };
  const now = options.now ?? T0;
  const wrap = (children: ReactNode) => (
    <QueryClientProvider client={client}>
      <SessionProvider auth={auth}>
        <ClockProvider clock={{ now: () => now, tickMs: 0 }}>
          <DataProvider value={context}>
            <LiveProvider bridge={bridge}>
              <MemoryRouter initialEntries={[options.path ?? '/']}>
                <SignedIn>
                  <Routes>
                    <Route path={options.route ?? '*'} element={children} />
                  </Routes>
                </SignedIn>
              </MemoryRouter>
            </LiveProvider>
          </DataProvider>
        </ClockProvider>
      </SessionProvider>
    </QueryClientProvider>
  );
  const result = render(wrap(ui));
  return { ...result, data, auth, bridge, context, client } satisfies PageHarness & Record<string, unknown>;
}

/** The whole app (routes, session gate, data gate) with fake services. */
export function renderApp(options: { auth?: FakeAuth; data?: FakeData; path?: string; loadData?: AppServices['loadData'] } = {}) {
  const auth = options.auth ?? new FakeAuth();
  const data = options.data ?? new FakeData();
  const services: AppServices = {
    auth,
    prefix: '',
    backendLabel: 'demo-test',
    loadData: options.loadData ?? (() => Promise.resolve(data)),
    loadQueueStore: () => Promise.resolve(queueStoreOver(data)),
  };
  const client = createQueryClient();
  const result = render(
    <QueryClientProvider client={client}>
      <SessionProvider auth={auth}>
        <MemoryRouter initialEntries={[options.path ?? '/']}>
          <AppRoutes services={services} />
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { ...result, auth, data, services };
}

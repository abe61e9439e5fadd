import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { BrowserRouter } from 'react-router';
import { SessionProvider, useSession } from '../auth/session';
import { AppRoutes } from './AppRoutes';
import type { AppServices } from './services';

const TRANSIENT = new Set(['unavailable', 'deadline-exceeded', 'aborted', 'resource-exhausted', 'internal']);

/**
 * Retry fetched reads only on transient failures; a permission error or a missing index will
 * not heal by asking again and the user should see it at once.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return failureCount < 2 && typeof code === 'string' && TRANSIENT.has(code);
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Live data arrives through listeners; fetched pages refetch on demand, not on focus.
      queries: { refetchOnWindowFocus: false, retry: shouldRetry },
      mutations: { retry: false },
    },
  });
}

/**
 * Drops every cached query when the signed-in user changes (sign-out, another account), so
 * one person's jobs never flash on the next person's screen.
 */
export function CacheResetOnUserChange() {
  const { state } = useSession();
  const client = useQueryClient();
  const uid = state.status === 'signed-in' ? state.user.uid : null;
  const previous = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (state.status === 'loading') return;
    if (previous.current !== undefined && previous.current !== uid) client.clear();
    previous.current = uid;
  }, [client, uid, state.status]);
  return null;
}

export function App({ services }: { services: AppServices }) {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <SessionProvider auth={services.auth}>
        <CacheResetOnUserChange />
        <BrowserRouter>
          <AppRoutes services={services} />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}

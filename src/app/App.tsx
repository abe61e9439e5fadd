import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter } from 'react-router';
import { SessionProvider } from '../auth/session';
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

export function App({ services }: { services: AppServices }) {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <SessionProvider auth={services.auth}>
        <BrowserRouter>
          <AppRoutes services={services} />
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  );
}

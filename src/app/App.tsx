import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter } from 'react-router';
import { SessionProvider } from '../auth/session';
import { AppRoutes } from './AppRoutes';
import type { AppServices } from './services';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Live data arrives through listeners; fetched pages refetch on demand, not on focus.
      queries: { refetchOnWindowFocus: false, retry: 1 },
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

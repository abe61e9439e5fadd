import type { QueueClient } from '@fq/client';
import { createContext, useContext, type ReactNode } from 'react';

const QueueClientContext = createContext<QueueClient | null>(null);

/**
 * Makes a client available to `useTranscriptionQueue`, `useQueueRequest` and
 * `TranscriptionQueueStatus` below it. Create the client for the signed-in user (and a new
 * one when the user changes): `useMemo(() => createQueueClient({ firestore: db, prefix, userId: user.uid }), [db, prefix, user.uid])`.
 */
export function TranscriptionQueueProvider({ client, children }: { client: QueueClient; children: ReactNode }) {
  return <QueueClientContext.Provider value={client}>{children}</QueueClientContext.Provider>;
}

/** The client passed explicitly, else the provider's; throws when there is neither. */
export function useQueueClient(explicit?: QueueClient | null): QueueClient {
  const provided = useContext(QueueClientContext);
  const client = explicit ?? provided;
  if (!client) throw new Error('no queue client: pass `client`, or render inside <TranscriptionQueueProvider client={...}>');
  return client;
}

/** The provider's client, or null outside a provider (for views that can also take a store). */
export function useProvidedQueueClient(): QueueClient | null {
  return useContext(QueueClientContext);
}

import { createQueueClient, type Priority, type QueueStore } from '@fq/client';
import { TranscriptionQueueProvider } from '@fq/client/react';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useUser } from '../auth/session';
import { ErrorState, Loading } from '../components/ui/States';
import { useClock } from '../lib/clock';

type LoadState = { status: 'loading' } | { status: 'ready'; store: QueueStore } | { status: 'error'; error: Error };

/**
 * Loads the queue's store (the Firestore chunk) once the user is signed in and provides a
 * `@fq/client` client for them, as an app developer would: the end-user page sees only the
 * client package, never the console's data layer. The console's clock drives the client's
 * (tests fix it; in the browser it ticks once a second).
 */
export function QueueClientGate({ loadStore, children }: { loadStore: () => Promise<QueueStore>; children: ReactNode }) {
  const user = useUser();
  const uiClock = useClock();
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // Loaded once per attempt, whatever the identity of the function passed in.
  const load = useRef(loadStore);
  useEffect(() => {
    let cancelled = false;
    load.current().then(
      (store) => !cancelled && setState({ status: 'ready', store }),
      (error: unknown) => !cancelled && setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  // By value: a new client (new listeners) only when the user or their tier changes.
  const allowedKey = user.priorities?.join(',') ?? null;
  const client = useMemo(
    () =>
      state.status === 'ready'
        ? createQueueClient({
            store: state.store,
            userId: user.uid,
            // Recorded on each job (the console searches by it); the rules check it is the token's.
            userEmail: user.email,
            allowedPriorities: allowedKey === null ? undefined : (allowedKey.split(',') as Priority[]),
            clock: uiClock,
            tickMs: uiClock.tickMs,
          })
        : null,
    [state, user.uid, user.email, allowedKey, uiClock],
  );

  if (state.status === 'error') {
    return (
      <ErrorState
        what="the queue"
        error={state.error}
        onRetry={() => {
          setState({ status: 'loading' });
          setAttempt((a) => a + 1);
        }}
      />
    );
  }
  if (!client) return <Loading label="Connecting to the queue…" />;
  return <TranscriptionQueueProvider client={client}>{children}</TranscriptionQueueProvider>;
}

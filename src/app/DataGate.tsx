import { createServerClock } from '@fq/worker/core';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { DataProvider, type DataContextValue } from '../data/context';
import type { DataPort } from '../data/port';
import { createSources } from '../data/sources';
import { docSpec } from '../data/specs';
import { Loading, ErrorState } from '../components/ui/States';
import { useClock } from '../lib/clock';
import { LiveProvider, useLive } from '../live/react';
import type { AppServices } from './services';

type LoadState = { status: 'loading' } | { status: 'ready'; port: DataPort } | { status: 'error'; error: Error };

/**
 * Loads the data layer (the Firestore chunk) once the user is allowed in, then provides the
 * data port, memoised live sources, the live bridge and the server-clock estimate.
 */
export function DataGate({ services, children }: { services: AppServices; children: ReactNode }) {
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    services.loadData().then(
      (port) => !cancelled && setState({ status: 'ready', port }),
      (error: unknown) =>
        !cancelled && setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      cancelled = true;
    };
  }, [services, attempt]);

  const value = useMemo<DataContextValue | null>(
    () =>
      state.status === 'ready'
        ? {
            port: state.port,
            sources: createSources(state.port, services.prefix),
            serverClock: createServerClock(),
            prefix: services.prefix,
          }
        : null,
    [state, services.prefix],
  );

  if (state.status === 'error') {
    return (
      <ErrorState
        what="the data layer"
        error={state.error}
        onRetry={() => {
          setState({ status: 'loading' });
          setAttempt((a) => a + 1);
        }}
      />
    );
  }
  if (!value) return <Loading label="Connecting to Firestore…" />;
  return (
    <DataProvider value={value}>
      <LiveProvider>
        <ServerClockFeed value={value} />
        {children}
      </LiveProvider>
    </DataProvider>
  );
}

/**
 * Feeds the server-clock estimate from documents the leader rewrites every few seconds with
 * Firestore time (queue stats `at`, leader lease `renewedAt`). Only CHANGES count as samples:
 * the first snapshot may be an old document and would skew the estimate.
 */
function ServerClockFeed({ value }: { value: DataContextValue }) {
  const clock = useClock();
  const stats = useLive(value.sources.doc(docSpec('stats', 'queue')));
  const leader = useLive(value.sources.doc(docSpec('leader', 'current')));
  const statsAt = stats.data?.ok ? stats.data.data.at : null;
  const renewedAt = leader.data?.ok ? leader.data.data.renewedAt : null;
  useFreshSample(statsAt, stats.status === 'live', (ms) => value.serverClock.observe(ms, clock.now()));
  useFreshSample(renewedAt, leader.status === 'live', (ms) => value.serverClock.observe(ms, clock.now()));
  return null;
}

function useFreshSample(serverMs: number | null, live: boolean, observe: (ms: number) => void) {
  const previous = useRef<number | null>(null);
  const observeRef = useRef(observe);
  useEffect(() => {
    observeRef.current = observe;
  });
  useEffect(() => {
    if (serverMs === null) return;
    const before = previous.current;
    previous.current = serverMs;
    if (before !== null && serverMs > before && live) observeRef.current(serverMs);
  }, [serverMs, live]);
}

import { firestoreQueueStore, watchQueueMonitor, type QueueClient, type QueueMonitorLimits, type QueueMonitorSnapshot, type QueueStore } from '@fq/client';
import type { Firestore } from 'firebase/firestore';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useProvidedQueueClient } from './context.js';
import {
  ago,
  MonitorBreakers,
  MonitorDeadLetters,
  MonitorPerformance,
  MonitorPriorities,
  MonitorQueue,
  MonitorRateLimits,
  MonitorServerList,
  MonitorServers,
  MonitorStatuses,
  type MonitorPartOptions,
} from './monitorParts.js';
import { MONITOR_CSS } from './monitorStyles.js';

/** Where the monitor reads: a store, a web-SDK Firestore (+ prefix), a client, else the provider's client. */
export interface QueueMonitorSourceProps extends QueueMonitorLimits {
  /** The Firestore instance the host app initialised (`getFirestore(app)`). */
  firestore?: Firestore;
  /** The workers' collection prefix (with `firestore`; default ""). */
  prefix?: string;
  /** Any QueueStore (tests, an app's own data layer). */
  store?: QueueStore;
  /** The client the end-user hook uses (its store and its estimate of server time). */
  client?: QueueClient;
  /** Store time now (default the client's estimate, else the browser's clock). */
  now?: () => number;
  /** How often heartbeat ages and windows are re-derived between snapshots (default 5 s). */
  tickMs?: number;
  /** How often the server documents are fetched again for their load (default 30 s; 0: only when the fleet changes). */
  serverRefreshMs?: number;
}

/** No store yet (no props, no provider): the monitor says so instead of throwing. */
export class MonitorSourceError extends Error {
  override readonly name = 'MonitorSourceError';
  constructor() {
    super('no queue to monitor: pass `firestore` (and `prefix`), `store` or `client`, or render inside <TranscriptionQueueProvider>');
  }
}

/** The store to read and its clock, from the props or the provider's client (null: none). */
function useMonitorSource(props: QueueMonitorSourceProps): { store: QueueStore; now: (() => number) | undefined } | null {
  const provided = useProvidedQueueClient();
  const client = props.client ?? provided;
  const { firestore, prefix = '', store: givenStore } = props;
  const store = useMemo(
    () => givenStore ?? (firestore ? firestoreQueueStore(firestore, { prefix }) : (client?.store ?? null)),
    [givenStore, firestore, prefix, client],
  );
  if (!store) return null;
  return { store, now: props.now ?? (client && !givenStore && !firestore ? client.serverNow : undefined) };
}

function useMonitorSnapshot(source: { store: QueueStore; now: (() => number) | undefined } | null, props: QueueMonitorSourceProps): QueueMonitorSnapshot | null {
  const store = source?.store ?? null;
  const now = source?.now;
  const { serverLimit, topUsers, deadLetters, tickMs, serverRefreshMs } = props;
  const [snapshot, setSnapshot] = useState<{ store: QueueStore; value: QueueMonitorSnapshot } | null>(null);
  useEffect(
    () =>
      store
        ? watchQueueMonitor(store, (value) => setSnapshot({ store, value }), {
            ...(now ? { now } : {}),
            ...(tickMs !== undefined ? { tickMs } : {}),
            ...(serverRefreshMs !== undefined ? { serverRefreshMs } : {}),
            ...(serverLimit !== undefined ? { serverLimit } : {}),
            ...(topUsers !== undefined ? { topUsers } : {}),
            ...(deadLetters !== undefined ? { deadLetters } : {}),
          })
        : undefined,
    // `now` is left out on purpose: an inline arrow would reopen every listener on each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, tickMs, serverRefreshMs, serverLimit, topUsers, deadLetters],
  );
  // A snapshot of another store is never shown for this one.
  return snapshot && snapshot.store === store ? snapshot.value : null;
}

/**
 * The monitor's live snapshot (`watchQueueMonitor` from `@fq/client`): null until the first
 * one. Throws MonitorSourceError when it has nowhere to read.
 */
export function useQueueMonitor(props: QueueMonitorSourceProps = {}): QueueMonitorSnapshot | null {
  const source = useMonitorSource(props);
  const snapshot = useMonitorSnapshot(source, props);
  if (!source) throw new MonitorSourceError();
  return snapshot;
}

export interface EnterpriseQueueMonitorProps extends QueueMonitorSourceProps, MonitorPartOptions {
  /** Heading (default "Transcription queue"); null: none. */
  title?: string | null;
  /** Added to the root's `fq-monitor` class. */
  className?: string;
  /** Leave out the built-in stylesheet (style the `fq-monitor*` classes yourself, or through `classNames`). */
  unstyled?: boolean;
}

/**
 * The design document's `<EnterpriseQueueMonitor />`: an admin monitor any React page can
 * embed. Live servers (counts, leader, states, heartbeats), the circuit breakers, the queue
 * by priority and status, success rate, throughput and latency, the heaviest users' rate-limit
 * usage and the newest dead letters, from the documents the fleet publishes (see
 * `watchQueueMonitor`: five small listeners, none on job lists beyond the few dead letters,
 * and a fetch of the server documents every 30 s instead of a listener paying every heartbeat).
 *
 * With no props it reads through the client of the surrounding `<TranscriptionQueueProvider>`;
 * or give it the app's `firestore` (and `prefix`). Reading takes an admin of the queue's
 * tenant (`admin: true` claim). It is the monitor's parts (`MonitorServers`, `MonitorQueue`,
 * ...) in cards: markup `fq-monitor` root with `data-loading`, `data-servers`,
 * `data-queue-size`, `data-breaker`, `data-paused`; cards `fq-monitor__card` with
 * `data-section`; its own scoped stylesheet unless `unstyled`, themable through `--fq-*` CSS
 * variables; `classNames` and `format` go to every part.
 */
export function EnterpriseQueueMonitor(props: EnterpriseQueueMonitorProps) {
  const { title = 'Transcription queue', className, unstyled, classNames, format } = props;
  const rootClass = className ? `fq-monitor ${className}` : 'fq-monitor';
  const source = useMonitorSource(props);
  const snapshot = useMonitorSnapshot(source, props);
  if (!source) {
    return (
      <section className={rootClass} data-loading="false">
        {!unstyled && <style>{MONITOR_CSS}</style>}
        <p className="fq-monitor__problem" role="alert">
          {new MonitorSourceError().message}
        </p>
      </section>
    );
  }
  const s = snapshot?.stats;
  const loading = !snapshot || snapshot.loading;
  const parts = snapshot ? { snapshot, classNames, format } : null;
  return (
    <section
      className={rootClass}
      aria-label={title ?? 'Transcription queue monitor'}
      aria-busy={loading}
      data-loading={String(loading)}
      data-servers={s && !loading ? s.servers.length : undefined}
      data-queue-size={s && !loading ? s.queueStats.totalInQueue : undefined}
      data-breaker={s && !loading ? s.circuitBreaker.state : undefined}
      data-paused={s && !loading ? String(s.queueStats.paused) : undefined}
    >
      {!unstyled && <style>{MONITOR_CSS}</style>}
      <header className="fq-monitor__header">
        {title !== null && <h2 className="fq-monitor__title">{title}</h2>}
        <span className="fq-monitor__updated">
          {loading ? 'Loading…' : s?.queueStats.refreshedAt ? `figures from ${ago(Math.max(0, s.generatedAt - s.queueStats.refreshedAt))}` : 'no figures yet: no leader has run'}
        </span>
      </header>
      {snapshot?.errors.map((e) => (
        <p key={e.source} className="fq-monitor__problem" role="alert" data-source={e.source}>
          Cannot read {e.source}: {e.message}
        </p>
      ))}
      {snapshot && snapshot.invalidDocuments > 0 && (
        <p className="fq-monitor__problem" role="alert">
          {snapshot.invalidDocuments} document(s) failed validation and are left out.
        </p>
      )}
      {parts && (
        <>
          <Card section="servers" title="Servers">
            <MonitorServers {...parts} />
            <MonitorServerList {...parts} />
          </Card>
          <Card section="breaker" title="Circuit breaker">
            <MonitorBreakers {...parts} />
          </Card>
          <Card section="queue" title="Queue">
            <MonitorQueue {...parts} />
            <MonitorPriorities {...parts} />
          </Card>
          <Card section="status" title="By status">
            <MonitorStatuses {...parts} />
          </Card>
          <Card section="performance" title="Performance">
            <MonitorPerformance {...parts} />
          </Card>
          <Card section="rate-limits" title="Rate limits">
            <MonitorRateLimits {...parts} />
          </Card>
          <Card section="dead-letters" title="Dead letters" wide>
            <MonitorDeadLetters {...parts} />
          </Card>
        </>
      )}
    </section>
  );
}

function Card(props: { section: string; title: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={props.wide ? 'fq-monitor__card fq-monitor__card--wide' : 'fq-monitor__card'} data-section={props.section}>
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

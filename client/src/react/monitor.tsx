import { firestoreQueueStore, watchQueueMonitor, type QueueClient, type QueueMonitorLimits, type QueueMonitorSnapshot, type QueueStore } from '@fq/client';
import type { Firestore } from 'firebase/firestore';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useProvidedQueueClient } from './context.js';
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

export interface EnterpriseQueueMonitorProps extends QueueMonitorSourceProps {
  /** Heading (default "Transcription queue"); null: none. */
  title?: string | null;
  /** Added to the root's `fq-monitor` class. */
  className?: string;
  /** Leave out the built-in stylesheet (style the `fq-monitor*` classes yourself). */
  unstyled?: boolean;
}

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const ms = (v: number | null) => (v === null ? '—' : v < 1_000 ? `${Math.round(v)} ms` : `${(v / 1_000).toFixed(1)} s`);
const age = (v: number) => (v < 60_000 ? `${Math.round(v / 1_000)} s ago` : `${Math.round(v / 60_000)} min ago`);
/** A load figure of a server whose document the monitor has not fetched yet is null. */
const load = (v: number | null) => (v === null ? '—' : String(v));
const stateLabel = (s: string) => s.replace('_', '-');

/**
 * The design document's `<EnterpriseQueueMonitor />`: an admin monitor any React page can
 * embed. Live servers (count, leader, states, heartbeats), the circuit breakers, the queue
 * by priority and status, success rate, throughput and latency, the heaviest users' rate-limit
 * usage and the newest dead letters, from the documents the fleet publishes (see
 * `watchQueueMonitor`: five small listeners, none on job lists beyond the few dead letters,
 * and a fetch of the server documents every 30 s instead of a listener paying every heartbeat).
 *
 * With no props it reads through the client of the surrounding `<TranscriptionQueueProvider>`;
 * or give it the app's `firestore` (and `prefix`). Reading takes an admin of the queue's
 * tenant (`admin: true` claim). Markup: `fq-monitor` root with `data-loading`, `data-servers`,
 * `data-queue-size`, `data-breaker`, `data-paused`; sections `fq-monitor__card` with `data-section`; its own
 * scoped stylesheet unless `unstyled`, themable through `--fq-*` CSS variables.
 */
export function EnterpriseQueueMonitor(props: EnterpriseQueueMonitorProps) {
  const { title = 'Transcription queue', className, unstyled } = props;
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
          {loading ? 'Loading…' : s?.queueStats.refreshedAt ? `figures from ${age(Math.max(0, s.generatedAt - s.queueStats.refreshedAt))}` : 'no figures yet: no leader has run'}
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
      {s && snapshot && (
        <>
          <Card section="servers" title="Servers">
            <div className="fq-monitor__figure" data-testid="fq-monitor-servers">
              {s.servers.length}
            </div>
            <div>
              Leader: <span className="fq-monitor__leader">{s.leader.serverId ?? 'none'}</span>
              {s.leader.serverId && ` (term ${s.leader.term})`}
            </div>
            {s.servers.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th>Server</th>
                    <th>State</th>
                    <th>Jobs</th>
                    <th>Heartbeat</th>
                  </tr>
                </thead>
                <tbody>
                  {s.servers.map((srv) => (
                    <tr key={srv.serverId} data-server-id={srv.serverId} data-state={srv.stale ? 'stale' : srv.state} data-stale={String(srv.stale)}>
                      <td>{srv.serverId}</td>
                      <td>{srv.stale ? `${srv.state} (stale)` : srv.state}</td>
                      <td className="fq-monitor__num">
                        {load(srv.inFlight)}/{load(srv.concurrencyLimit)}
                      </td>
                      <td>{srv.heartbeatAgeMs === null ? '—' : age(srv.heartbeatAgeMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          <Card section="breaker" title="Circuit breaker">
            <div className="fq-monitor__figure" data-state={s.circuitBreaker.state}>
              {stateLabel(s.circuitBreaker.state)}
            </div>
            {Object.entries(s.circuitBreaker.byModel).map(([model, b]) => (
              <div key={model} data-model={model} data-state={b.state}>
                {model}: {stateLabel(b.state)}
                {b.override ? ` (forced ${b.override})` : ''}
              </div>
            ))}
          </Card>
          <Card section="queue" title="Queue">
            <div className="fq-monitor__figure" data-testid="fq-monitor-queue-size">
              {s.queueStats.totalInQueue}
            </div>
            <div>
              in queue, {s.queueStats.inFlight} running{s.queueStats.paused ? ' — paused' : ''}
            </div>
            <table aria-label="Queued by priority">
              <tbody>
                {Object.entries(s.queueStats.byPriority).map(([p, n]) => (
                  <tr key={p} data-priority={p}>
                    <th>{p}</th>
                    <td className="fq-monitor__num">{n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card section="status" title="By status">
            <table aria-label="Jobs by status">
              <tbody>
                {Object.entries(s.queueStats.byStatus).map(([status, n]) => (
                  <tr key={status} data-status={status}>
                    <th>{status.replace('_', ' ')}</th>
                    <td className="fq-monitor__num">{n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card section="performance" title="Performance">
            <div className="fq-monitor__figure" data-testid="fq-monitor-success-rate">
              {pct(s.performance.successRate)}
            </div>
            <div>success rate</div>
            <div data-testid="fq-monitor-throughput">{num(s.performance.throughputPerMin)} jobs/min</div>
            <div>
              p50 {ms(s.performance.p50Ms)}, p95 {ms(s.performance.p95Ms)}
            </div>
          </Card>
          <Card section="rate-limits" title="Rate limits">
            {snapshot.rateLimits.length === 0 ? (
              <p className="fq-monitor__empty">No user has submitted in the window.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Used</th>
                    <th>Left</th>
                  </tr>
                </thead>
                <tbody>
                  {snapshot.rateLimits.map((u) => (
                    <tr key={u.userId} data-user-id={u.userId}>
                      <td>{u.userId}</td>
                      <td className="fq-monitor__num">
                        {u.used}/{u.capacity}
                      </td>
                      <td className="fq-monitor__num">{u.remaining}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          <Card section="dead-letters" title="Dead letters" wide>
            {snapshot.deadLetters.length === 0 ? (
              <p className="fq-monitor__empty">None.</p>
            ) : (
              <table>
                <tbody>
                  {snapshot.deadLetters.map((d) => (
                    <tr key={d.requestId} data-request-id={d.requestId}>
                      <td>{d.requestId}</td>
                      <td>{d.userId}</td>
                      <td>{new Date(d.at).toISOString()}</td>
                      <td>{d.error ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
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

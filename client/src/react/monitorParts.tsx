import type { JobStatus, QueueMonitorSnapshot } from '@fq/client';
import type { ReactNode } from 'react';

/**
 * The monitor's parts: each renders one block of `<EnterpriseQueueMonitor />` from a snapshot
 * (`useQueueMonitor`, `watchQueueMonitor`, or `queueMonitorSnapshot` over documents a host
 * already reads), without a frame or a stylesheet, so a host's own admin page can place them
 * in its own cards and style them. The monitor is these parts in its cards; the figures each
 * part shows, their labels and their markup are defined here once for both.
 *
 * Markup: figures are a `<dl class="fq-monitor__figures">` of `<div class="fq-monitor__stat"
 * data-figure="…">` with `<dt class="fq-monitor__label">`, `<dd class="fq-monitor__figure"
 * data-testid="fq-monitor-…">` (the value) and an optional `<dd class="fq-monitor__hint">`;
 * lists are `<ul class="fq-monitor__list">` of `<li class="fq-monitor__item">`. The built-in
 * stylesheet only applies inside an `fq-monitor` root: outside it, the parts are unstyled
 * until `classNames` adds the host's classes.
 */

/** Classes a host adds to the parts' elements (beside their `fq-monitor__*` classes). */
export interface MonitorClassNames {
  /** A part's list of figures (`<dl>`). */
  figures?: string;
  /** One figure: its label, value and hint (`<div>`). */
  figure?: string;
  /** A figure's label (`<dt>`). */
  label?: string;
  /** A figure's value (`<dd>`). */
  value?: string;
  /** A figure's note under its value (`<dd>`). */
  hint?: string;
  /** The leader's server id (the value of the `leader` figure, instead of `value`). */
  leader?: string;
  /** The tables: queued by priority, servers, rate limits, dead letters. */
  table?: string;
  /** The lists: jobs by status, breakers by model (`<ul>`). */
  list?: string;
  /** One entry of a list (`<li>`). */
  item?: string;
  /** An entry's name: a status, a model. */
  name?: string;
  /** An entry's count: jobs in a status. */
  count?: string;
  /** A breaker state or override word (carries `data-state`). */
  state?: string;
  /** "None." and the like. */
  empty?: string;
}

/** How the parts print numbers (each host may print them as its other pages do). */
export interface MonitorFormat {
  /** A count or a rate with at most `digits` decimals. */
  number(value: number, digits: number): string;
  /** A ratio in [0, 1] as a percentage. */
  percent(ratio: number): string;
  /** A duration or an age, in ms. */
  duration(ms: number): string;
}

/** What a link in a part points at; the host knows its own pages. */
export type MonitorLinkTarget = { kind: 'status'; status: JobStatus; count: number };

/**
 * Turns an entry into a link into the host's pages: return the host's link element around
 * `children` (a router's `<Link>`), or null for no link.
 */
export type MonitorLink = (target: MonitorLinkTarget, children: ReactNode) => ReactNode;

/** The look a host gives every part (`classNames`, `format`); spread one object over each. */
export interface MonitorPartOptions {
  classNames?: MonitorClassNames;
  format?: Partial<MonitorFormat>;
}

export interface MonitorPartProps extends MonitorPartOptions {
  snapshot: QueueMonitorSnapshot;
}

/** Parts that show figures take the host's own figures after theirs. */
export interface MonitorFiguresProps extends MonitorPartProps {
  children?: ReactNode;
}

const DEFAULT_MONITOR_FORMAT: MonitorFormat = {
  number: (v, digits) => (Number.isInteger(v) ? String(v) : v.toFixed(digits)),
  percent: (r) => `${Math.round(r * 100)}%`,
  duration: (v) => (v < 1_000 ? `${Math.round(v)} ms` : `${(v / 1_000).toFixed(1)} s`),
};

const cx = (...names: (string | undefined | false)[]) => names.filter(Boolean).join(' ') || undefined;
const look = (props: MonitorPartOptions) => ({ cn: props.classNames ?? {}, f: { ...DEFAULT_MONITOR_FORMAT, ...props.format } });
/** "12 s ago", "3 min ago": heartbeat ages and how old the figures are. */
export const ago = (v: number) => (v < 60_000 ? `${Math.round(v / 1_000)} s ago` : `${Math.round(v / 60_000)} min ago`);
const words = (s: string) => s.replace(/_/g, ' ');
const stateLabel = (s: string) => s.replace('_', '-');
const orDash = <T,>(v: T | null, show: (v: T) => string) => (v === null ? '—' : show(v));

function Figures({ cn, children }: { cn: MonitorClassNames; children: ReactNode }) {
  return <dl className={cx('fq-monitor__figures', cn.figures)}>{children}</dl>;
}

function Figure(props: { cn: MonitorClassNames; name: string; label: string; value: ReactNode; hint?: ReactNode; state?: string; valueClass?: string }) {
  const { cn, name } = props;
  return (
    <div className={cx('fq-monitor__stat', cn.figure)} data-figure={name}>
      <dt className={cx('fq-monitor__label', cn.label)}>{props.label}</dt>
      <dd className={cx('fq-monitor__figure', props.valueClass ?? cn.value)} data-testid={`fq-monitor-${name}`} data-state={props.state}>
        {props.value}
      </dd>
      {props.hint !== undefined && props.hint !== null && <dd className={cx('fq-monitor__hint', cn.hint)}>{props.hint}</dd>}
    </div>
  );
}

/** Live servers per state and the leader (`serverStates`, `stats.leader`). */
export function MonitorServers(props: MonitorFiguresProps) {
  const { cn, f } = look(props);
  const { serverStates: n, stats: s } = props.snapshot;
  const count = (v: number | null | undefined) => (v === null || v === undefined ? '—' : f.number(v, 0));
  return (
    <Figures cn={cn}>
      <Figure cn={cn} name="active-servers" label="Active" value={count(n?.active)} />
      <Figure cn={cn} name="draining-servers" label="Draining" value={count(n?.draining)} />
      <Figure cn={cn} name="lost-servers" label="Lost" value={count(n?.lost)} hint="declared silent by the leader" />
      <Figure
        cn={cn}
        name="leader"
        label="Leader"
        value={s.leader.serverId ?? 'none'}
        valueClass={cx('fq-monitor__leader', cn.leader ?? cn.value)}
        hint={s.leader.serverId ? `term ${s.leader.term}` : s.leader.term > 0 ? `no live lease (term ${s.leader.term})` : undefined}
      />
      {props.children}
    </Figures>
  );
}

/** The live servers with their load as last fetched (null figures, "—", until fetched). */
export function MonitorServerList(props: MonitorPartProps) {
  const { cn, f } = look(props);
  const servers = props.snapshot.stats.servers;
  if (servers.length === 0) return null;
  const load = (v: number | null) => orDash(v, (x) => f.number(x, 0));
  return (
    <table className={cx('fq-monitor__servers', cn.table)} aria-label="Live servers" data-testid="fq-monitor-server-list">
      <thead>
        <tr>
          <th>Server</th>
          <th>State</th>
          <th>Jobs</th>
          <th>Heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {servers.map((srv) => (
          <tr key={srv.serverId} data-server-id={srv.serverId} data-state={srv.stale ? 'stale' : srv.state} data-stale={String(srv.stale)}>
            <td>{srv.serverId}</td>
            <td>{srv.stale ? `${srv.state} (stale)` : srv.state}</td>
            <td className="fq-monitor__num">
              {load(srv.inFlight)}/{load(srv.concurrencyLimit)}
            </td>
            <td>{srv.heartbeatAgeMs === null ? '—' : ago(srv.heartbeatAgeMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The worst breaker state, and each model's breaker with an operator's override. */
export function MonitorBreakers(props: MonitorFiguresProps) {
  const { cn } = look(props);
  const b = props.snapshot.stats.circuitBreaker;
  const models = Object.entries(b.byModel);
  return (
    <>
      <Figures cn={cn}>
        <Figure cn={cn} name="breaker" label="Worst state" value={stateLabel(b.state)} state={b.state} />
        {props.children}
      </Figures>
      {models.length === 0 ? (
        <p className={cx('fq-monitor__empty', cn.empty)}>No breaker documents yet.</p>
      ) : (
        <ul className={cx('fq-monitor__list', cn.list)} aria-label="Breakers by model">
          {models.map(([model, m]) => (
            <li key={model} className={cx('fq-monitor__item', cn.item)} data-model={model} data-state={m.state} data-testid={`fq-monitor-breaker-${model}`}>
              <span className={cx('fq-monitor__name', cn.name)}>{model}</span>{' '}
              <span className={cx('fq-monitor__state', cn.state)} data-state={m.state}>
                {stateLabel(m.state)}
              </span>
              {m.override && (
                <>
                  {' '}
                  <span className={cx('fq-monitor__state', cn.state)} data-override={m.override}>
                    {m.override === 'force_open' ? 'forced open' : 'forced closed'}
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The queue: jobs waiting (queued, waiting or submitted), running, the oldest one's wait, paused. */
export function MonitorQueue(props: MonitorFiguresProps) {
  const { cn, f } = look(props);
  const s = props.snapshot.stats;
  const q = s.queueStats;
  const paused = q.paused ? 'paused' : q.pausedPriorities.length > 0 ? `paused: ${q.pausedPriorities.join(', ')}` : undefined;
  return (
    <Figures cn={cn}>
      <Figure cn={cn} name="queue-size" label="In queue" value={f.number(q.totalInQueue, 0)} hint={paused} />
      <Figure cn={cn} name="in-flight" label="Running" value={f.number(q.inFlight, 0)} />
      <Figure cn={cn} name="oldest-queued" label="Oldest queued" value={orDash(q.oldestQueuedAt, (t) => f.duration(Math.max(0, s.generatedAt - t)))} />
      {props.children}
    </Figures>
  );
}

/** Claimable jobs per priority. */
export function MonitorPriorities(props: MonitorPartProps) {
  const { cn, f } = look(props);
  return (
    <table className={cx('fq-monitor__priorities', cn.table)} aria-label="Queued by priority" data-testid="fq-monitor-priorities">
      <tbody>
        {Object.entries(props.snapshot.stats.queueStats.byPriority).map(([p, n]) => (
          <tr key={p} data-priority={p}>
            <th>{p}</th>
            <td className="fq-monitor__num">{f.number(n, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Jobs per status; `link` makes an entry a link into the host's job list. */
export function MonitorStatuses(props: MonitorPartProps & { link?: MonitorLink }) {
  const { cn, f } = look(props);
  return (
    <ul className={cx('fq-monitor__list', cn.list)} aria-label="Jobs by status" data-testid="fq-monitor-statuses">
      {(Object.entries(props.snapshot.stats.queueStats.byStatus) as [JobStatus, number][]).map(([status, n]) => {
        const content = (
          <>
            <span className={cx('fq-monitor__name', cn.name)}>{words(status)}</span>{' '}
            <span className={cx('fq-monitor__num', cn.count)}>{f.number(n, 0)}</span>
          </>
        );
        return (
          <li key={status} className={cx('fq-monitor__item', cn.item)} data-status={status} data-count={n}>
            {props.link?.({ kind: 'status', status, count: n }, content) ?? content}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Success rate, throughput, latency and Firestore operations per job, as the leader publishes
 * them. `throughput`: the host's own throughput figure in place of the leader's (a rate over
 * a window the host states, e.g. from its charts' rollups).
 */
export function MonitorPerformance(props: MonitorFiguresProps & { throughput?: ReactNode }) {
  const { cn, f } = look(props);
  const p = props.snapshot.stats.performance;
  const ms = (v: number | null) => orDash(v, f.duration);
  return (
    <Figures cn={cn}>
      <Figure cn={cn} name="success-rate" label="Success rate" value={orDash(p.successRate, f.percent)} />
      {props.throughput !== undefined ? (
        props.throughput
      ) : (
        <Figure cn={cn} name="throughput" label="Throughput" value={f.number(p.throughputPerMin, 1)} hint="completed jobs/min, the leader's last 5 min" />
      )}
      <Figure cn={cn} name="p50" label="p50 latency" value={ms(p.p50Ms)} />
      <Figure cn={cn} name="p95" label="p95 latency" value={ms(p.p95Ms)} />
      <Figure cn={cn} name="ops-per-job" label="Firestore ops / job" value={orDash(p.firestoreOpsPerJob, (v) => f.number(v, 1))} />
      {props.children}
    </Figures>
  );
}

/** The heaviest users' rate-limit usage (`rateLimits`). */
export function MonitorRateLimits(props: MonitorPartProps) {
  const { cn, f } = look(props);
  const users = props.snapshot.rateLimits;
  if (users.length === 0) return <p className={cx('fq-monitor__empty', cn.empty)}>No user has submitted in the window.</p>;
  return (
    <table className={cn.table} aria-label="Rate-limit usage" data-testid="fq-monitor-rate-limits">
      <thead>
        <tr>
          <th>User</th>
          <th>Used</th>
          <th>Left</th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.userId} data-user-id={u.userId}>
            <td>{u.userId}</td>
            <td className="fq-monitor__num">
              {f.number(u.used, 0)}/{f.number(u.capacity, 0)}
            </td>
            <td className="fq-monitor__num">{f.number(u.remaining, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The newest dead-lettered jobs with their last error (`deadLetters`). */
export function MonitorDeadLetters(props: MonitorPartProps) {
  const { cn } = look(props);
  const jobs = props.snapshot.deadLetters;
  if (jobs.length === 0) return <p className={cx('fq-monitor__empty', cn.empty)}>None.</p>;
  return (
    <table className={cn.table} aria-label="Dead letters" data-testid="fq-monitor-dead-letters">
      <tbody>
        {jobs.map((d) => (
          <tr key={d.requestId} data-request-id={d.requestId}>
            <td>{d.requestId}</td>
            <td>{d.userId}</td>
            <td>{new Date(d.at).toISOString()}</td>
            <td>{d.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

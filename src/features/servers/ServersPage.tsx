import type { ServerLiveness } from '@fq/worker/schema';
import { useEffect } from 'react';
import { Badge, Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, ErrorState, InvalidRow, Loading } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useCanOperate } from '../../auth/roles';
import { useData } from '../../data/context';
import { describeError } from '../../data/errors';
import { useLiveDoc, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber } from '../../lib/format';
import { DrainControl, drainView } from './DrainControl';
import { sliceViews } from './budget-slice';
import { fleetRows, loadRefetchKey, type FleetRow } from './fleetRows';
import { leaderJudges, leaderView, publishedLiveness, recheckDueAt, serverHealth, SERVER_LOAD_POLL_MS, type Heard, type LeaderView } from './health';
import { useServerLoad } from './useServerLoad';

const HEAD = ['Server', 'State', 'Heartbeat age', 'In flight', 'Concurrency limit', 'Budget slice', 'Completed / failed', 'Version', 'Host'];
/** Operators get one more column: drain / resume. */
const OPERATOR_HEAD = [...HEAD, 'Control'];
/** A load figure not read yet (a server that just joined). */
const UNREAD = '—';

/**
 * The fleet: who is there and in which state from the leader's fleet summary in the stats
 * document (a listener every page shares, which a heartbeat does not touch), each server's
 * load from its document, read every `SERVER_LOAD_POLL_MS` and when the summary or the leader
 * changes (`useServerLoad`), not listened to: a listener paid a read per heartbeat per open
 * page. Staleness is the leader's rule on what the page read (see `serverHealth`).
 */
export function ServersPage() {
  const now = useServerNow(useNow());
  const { serverClock } = useData();
  const leader = useLiveDoc(specs.leader());
  const stats = useLiveDoc(specs.queueStats());
  const statsDoc = stats.data?.ok ? stats.data.data : null;
  const liveness = publishedLiveness(statsDoc);
  const fleet = statsDoc?.fleet ?? null;
  const leaseDoc = leader.data?.ok ? leader.data.data : null;
  const lease = leaderView(leaseDoc, now);
  const judges = leaderJudges(leaseDoc, now);
  // The drained servers live in the queue controls (server.drain / server.resume).
  const controls = useLiveDoc(specs.controls());
  const drained = new Set(controls.data?.ok ? controls.data.data.drainedServers : []);
  const canOperate = useCanOperate();
  const head = canOperate ? OPERATOR_HEAD : HEAD;

  const load = useServerLoad(
    loadRefetchKey({ loaded: stats.data !== undefined, fleet }, { loaded: leader.data !== undefined, doc: leaseDoc }),
  );
  const rows = fleetRows(fleet, load.copies, load.invalid);
  const heardOf = (row: Extract<FleetRow, { kind: 'server' }>): Heard | null =>
    row.copy && { heartbeatAt: row.copy.doc.heartbeatAt, heartbeatIntervalMs: row.copy.doc.heartbeatIntervalMs, readAtMs: serverClock.serverNow(row.copy.readAtLocalMs) };
  // Servers to read again now (a deadline passed since the last read, or a silent one may be back).
  const due = rows
    .filter((r) => r.kind === 'server')
    .filter((r) => {
      const at = recheckDueAt(r.state, heardOf(r), liveness, judges);
      return at !== null && now >= at;
    })
    .map((r) => r.serverId)
    .join(',');
  const { recheck } = load;
  useEffect(() => {
    if (due) recheck(due.split(','));
  }, [due, recheck]);

  return (
    <div className="space-y-4" data-testid="servers-page">
      <h2 className="text-lg font-semibold">Servers</h2>
      <Card title="Leader">
        <LiveView result={leader} what="the leader lease">
          {(row) =>
            !row ? (
              <Empty>No leader elected yet.</Empty>
            ) : !row.ok ? (
              <InvalidRow id={row.id} error={row.error} />
            ) : (
              <p className="text-sm" data-testid="leader-info">
                <span className="font-mono">{row.data.holder ?? 'none'}</span> holds term <strong>{row.data.term}</strong>;{' '}
                {lease?.expired ? (
                  <Badge tone="bad">lease expired — election due</Badge>
                ) : (
                  <>lease expires in {formatDuration(lease?.expiresInMs ?? 0)}</>
                )}
              </p>
            )
          }
        </LiveView>
      </Card>
      <Card title="Fleet">
        {stats.error && <ErrorState what="the fleet summary" error={stats.error} onRetry={stats.retry} />}
        {load.error && <ErrorState what="the servers' load" error={describeError(load.error)} onRetry={load.retry} />}
        {rows.length === 0 ? (
          load.isPending || stats.isPending ? (
            <Loading label="Loading servers…" />
          ) : (
            <Empty>No worker has registered yet. Start one with the worker CLI.</Empty>
          )
        ) : (
          <>
            <Table caption="Worker servers" head={head} testId="servers-table">
              {rows.map((r) =>
                r.kind === 'invalid' ? (
                  <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={head.length} />
                ) : (
                  <ServerRow
                    key={r.serverId}
                    row={r}
                    heard={heardOf(r)}
                    now={now}
                    liveness={liveness}
                    lease={lease}
                    listed={drained.has(r.serverId)}
                    canOperate={canOperate}
                  />
                ),
              )}
            </Table>
            <p className="mt-2 text-xs text-slate-500">
              Which servers there are and their state come from the leader, and change on the page as soon as a server joins,
              leaves, is drained or is declared lost. Their load (heartbeat, in flight, limits, budget slices, jobs, host) is read
              every {formatDuration(SERVER_LOAD_POLL_MS)} and at once on such a change, so it can be that old; {UNREAD} means
              not read yet. Heartbeat age counts from the last heartbeat read, so on a healthy server it climbs between reads and
              drops back at each one. A server is flagged stale as the leader judges it: silent for longer than the fleet's
              server timeout ({formatDuration(liveness.serverTimeoutMs)}, more for an idle server that announced a slower
              heartbeat), or declared lost. A dead server is flagged within seconds of its timeout: the leader declares it lost,
              or, when no leader is checking (none elected, or an idle fleet), the page reads that server again as its timeout
              runs out. A server that comes back is shown fresh as soon as the leader marks it active again, or at the latest at
              the next read. Ages are in Firestore time (browser clock corrected by the estimated offset). A budget slice is the
              share of each model's fleet-wide limit the leader leased to that server. A drained server claims nothing and gets
              no slice: its running jobs finish (or are released after its drain grace), then it shows <em>drained</em> until
              resumed.
            </p>
          </>
        )}
      </Card>
    </div>
  );
}

function ServerRow({
  row,
  heard,
  now,
  liveness,
  lease,
  listed,
  canOperate,
}: {
  row: Extract<FleetRow, { kind: 'server' }>;
  heard: Heard | null;
  now: number;
  liveness: ServerLiveness;
  lease: LeaderView | null;
  listed: boolean;
  canOperate: boolean;
}) {
  const id = row.serverId;
  const s = row.copy?.doc ?? null;
  const health = serverHealth(row.state, heard, now, liveness);
  const isLeader = lease?.holder === id && !lease.expired;
  const shown = drainView({ state: row.state, inFlight: s?.inFlight ?? null }, listed);
  const slices = s ? sliceViews(s.budget, now) : null;
  return (
    <tr data-testid={`server-row-${id}`} data-stale={health.stale}>
      <Td mono>
        {id}{' '}
        {isLeader && (
          <Badge tone="info" testId="leader-badge">
            leader · term {lease.term}
          </Badge>
        )}
      </Td>
      <Td>
        <span className="inline-flex gap-1">
          <Badge tone={shown.tone} testId={`server-state-${id}`}>
            {shown.label}
          </Badge>
          {health.stale && (
            <Badge tone="bad" testId="stale-badge">
              stale
            </Badge>
          )}
        </span>
      </Td>
      <Td className={health.stale ? 'font-semibold text-red-700 dark:text-red-400' : ''}>{health.ageMs === null ? UNREAD : formatDuration(health.ageMs)}</Td>
      <Td>{s ? formatNumber(s.inFlight) : UNREAD}</Td>
      <Td>
        {s ? (
          <>
            {formatNumber(s.concurrencyLimit)} <span className="text-slate-500">/ max {s.maxConcurrency}</span>
          </>
        ) : (
          UNREAD
        )}
      </Td>
      <Td>
        {slices === null ? (
          <span className="text-slate-500" data-testid={`budget-${id}`}>
            {UNREAD}
          </span>
        ) : slices.length === 0 ? (
          <span className="text-slate-500" data-testid={`budget-${id}`}>
            none
          </span>
        ) : (
          <ul className="space-y-0.5" data-testid={`budget-${id}`}>
            {slices.map((v) => (
              <li key={v.model} className="whitespace-nowrap text-xs">
                <span className="font-mono">{v.model}</span> {v.summary}{' '}
                {v.status !== 'leased' && <Badge tone={v.status === 'expired' ? 'warn' : 'neutral'}>{v.status}</Badge>}
              </li>
            ))}
          </ul>
        )}
      </Td>
      <Td>{s ? `${formatNumber(s.jobsCompleted)} / ${formatNumber(s.jobsFailed)}` : UNREAD}</Td>
      <Td mono>{row.listed?.version ?? s?.version}</Td>
      <Td mono>{s ? `${s.hostname}:${s.pid}` : UNREAD}</Td>
      {canOperate && (
        <Td>
          <DrainControl server={{ serverId: id, state: row.state }} listed={listed} stale={health.stale} />
        </Td>
      )}
    </tr>
  );
}

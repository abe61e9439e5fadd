import { Badge, Card } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { Table, Td } from '../../components/ui/Table';
import { useLiveDoc, useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber } from '../../lib/format';
import { useCanOperate } from '../../auth/roles';
import { DrainControl, drainView } from './DrainControl';
import { sliceViews } from './budget-slice';
import { leaderView, serverHealth } from './health';
import { useServerLiveness } from './useServerLiveness';

const HEAD = ['Server', 'State', 'Heartbeat age', 'In flight', 'Concurrency limit', 'Budget slice', 'Completed / failed', 'Version', 'Host'];
/** Operators get one more column: drain / resume. */
const OPERATOR_HEAD = [...HEAD, 'Control'];

export function ServersPage() {
  const now = useServerNow(useNow());
  const servers = useLiveQuery(specs.servers());
  const leader = useLiveDoc(specs.leader());
  const liveness = useServerLiveness();
  const lease = leader.data?.ok ? leaderView(leader.data.data, now) : null;
  // The drained servers live in the queue controls (server.drain / server.resume).
  const controls = useLiveDoc(specs.controls());
  const drained = new Set(controls.data?.ok ? controls.data.data.drainedServers : []);
  const canOperate = useCanOperate();
  const head = canOperate ? OPERATOR_HEAD : HEAD;

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
        <LiveView result={servers} what="servers">
          {(rows) =>
            rows.length === 0 ? (
              <Empty>No worker has registered yet. Start one with the worker CLI.</Empty>
            ) : (
              <>
                <Table caption="Worker servers" head={head} testId="servers-table">
                  {rows.map((r) => {
                    if (!r.ok) return <InvalidRow key={r.id} id={r.id} error={r.error} colSpan={head.length} />;
                    const s = r.data;
                    const health = serverHealth(s, now, liveness);
                    const slices = sliceViews(s.budget, now);
                    const isLeader = lease?.holder === s.serverId && !lease.expired;
                    const listed = drained.has(s.serverId);
                    const shown = drainView(s, listed);
                    return (
                      <tr key={r.id} data-testid={`server-row-${s.serverId}`} data-stale={health.stale}>
                        <Td mono>
                          {s.serverId}{' '}
                          {isLeader && (
                            <Badge tone="info" testId="leader-badge">
                              leader · term {lease.term}
                            </Badge>
                          )}
                        </Td>
                        <Td>
                          <span className="inline-flex gap-1">
                            <Badge tone={shown.tone} testId={`server-state-${s.serverId}`}>
                              {shown.label}
                            </Badge>
                            {health.stale && (
                              <Badge tone="bad" testId="stale-badge">
                                stale
                              </Badge>
                            )}
                          </span>
                        </Td>
                        <Td className={health.stale ? 'font-semibold text-red-700 dark:text-red-400' : ''}>
                          {formatDuration(health.ageMs)}
                        </Td>
                        <Td>{formatNumber(s.inFlight)}</Td>
                        <Td>
                          {formatNumber(s.concurrencyLimit)} <span className="text-slate-500">/ max {s.maxConcurrency}</span>
                        </Td>
                        <Td>
                          {slices.length === 0 ? (
                            <span className="text-slate-500" data-testid={`budget-${s.serverId}`}>
                              none
                            </span>
                          ) : (
                            <ul className="space-y-0.5" data-testid={`budget-${s.serverId}`}>
                              {slices.map((v) => (
                                <li key={v.model} className="whitespace-nowrap text-xs">
                                  <span className="font-mono">{v.model}</span> {v.summary}{' '}
                                  {v.status !== 'leased' && <Badge tone={v.status === 'expired' ? 'warn' : 'neutral'}>{v.status}</Badge>}
                                </li>
                              ))}
                            </ul>
                          )}
                        </Td>
                        <Td>
                          {formatNumber(s.jobsCompleted)} / {formatNumber(s.jobsFailed)}
                        </Td>
                        <Td mono>{s.version}</Td>
                        <Td mono>
                          {s.hostname}:{s.pid}
                        </Td>
                        {canOperate && (
                          <Td>
                            <DrainControl server={s} listed={listed} stale={health.stale} />
                          </Td>
                        )}
                      </tr>
                    );
                  })}
                </Table>
                <p className="mt-2 text-xs text-slate-500">
                  Ages are in Firestore time (browser clock corrected by the estimated offset). A server is flagged stale as the
                  leader judges it: silent for longer than the fleet's server timeout ({formatDuration(liveness.serverTimeoutMs)},
                  more for an idle server that announced a slower heartbeat), or declared lost. A budget slice is the share of each
                  model's fleet-wide limit the leader leased to that server. A drained server claims nothing and gets no slice: its
                  running jobs finish (or are released after its drain grace), then it shows <em>drained</em> until resumed.
                </p>
              </>
            )
          }
        </LiveView>
      </Card>
    </div>
  );
}

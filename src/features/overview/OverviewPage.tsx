import { PRIORITIES, JOB_STATUSES } from '@fq/worker/schema';
import { Link } from 'react-router';
import { Badge, Card, Stat } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { useLiveDoc, useLiveQuery, useServerNow } from '../../data/hooks';
import { errorRows, okRows } from '../../data/rows';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format';
import { RollupLag, ThroughputStat } from '../analytics/NumbersOfRecord';
import { RANGE_SPECS, buildSeries } from '../analytics/series';
import { BreakerBadge } from '../breakers/BreakerBadge';
import { DEAD_LETTERS_PATH } from '../incidents/incidents';
import { fleetCounts, fleetOf } from '../../data/fleet';
import { leaderView } from '../servers/health';
import { overviewSpecs } from './sources';
import { Sparkline } from './Sparkline';

/**
 * The page an on-call engineer keeps open. Everything here comes from small state documents
 * (queue stats with the leader's fleet summary, breakers, leader, minute rollups) so its reads
 * per minute grow neither with job throughput nor with the number of servers.
 */
export function OverviewPage() {
  const now = useServerNow(useNow());
  const s = overviewSpecs();
  const stats = useLiveDoc(s.stats);
  const controls = useLiveDoc(s.controls);
  const breakers = useLiveQuery(s.breakers);
  const leader = useLiveDoc(s.leader);
  const rollups = useLiveQuery(s.rollups);
  // The throughput shown here is the Analytics page's 15 minute figure, from the same minute
  // rollups through the same function (the leader's own rate, which the ETAs use, starts at
  // the fleet's start and read ~62/min where Analytics said 28.87 for the same period).
  const recent = rollups.data ? buildSeries(okRows(rollups.data).map((r) => r.data), RANGE_SPECS['15m'], now) : null;

  return (
    <div className="space-y-4" data-testid="overview-page">
      <h2 className="sr-only">Overview</h2>
      <LiveView result={controls} what="queue controls">
        {(row) =>
          row?.ok && (row.data.paused || row.data.pausedPriorities.length > 0) ? (
            <div role="status" data-testid="paused-banner" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm dark:border-amber-800 dark:bg-amber-950">
              {row.data.paused ? 'The whole queue is paused' : `Paused priorities: ${row.data.pausedPriorities.join(', ')}`}
              {row.data.reason ? ` (${row.data.reason})` : ''} — <Link className="underline" to="/queues">manage</Link>
            </div>
          ) : null
        }
      </LiveView>

      <Card title="Queue" testId="queue-card">
        <LiveView result={stats} what="queue stats">
          {(row) =>
            !row ? (
              <Empty>No queue statistics yet: the leader writes them once a worker is running.</Empty>
            ) : !row.ok ? (
              <InvalidRow id={row.id} error={row.error} />
            ) : (
              <div className="space-y-4">
                <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4 lg:grid-cols-8">
                  <Stat label="In flight" value={formatNumber(row.data.inFlight)} testId="stat-in-flight" />
                  {recent ? <ThroughputStat series={recent} now={now} testId="stat-throughput" /> : <Stat label="Throughput" value="—" testId="stat-throughput" />}
                  <Stat label="Success rate" value={formatPercent(row.data.successRate)} testId="stat-success-rate" />
                  <Stat label="p50 latency" value={formatDuration(row.data.p50Ms)} testId="stat-p50" />
                  <Stat label="p95 latency" value={formatDuration(row.data.p95Ms)} testId="stat-p95" />
                  <Stat label="Fleet concurrency" value={formatNumber(row.data.fleetConcurrency)} />
                  <Stat
                    label="Oldest queued"
                    value={row.data.oldestQueuedAt === null ? '—' : formatDuration(now - row.data.oldestQueuedAt)}
                  />
                  <Stat label="Firestore ops / job" value={formatNumber(row.data.firestoreOpsPerJob, 1)} testId="stat-ops-per-job" />
                </dl>
                <div className="grid gap-4 md:grid-cols-2">
                  <div>
                    <h3 className="mb-1 text-xs font-medium text-slate-500">Queued by priority</h3>
                    <dl className="grid grid-cols-4 gap-2" data-testid="depth-by-priority">
                      {PRIORITIES.map((p) => (
                        <Stat key={p} label={p} value={formatNumber(row.data.queuedByPriority[p])} />
                      ))}
                    </dl>
                  </div>
                  <div>
                    <h3 className="mb-1 text-xs font-medium text-slate-500">Jobs by status</h3>
                    <ul className="flex flex-wrap gap-1 text-xs" data-testid="depth-by-status">
                      {JOB_STATUSES.map((s) => (
                        <li key={s}>
                          {s === 'dead_lettered' && row.data.byStatus[s] > 0 ? (
                            // Loud and one click from the list of them (the grey chip went unnoticed).
                            <Link
                              to={DEAD_LETTERS_PATH}
                              data-testid="overview-dead-letters"
                              className="inline-flex rounded-full bg-red-600 px-2 py-0.5 font-semibold text-white hover:bg-red-700 dark:bg-red-700"
                            >
                              dead lettered: {formatNumber(row.data.byStatus[s])}
                            </Link>
                          ) : (
                            <Badge>
                              {s.replace('_', ' ')}: {formatNumber(row.data.byStatus[s])}
                            </Badge>
                          )}
                        </li>
                      ))}
                    </ul>
                  </div>
                </div>
                <p className="text-xs text-slate-500">Updated {formatDuration(Math.max(0, now - row.data.at))} ago by the leader.</p>
              </div>
            )
          }
        </LiveView>
      </Card>

      <div className="grid gap-4 lg:grid-cols-3">
        <Card title="Breakers" testId="breakers-card">
          <LiveView result={breakers} what="breakers">
            {(rows) =>
              rows.length === 0 ? (
                <Empty>No breaker documents yet.</Empty>
              ) : (
                <ul className="space-y-1 text-sm">
                  {okRows(rows).map((r) => (
                    <li key={r.id} className="flex items-center justify-between gap-2">
                      <span className="truncate font-mono text-xs">{r.data.model}</span>
                      <BreakerBadge breaker={r.data} testId={`overview-breaker-${r.id}`} />
                    </li>
                  ))}
                  {errorRows(rows).map((r) => (
                    <li key={r.id}>
                      <InvalidRow id={r.id} error={r.error} />
                    </li>
                  ))}
                </ul>
              )
            }
          </LiveView>
        </Card>

        <Card title="Servers" testId="servers-card">
          <LiveView result={stats} what="the fleet summary">
            {(row) => {
              // The leader's summary, not the server documents: a heartbeat costs this page nothing.
              const fleet = fleetOf(row?.ok ? row.data : null);
              const counts = fleetCounts(fleet ?? []);
              const lease = leader.data?.ok ? leaderView(leader.data.data, now) : null;
              return (
                <dl className="grid grid-cols-2 gap-3">
                  <Stat label="Active servers" value={fleet ? counts.active : '—'} testId="stat-active-servers" />
                  <Stat label="Lost" value={fleet ? counts.lost : '—'} hint="silent beyond the timeout, by the leader" testId="stat-lost-servers" />
                  <Stat
                    label="Leader"
                    testId="stat-leader"
                    value={<span className="font-mono text-base">{lease?.holder ?? 'none'}</span>}
                    hint={lease ? `term ${lease.term}${lease.expired ? ' (lease expired)' : ''}` : undefined}
                  />
                  <Stat label="Draining" value={fleet ? counts.draining : '—'} />
                </dl>
              );
            }}
          </LiveView>
        </Card>

        <Card title="Last 15 minutes" testId="recent-card">
          <LiveView result={rollups} what="minute rollups">
            {() => {
              if (!recent) return null;
              return (
                <div className="space-y-2">
                  <Sparkline values={recent.points.map((p) => p.throughputPerMin)} label="Completed jobs per minute, last 15 minutes" />
                  <dl className="grid grid-cols-3 gap-2">
                    <Stat label="Completed" value={formatNumber(recent.summary.terminal)} testId="recent-completed" />
                    <Stat label="Success" value={formatPercent(recent.summary.successRate)} />
                    <Stat label="Wasted calls" value={formatNumber(recent.summary.upstreamWasted)} />
                  </dl>
                  <RollupLag series={recent} now={now} testId="overview-lag" />
                </div>
              );
            }}
          </LiveView>
        </Card>
      </div>
    </div>
  );
}

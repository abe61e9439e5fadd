import { MonitorBreakers, MonitorPerformance, MonitorPriorities, MonitorQueue, MonitorServers, MonitorStatuses, type MonitorLink } from '@fq/client/react';
import { Link } from 'react-router';
import { Card, Stat } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { Empty, InvalidRow } from '../../components/ui/States';
import { useLiveDoc, useLiveQuery, useServerNow } from '../../data/hooks';
import { errorRows, okRows } from '../../data/rows';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format';
import { RollupLag, ThroughputStat } from '../analytics/NumbersOfRecord';
import { RANGE_SPECS, buildSeries } from '../analytics/series';
import { DEAD_LETTERS_PATH } from '../incidents/incidents';
import { CONSOLE_MONITOR_LOOK, NARROW_LOOK, overviewSnapshot } from './overviewMonitor';
import { overviewSpecs } from './sources';
import { Sparkline } from './Sparkline';

/** Dead letters, when there are any: loud, and one click from the list of them (a grey chip went unnoticed). */
const deadLettersLink: MonitorLink = (target, children) =>
  target.status === 'dead_lettered' && target.count > 0 ? (
    <Link
      to={DEAD_LETTERS_PATH}
      data-testid="overview-dead-letters"
      className="inline-flex items-center gap-1 rounded-full bg-red-600 px-2 py-0.5 font-semibold text-white hover:bg-red-700 dark:bg-red-700"
    >
      {children}
    </Link>
  ) : null;

/**
 * The page an on-call engineer keeps open. Everything here comes from small state documents
 * (queue stats with the leader's fleet summary, breakers, leader, minute rollups) so its reads
 * per minute grow neither with job throughput nor with the number of servers.
 *
 * The fleet summary is the embeddable monitor's (`@fq/client/react`): its parts draw the
 * queue, performance, breaker and server figures from its snapshot function over this page's
 * documents, in the console's look. Around them, what only the console has: the pause banner
 * (from the controls document, with a link to act), the throughput and sparkline of the
 * Analytics page's rollups, the link to the dead letters, and invalid documents as error rows.
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
  // the fleet's start and read ~62/min where Analytics said 28.87 for the same period): the
  // monitor's Performance part shows it in place of the leader's rate.
  const recent = rollups.data ? buildSeries(okRows(rollups.data).map((r) => r.data), RANGE_SPECS['15m'], now) : null;
  // Everything else the monitor shows too is the monitor's: its figures over these documents,
  // drawn by its parts in the console's look.
  const monitor = overviewSnapshot({ stats: stats.data, leader: leader.data, breakers: breakers.data }, now);

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
                <MonitorQueue snapshot={monitor} {...CONSOLE_MONITOR_LOOK}>
                  <Stat label="Fleet concurrency" value={formatNumber(row.data.fleetConcurrency)} testId="stat-fleet-concurrency" />
                </MonitorQueue>
                <MonitorPerformance
                  snapshot={monitor}
                  {...CONSOLE_MONITOR_LOOK}
                  classNames={{ ...CONSOLE_MONITOR_LOOK.classNames, figures: 'grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5' }}
                  throughput={recent ? <ThroughputStat series={recent} now={now} testId="stat-throughput" /> : <Stat label="Throughput" value="—" testId="stat-throughput" />}
                />
                <div className="grid gap-4 md:grid-cols-2">
                  <div>
                    <h3 className="mb-1 text-xs font-medium text-slate-500">Queued by priority</h3>
                    <MonitorPriorities snapshot={monitor} {...CONSOLE_MONITOR_LOOK} />
                  </div>
                  <div>
                    <h3 className="mb-1 text-xs font-medium text-slate-500">Jobs by status</h3>
                    <MonitorStatuses snapshot={monitor} {...CONSOLE_MONITOR_LOOK} link={deadLettersLink} />
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
            {(rows) => (
              <div className="space-y-2">
                <MonitorBreakers snapshot={monitor} {...NARROW_LOOK} />
                {errorRows(rows).map((r) => (
                  <InvalidRow key={r.id} id={r.id} error={r.error} />
                ))}
              </div>
            )}
          </LiveView>
        </Card>

        <Card title="Servers" testId="servers-card">
          {/* The leader's summary, not the server documents: a heartbeat costs this page nothing. */}
          <LiveView result={stats} what="the fleet summary">
            {() => <MonitorServers snapshot={monitor} {...NARROW_LOOK} />}
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

import { lazy, Suspense, useSyncExternalStore } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { focusRing } from '../components/ui/Button';
import { Empty, Loading } from '../components/ui/States';
import { useData } from '../data/context';
import { IncidentStrip } from '../features/incidents/IncidentStrip';
import { KeyboardShortcuts } from '../features/shortcuts/KeyboardShortcuts';
import { formatDuration } from '../lib/format';
import { ConnectionBadge } from './ConnectionBadge';

// One chunk per page: the first screen loads only the shell and the page it shows.
const OverviewPage = lazy(() => import('../features/overview/OverviewPage').then((m) => ({ default: m.OverviewPage })));
const ServersPage = lazy(() => import('../features/servers/ServersPage').then((m) => ({ default: m.ServersPage })));
const BreakersPage = lazy(() => import('../features/breakers/BreakersPage').then((m) => ({ default: m.BreakersPage })));
const LimitsPage = lazy(() => import('../features/limits/LimitsPage').then((m) => ({ default: m.LimitsPage })));
const LocksPage = lazy(() => import('../features/locks/LocksPage').then((m) => ({ default: m.LocksPage })));
const QueuesPage = lazy(() => import('../features/queues/QueuesPage').then((m) => ({ default: m.QueuesPage })));
const JobDetailPage = lazy(() => import('../features/jobs/JobDetailPage').then((m) => ({ default: m.JobDetailPage })));
const AnalyticsPage = lazy(() => import('../features/analytics/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));
const AuditPage = lazy(() => import('../features/audit/AuditPage').then((m) => ({ default: m.AuditPage })));
const AlertsPage = lazy(() => import('../features/alerts/AlertsPage').then((m) => ({ default: m.AlertsPage })));

export const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/alerts', label: 'Alerts' },
  { to: '/servers', label: 'Servers' },
  { to: '/breakers', label: 'Breakers' },
  { to: '/limits', label: 'Rate limits' },
  { to: '/locks', label: 'Locks' },
  { to: '/queues', label: 'Queues & jobs' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/audit', label: 'Audit log' },
] as const;

function ClockOffset() {
  const { serverClock } = useData();
  const estimate = useSyncExternalStore(
    (cb) => serverClock.subscribe(cb),
    () => serverClock.estimate(),
  );
  return (
    <span className="text-xs text-slate-500 dark:text-slate-400" data-testid="clock-offset">
      {estimate ? `clock offset ${formatDuration(estimate.offsetMs)}` : 'clock offset: estimating'}
    </span>
  );
}

export function ConsoleLayout({ backendLabel }: { backendLabel: string }) {
  return (
    <div className="flex min-h-[calc(100vh-57px)] flex-col md:flex-row">
      <nav aria-label="Console" className="border-b border-slate-200 p-3 md:w-52 md:border-b-0 md:border-r dark:border-slate-800">
        <ul className="flex flex-wrap gap-1 md:flex-col">
          {NAV.map((item) => (
            <li key={item.to}>
              <NavLink
                to={item.to}
                end={'end' in item}
                className={({ isActive }) =>
                  `block rounded-md px-3 py-1.5 text-sm ${focusRing} ${
                    isActive
                      ? 'bg-indigo-100 font-medium text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100'
                      : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
                  }`
                }
              >
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
        <div className="mt-4 hidden space-y-1 md:block">
          <ConnectionBadge />
          <div>
            <ClockOffset />
          </div>
        </div>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-3 px-6 pt-3 md:hidden">
          <ConnectionBadge />
          <ClockOffset />
        </div>
        {/* Every page: open breakers and dead letters (one shared listener each, see shellSpecs). */}
        <IncidentStrip />
        <main className="flex-1 p-6">
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route index element={<OverviewPage />} />
              <Route path="servers" element={<ServersPage />} />
              <Route path="breakers" element={<BreakersPage />} />
              <Route path="limits" element={<LimitsPage />} />
              <Route path="locks" element={<LocksPage />} />
              <Route path="queues" element={<QueuesPage />} />
              <Route path="jobs/:jobId" element={<JobDetailPage />} />
              <Route path="analytics" element={<AnalyticsPage />} />
              <Route path="audit" element={<AuditPage />} />
              <Route path="alerts" element={<AlertsPage />} />
              <Route path="*" element={<Empty>No such page.</Empty>} />
            </Routes>
          </Suspense>
        </main>
        <footer className="flex flex-wrap items-center justify-between gap-2 px-6 py-2 text-xs text-slate-500 dark:text-slate-400">
          <span>Backend: {backendLabel}</span>
          {/* `g j`, `/`, `?` and the others, and their help dialog. */}
          <KeyboardShortcuts />
        </footer>
      </div>
    </div>
  );
}

import { Link } from 'react-router';
import { useLiveDoc, useLiveQuery, useServerNow } from '../../data/hooks';
import { okRows } from '../../data/rows';
import { useNow } from '../../lib/clock';
import { formatNumber, formatRelative, formatZonedTime } from '../../lib/format';
import { breakerIncidents, DEAD_LETTERS_PATH, deadLetterCount, type BreakerIncident } from './incidents';
import { shellSpecs } from './sources';

/** One banner per incident, styled like the Overview's pause banner but red: calls to that model are stopped. */
function BreakerBanner({ incident, now }: { incident: BreakerIncident; now: number }) {
  return (
    <div
      role="alert"
      data-testid={`breaker-banner-${incident.model}`}
      data-state={incident.state}
      className="rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      Circuit breaker for <strong className="font-mono">{incident.model}</strong> {incident.forced ? 'forced open by an operator' : 'open'} since{' '}
      <time dateTime={new Date(incident.since).toISOString()}>{formatZonedTime(incident.since, now)}</time> ({formatRelative(incident.since, now)})
      {incident.state === 'half_open' ? ', now half-open: one probe call is testing it.' : ': no calls go to it.'}{' '}
      <Link className="font-medium underline" to="/breakers">
        Breakers page
      </Link>
    </div>
  );
}

/** The red, clickable dead-letter count; nothing while there are none. */
function DeadLetters({ count }: { count: number }) {
  return (
    <Link
      to={DEAD_LETTERS_PATH}
      data-testid="dead-letter-count"
      className="inline-flex items-center gap-1 rounded-full bg-red-600 px-3 py-1 text-xs font-semibold text-white hover:bg-red-700 dark:bg-red-700 dark:hover:bg-red-600"
    >
      {formatNumber(count)} dead letter{count === 1 ? '' : 's'}
    </Link>
  );
}

/**
 * Incidents on every page of the console: a banner per open or half-open breaker and the
 * dead-letter count. Shows nothing while loading or when all is well; a failed listener says
 * nothing here either (each page shows its own errors), so the strip never hides a page.
 */
export function IncidentStrip() {
  const now = useServerNow(useNow());
  const s = shellSpecs();
  const breakers = useLiveQuery(s.breakersNotClosed);
  const stats = useLiveDoc(s.stats);
  const incidents = breakerIncidents(okRows(breakers.data ?? []).map((r) => r.data));
  const deadLetters = deadLetterCount(stats.data?.ok ? stats.data.data : null);
  if (incidents.length === 0 && !deadLetters) return null;
  return (
    <div className="space-y-2 px-6 pt-4" data-testid="incident-strip">
      {incidents.map((incident) => (
        <BreakerBanner key={incident.model} incident={incident} now={now} />
      ))}
      {deadLetters ? <DeadLetters count={deadLetters} /> : null}
    </div>
  );
}

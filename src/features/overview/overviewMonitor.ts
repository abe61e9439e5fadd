import { queueMonitorSnapshot, type QueueMonitorSnapshot } from '@fq/client';
import type { MonitorClassNames, MonitorPartOptions } from '@fq/client/react';
import type { BreakerDoc, LeaderLeaseDoc, QueueStatsDoc } from '@fq/worker/schema';
import { okRows, type Row } from '../../data/rows';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format';

/**
 * The embeddable monitor's figures over the documents the Overview listens to anyway, through
 * the console's data port: the stats document (with the leader's fleet summary), the leader's
 * lease and the breakers. `queueMonitorSnapshot` is the function `<EnterpriseQueueMonitor />`
 * computes its figures with (the worker's `enterpriseStatsOf` under it), so the Overview and
 * the monitor cannot disagree on them. It reads nothing itself: the monitor's own data layer
 * (`watchQueueMonitor`) also fetches every server document every 30 s and listens to the top
 * users and dead letters, reads the Overview does without (its counts come from the summary,
 * and no part that needs a server's load is on the page).
 */
export function overviewSnapshot(
  rows: { stats?: Row<QueueStatsDoc> | null; leader?: Row<LeaderLeaseDoc> | null; breakers?: readonly Row<BreakerDoc>[] },
  now: number,
): QueueMonitorSnapshot {
  return queueMonitorSnapshot(
    {
      stats: rows.stats?.ok ? rows.stats.data : null,
      leader: rows.leader?.ok ? rows.leader.data : null,
      breakers: okRows(rows.breakers ?? []).map(({ id, data }) => ({ id, data })),
    },
    now,
  );
}

/** The console's `Stat` and `Badge` looks for the monitor's parts (`components/ui/Card.tsx`). */
const classNames: MonitorClassNames = {
  figures: 'grid grid-cols-2 gap-4 sm:grid-cols-4',
  figure: 'min-w-0',
  label: 'text-xs text-slate-500 dark:text-slate-400',
  value: 'truncate text-2xl font-semibold tabular-nums',
  hint: 'text-xs text-slate-500 dark:text-slate-400',
  leader: 'truncate font-mono text-base font-semibold',
  // Priorities side by side, each a label over its count.
  table:
    'w-full [&_tbody]:grid [&_tbody]:grid-cols-4 [&_tbody]:gap-2 [&_tr]:flex [&_tr]:flex-col [&_th]:text-left [&_th]:text-xs [&_th]:font-normal [&_th]:text-slate-500 dark:[&_th]:text-slate-400 [&_td]:text-2xl [&_td]:font-semibold [&_td]:tabular-nums',
  // Statuses as chips; a linked one is the link's own chip.
  list: 'flex flex-wrap gap-1 text-xs',
  item: 'inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-200 has-[a]:bg-transparent has-[a]:p-0',
  // Breaker states and overrides in the Badge tones (closed good, half-open warn, open bad, forced info).
  state: String.raw`inline-flex rounded-full px-2 py-0.5 text-xs font-medium data-[state=closed]:bg-emerald-100 data-[state=closed]:text-emerald-800 dark:data-[state=closed]:bg-emerald-900 dark:data-[state=closed]:text-emerald-200 data-[state=half\_open]:bg-amber-100 data-[state=half\_open]:text-amber-800 dark:data-[state=half\_open]:bg-amber-900 dark:data-[state=half\_open]:text-amber-200 data-[state=open]:bg-red-100 data-[state=open]:text-red-800 dark:data-[state=open]:bg-red-900 dark:data-[state=open]:text-red-200 data-[override]:bg-indigo-100 data-[override]:text-indigo-800 dark:data-[override]:bg-indigo-900 dark:data-[override]:text-indigo-200`,
  empty: 'text-sm text-slate-500 dark:text-slate-400',
};

/** The monitor's parts as the console draws them: its classes and its number formats. */
export const CONSOLE_MONITOR_LOOK = {
  classNames,
  format: { number: formatNumber, percent: formatPercent, duration: formatDuration },
} satisfies MonitorPartOptions;

/** A narrow card's figures (two columns) and the breakers as rows: model, then its state. */
export const NARROW_LOOK = {
  ...CONSOLE_MONITOR_LOOK,
  classNames: {
    ...classNames,
    figures: 'grid grid-cols-2 gap-3',
    list: 'space-y-1 text-sm',
    item: 'flex items-center gap-1',
    name: 'mr-auto truncate font-mono text-xs',
  },
} satisfies MonitorPartOptions;

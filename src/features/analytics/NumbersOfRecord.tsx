import { Stat } from '../../components/ui/Card';
import { formatDuration, formatNumber, formatZonedTime } from '../../lib/format';
import type { Series } from './series';

/**
 * The throughput figure every page shows, drawn by this one component from a `Series`
 * summary, so the Overview and Analytics print the same number for the same window, with the
 * window stated.
 */
export function ThroughputStat({ series, now, testId }: { series: Series; now: number; testId: string }) {
  const { window, throughputPerMin } = series.summary;
  return (
    <Stat
      label="Throughput"
      value={formatNumber(throughputPerMin, 2)}
      hint={`completed jobs/min, last ${series.range.label} (since ${formatZonedTime(window.from, now, undefined, { seconds: false })})`}
      testId={testId}
    />
  );
}

/** "Data up to 14:03:12 CET, ~8 s behind": how fresh the rollups under a chart are. */
export function RollupLag({ series, now, testId }: { series: Series; now: number; testId?: string }) {
  const upTo = series.dataUpTo;
  return (
    <p className="text-xs text-slate-500 dark:text-slate-400" data-testid={testId}>
      {upTo === null
        ? 'No rollups yet: the leader merges them once jobs run.'
        : `Data up to ${formatZonedTime(upTo, now)}, ~${formatDuration(Math.max(0, now - upTo))} behind (rollups are merged while jobs run).`}
    </p>
  );
}

import { useState } from 'react';
import { focusRing } from '../../components/ui/Button';
import { Card, Stat } from '../../components/ui/Card';
import { LiveView } from '../../components/ui/LiveView';
import { useLiveQuery, useServerNow } from '../../data/hooks';
import { specs } from '../../data/queries';
import { errorRows, okRows } from '../../data/rows';
import { useNow } from '../../lib/clock';
import { formatDuration, formatNumber, formatPercent } from '../../lib/format';
import { Charts } from './Charts';
import { ThroughputStat } from './NumbersOfRecord';
import { RANGES, RANGE_SPECS, buildSeries, rollupLimit, type RangeId } from './series';

/**
 * Charts from rollup documents only (minute rollups for 15 min / 1 h, hour rollups for
 * 24 h): the listener holds at most one document per bucket, so an open analytics page costs
 * the same at 1 job/min as at 1,000.
 */
export function AnalyticsPage() {
  const [range, setRange] = useState<RangeId>('15m');
  const spec = RANGE_SPECS[range];
  const now = useServerNow(useNow());
  const rollups = useLiveQuery(specs.rollups(spec.granularity, rollupLimit(spec)));
  return (
    <div className="space-y-4" data-testid="analytics-page">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">Analytics</h2>
        <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-600">
          {RANGES.map((id) => (
            <button
              key={id}
              type="button"
              aria-pressed={range === id}
              onClick={() => setRange(id)}
              className={`px-3 py-1 text-sm ${focusRing} ${range === id ? 'bg-indigo-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-800'}`}
            >
              {RANGE_SPECS[id].label}
            </button>
          ))}
        </div>
      </div>
      <LiveView result={rollups} what="rollups">
        {(rows) => {
          const series = buildSeries(
            okRows(rows).map((r) => r.data),
            spec,
            now,
          );
          const s = series.summary;
          const bad = errorRows(rows);
          return (
            <>
              <Card title={`Last ${spec.label}`} testId="analytics-summary">
                <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4 lg:grid-cols-7">
                  <Stat label="Completed" value={formatNumber(s.terminal)} testId="summary-completed" />
                  <ThroughputStat series={series} now={now} testId="summary-throughput" />
                  <Stat label="Success rate" value={formatPercent(s.successRate)} testId="summary-success" />
                  <Stat label="p50" value={formatDuration(s.p50Ms)} />
                  <Stat label="p95" value={formatDuration(s.p95Ms)} />
                  <Stat label="Upstream calls" value={formatNumber(s.upstreamCalls)} />
                  <Stat label="Wasted / success" value={formatNumber(s.wastedPerSuccess, 2)} hint={`${formatNumber(s.upstreamWasted)} wasted`} />
                </dl>
                {bad.length > 0 && <p className="mt-2 text-xs text-red-700 dark:text-red-400">{bad.length} rollup document(s) failed validation and are left out.</p>}
              </Card>
              <Charts series={series} now={now} />
            </>
          );
        }}
      </LiveView>
    </div>
  );
}

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ReactNode } from 'react';
import { formatDuration, formatZonedTime, zoneName } from '../../lib/format';
import { RollupLag } from './NumbersOfRecord';
import { isolatedPoints, type Series } from './series';

const COLOURS = ['#6366f1', '#f59e0b', '#ef4444', '#10b981', '#06b6d4', '#a855f7', '#f97316', '#64748b', '#84cc16', '#ec4899', '#14b8a6'];

/** Axis ticks: local "14:03" (the zone is in the caption); tooltips: "14:03 CET" via the one formatter. */
function tick(t: number): string {
  return formatZonedTime(t, t, undefined, { seconds: false, zone: false });
}

function tooltipLabel(now: number) {
  return (t: unknown) => formatZonedTime(Number(t), now, undefined, { seconds: false });
}

/**
 * Recharts draws a line only between two valued points: a lone value (one minute with jobs
 * among empty ones, or a one-point series) drew nothing. This dot renderer draws exactly those.
 */
function soloDots(values: readonly (number | null)[], colour: string) {
  const solo = isolatedPoints(values);
  function SoloDot(props: { cx?: number; cy?: number; index?: number }) {
    const { cx, cy, index = -1 } = props;
    if (!solo[index] || cx === undefined || cy === undefined) return <g key={`none-${index}`} />;
    return <circle key={`solo-${index}`} data-testid="solo-dot" cx={cx} cy={cy} r={3} fill={colour} stroke={colour} />;
  }
  return SoloDot;
}

function ChartBox({ title, children, testId }: { title: ReactNode; children: ReactNode; testId: string }) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900" data-testid={testId}>
      <figcaption className="mb-2 text-sm font-medium">{title}</figcaption>
      <div className="h-56 w-full text-xs">
        <ResponsiveContainer width="100%" height="100%" minWidth={200} minHeight={150}>
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const axis = { stroke: 'currentColor', fontSize: 11 } as const;

export function Charts({ series, now }: { series: Series; now: number }) {
  const data = series.points.map((p) => ({
    ...p,
    successPct: p.successRate === null ? null : p.successRate * 100,
    ...Object.fromEntries(Object.entries(p.errors).map(([k, v]) => [`err_${k}`, v])),
  }));
  const fmt = tick;
  const label = tooltipLabel(now);
  const common = { data, margin: { top: 4, right: 8, bottom: 0, left: 0 } };
  const line = (key: 'successPct' | 'p50Ms' | 'p95Ms' | 'p99Ms', colour: string) => soloDots(data.map((d) => d[key]), colour);
  return (
    <div className="grid gap-4 text-slate-600 xl:grid-cols-2 dark:text-slate-300">
      <div className="xl:col-span-2" data-testid="charts-lag">
        <RollupLag series={series} now={now} testId="analytics-lag" />
        <p className="text-xs text-slate-500 dark:text-slate-400">Times in {zoneName(now)} (your browser&apos;s time zone).</p>
      </div>
      <ChartBox title="Throughput (completed jobs per minute)" testId="chart-throughput">
        <LineChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis allowDecimals {...axis} width={40} />
          <Tooltip labelFormatter={label} />
          <Line type="monotone" dataKey="throughputPerMin" name="jobs/min" stroke={COLOURS[0]} dot={soloDots(data.map((d) => d.throughputPerMin), COLOURS[0]!)} isAnimationActive={false} />
        </LineChart>
      </ChartBox>
      <ChartBox title="Success rate (%)" testId="chart-success">
        <LineChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis domain={[0, 100]} {...axis} width={40} />
          <Tooltip labelFormatter={label} formatter={(v) => `${Number(v).toFixed(1)}%`} />
          <Line type="monotone" dataKey="successPct" name="success" stroke={COLOURS[3]} dot={line('successPct', COLOURS[3]!)} connectNulls={false} isAnimationActive={false} />
        </LineChart>
      </ChartBox>
      <ChartBox title="Latency percentiles (enqueue to completion)" testId="chart-latency">
        <LineChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis tickFormatter={(v: number) => formatDuration(v)} {...axis} width={64} />
          <Tooltip labelFormatter={label} formatter={(v) => formatDuration(Number(v))} />
          <Legend />
          <Line type="monotone" dataKey="p50Ms" name="p50" stroke={COLOURS[0]} dot={line('p50Ms', COLOURS[0]!)} isAnimationActive={false} />
          <Line type="monotone" dataKey="p95Ms" name="p95" stroke={COLOURS[1]} dot={line('p95Ms', COLOURS[1]!)} isAnimationActive={false} />
          <Line type="monotone" dataKey="p99Ms" name="p99" stroke={COLOURS[2]} dot={line('p99Ms', COLOURS[2]!)} isAnimationActive={false} />
        </LineChart>
      </ChartBox>
      <ChartBox title="Errors by class" testId="chart-errors">
        <BarChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis allowDecimals={false} {...axis} width={40} />
          <Tooltip labelFormatter={label} />
          <Legend />
          {series.summary.errorClasses.map((cls, i) => (
            <Bar key={cls} dataKey={`err_${cls}`} name={cls} stackId="errors" fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ChartBox>
      <ChartBox title="Upstream calls and wasted calls" testId="chart-upstream">
        <BarChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis allowDecimals={false} {...axis} width={40} />
          <Tooltip labelFormatter={label} />
          <Legend />
          <Bar dataKey="upstreamCalls" name="calls" fill={COLOURS[4]} isAnimationActive={false} />
          <Bar dataKey="upstreamWasted" name="wasted" fill={COLOURS[2]} isAnimationActive={false} />
        </BarChart>
      </ChartBox>
    </div>
  );
}

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
import { formatDuration } from '../../lib/format';
import type { Series } from './series';

const COLOURS = ['#6366f1', '#f59e0b', '#ef4444', '#10b981', '#06b6d4', '#a855f7', '#f97316', '#64748b', '#84cc16', '#ec4899', '#14b8a6'];

function tick(series: Series) {
  const hour = series.range.granularity === 'hour';
  return (t: number) => {
    const d = new Date(t);
    return hour ? `${String(d.getHours()).padStart(2, '0')}:00` : d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  };
}

function ChartBox({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
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

export function Charts({ series }: { series: Series }) {
  const data = series.points.map((p) => ({
    ...p,
    successPct: p.successRate === null ? null : p.successRate * 100,
    ...Object.fromEntries(Object.entries(p.errors).map(([k, v]) => [`err_${k}`, v])),
  }));
  const fmt = tick(series);
  const common = { data, margin: { top: 4, right: 8, bottom: 0, left: 0 } };
  return (
    <div className="grid gap-4 text-slate-600 xl:grid-cols-2 dark:text-slate-300">
      <ChartBox title="Throughput (completed jobs per minute)" testId="chart-throughput">
        <LineChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis allowDecimals {...axis} width={40} />
          <Tooltip labelFormatter={(t) => fmt(Number(t))} />
          <Line type="monotone" dataKey="throughputPerMin" name="jobs/min" stroke={COLOURS[0]} dot={false} isAnimationActive={false} />
        </LineChart>
      </ChartBox>
      <ChartBox title="Success rate (%)" testId="chart-success">
        <LineChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis domain={[0, 100]} {...axis} width={40} />
          <Tooltip labelFormatter={(t) => fmt(Number(t))} formatter={(v) => `${Number(v).toFixed(1)}%`} />
          <Line type="monotone" dataKey="successPct" name="success" stroke={COLOURS[3]} dot={false} connectNulls={false} isAnimationActive={false} />
        </LineChart>
      </ChartBox>
      <ChartBox title="Latency percentiles (enqueue to completion)" testId="chart-latency">
        <LineChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis tickFormatter={(v: number) => formatDuration(v)} {...axis} width={64} />
          <Tooltip labelFormatter={(t) => fmt(Number(t))} formatter={(v) => formatDuration(Number(v))} />
          <Legend />
          <Line type="monotone" dataKey="p50Ms" name="p50" stroke={COLOURS[0]} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="p95Ms" name="p95" stroke={COLOURS[1]} dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="p99Ms" name="p99" stroke={COLOURS[2]} dot={false} isAnimationActive={false} />
        </LineChart>
      </ChartBox>
      <ChartBox title="Errors by class" testId="chart-errors">
        <BarChart {...common}>
          <CartesianGrid strokeOpacity={0.2} />
          <XAxis dataKey="t" tickFormatter={fmt} {...axis} />
          <YAxis allowDecimals={false} {...axis} width={40} />
          <Tooltip labelFormatter={(t) => fmt(Number(t))} />
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
          <Tooltip labelFormatter={(t) => fmt(Number(t))} />
          <Legend />
          <Bar dataKey="upstreamCalls" name="calls" fill={COLOURS[4]} isAnimationActive={false} />
          <Bar dataKey="upstreamWasted" name="wasted" fill={COLOURS[2]} isAnimationActive={false} />
        </BarChart>
      </ChartBox>
    </div>
  );
}

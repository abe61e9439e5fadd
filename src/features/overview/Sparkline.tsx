import { isolatedPoints } from '../analytics/series';

/**
 * A dependency-free sparkline (recharts stays in the analytics chunk). Runs of values are
 * lines; a value with no valued neighbour is a dot (a polyline of one point draws nothing).
 */
export function Sparkline({ values, label, height = 40, width = 200 }: { values: (number | null)[]; label: string; height?: number; width?: number }) {
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const x = (i: number) => (values.length > 1 ? i * step : width / 2);
  const y = (v: number) => height - (v / max) * (height - 2) - 1;
  const solo = isolatedPoints(values);
  const runs: string[] = [];
  let run: string[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (run.length > 1) runs.push(run.join(' '));
      run = [];
      return;
    }
    run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  if (run.length > 1) runs.push(run.join(' '));
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`} className="h-10 w-full text-indigo-500" preserveAspectRatio="none">
      {runs.map((points, i) => (
        <polyline key={i} fill="none" stroke="currentColor" strokeWidth="1.5" points={points} />
      ))}
      {values.map((v, i) =>
        solo[i] && v !== null ? <circle key={`dot-${i}`} data-testid="sparkline-dot" cx={x(i)} cy={y(v)} r={2} fill="currentColor" /> : null,
      )}
    </svg>
  );
}

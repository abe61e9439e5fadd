/**
 * The monitor's own stylesheet, scoped to `.fq-monitor` (no Tailwind, no global rules). The
 * host themes it through the CSS variables, or passes `unstyled` and styles the classes.
 */
export const MONITOR_CSS = `
.fq-monitor{--fq-fg:#1f2933;--fq-muted:#616e7c;--fq-bg:#fff;--fq-card:#f5f7fa;--fq-border:#d9e2ec;--fq-ok:#1f7a3a;--fq-warn:#a15c07;--fq-bad:#b42318;
  font:14px/1.4 system-ui,sans-serif;color:var(--fq-fg);background:var(--fq-bg);display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(240px,1fr))}
.fq-monitor__header{grid-column:1/-1;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}
.fq-monitor__title{font-size:18px;font-weight:600;margin:0}
.fq-monitor__updated{color:var(--fq-muted);font-size:12px}
.fq-monitor__problem{grid-column:1/-1;color:var(--fq-bad);margin:0}
.fq-monitor__card{background:var(--fq-card);border:1px solid var(--fq-border);border-radius:6px;padding:10px 12px;min-width:0;overflow-x:auto}
.fq-monitor__card h3{margin:0 0 6px;font-size:13px;font-weight:600;color:var(--fq-muted);text-transform:uppercase;letter-spacing:.04em}
.fq-monitor__figure{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
.fq-monitor table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
.fq-monitor th,.fq-monitor td{text-align:left;padding:2px 6px 2px 0;font-weight:normal;white-space:nowrap}
.fq-monitor th{color:var(--fq-muted)}
.fq-monitor td.fq-monitor__num{text-align:right}
.fq-monitor__empty{color:var(--fq-muted);margin:0}
.fq-monitor [data-state=closed],.fq-monitor [data-state=active]{color:var(--fq-ok)}
.fq-monitor [data-state=half_open],.fq-monitor [data-state=draining],.fq-monitor [data-stale=true]{color:var(--fq-warn)}
.fq-monitor [data-state=open]{color:var(--fq-bad)}
.fq-monitor__card--wide{grid-column:1/-1}
`;

/**
 * The monitor's own stylesheet, scoped to `.fq-monitor` (no Tailwind, no global rules). The
 * host themes it through the CSS variables, or passes `unstyled` and styles the classes. The
 * parts' rules apply inside an `fq-monitor` root only: parts a host places in its own page
 * stay unstyled even while a monitor elsewhere on it has put this sheet in the document.
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
.fq-monitor .fq-monitor__figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(96px,1fr));gap:6px 12px;margin:0 0 8px}
.fq-monitor .fq-monitor__stat{min-width:0}
.fq-monitor .fq-monitor__stat>dt{color:var(--fq-muted);font-size:12px}
.fq-monitor .fq-monitor__stat>dd{margin:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.fq-monitor .fq-monitor__figure{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.fq-monitor .fq-monitor__stat>.fq-monitor__hint{color:var(--fq-muted);font-size:12px;white-space:normal}
.fq-monitor .fq-monitor__list{list-style:none;margin:0;padding:0}
.fq-monitor .fq-monitor__item{display:flex;gap:6px;justify-content:space-between;padding:2px 0}
.fq-monitor .fq-monitor__item>.fq-monitor__name{color:var(--fq-muted);margin-right:auto}
.fq-monitor table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
.fq-monitor th,.fq-monitor td{text-align:left;padding:2px 6px 2px 0;font-weight:normal;white-space:nowrap}
.fq-monitor th{color:var(--fq-muted)}
.fq-monitor td.fq-monitor__num{text-align:right}
.fq-monitor .fq-monitor__empty{color:var(--fq-muted);margin:0}
.fq-monitor [data-state=closed],.fq-monitor [data-state=active]{color:var(--fq-ok)}
.fq-monitor [data-state=half_open],.fq-monitor [data-state=draining],.fq-monitor [data-stale=true]{color:var(--fq-warn)}
.fq-monitor [data-state=open]{color:var(--fq-bad)}
.fq-monitor__card--wide{grid-column:1/-1}
`;

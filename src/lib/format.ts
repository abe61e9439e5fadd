/** Display formatting shared by every page. Pure; tests pin the output. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const neg = ms < 0;
  const abs = Math.abs(ms);
  let out: string;
  if (abs < 1_000) out = `${Math.round(abs)} ms`;
  else if (abs < 60_000) out = `${(abs / 1_000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  else if (abs < 3_600_000) out = `${Math.floor(abs / 60_000)} min ${Math.floor((abs % 60_000) / 1_000)} s`;
  else if (abs < 86_400_000) out = `${Math.floor(abs / 3_600_000)} h ${Math.floor((abs % 3_600_000) / 60_000)} min`;
  else out = `${Math.floor(abs / 86_400_000)} d ${Math.floor((abs % 86_400_000) / 3_600_000)} h`;
  return neg ? `-${out}` : out;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/**
 * The console's one time formatter (see formatZonedTime): local wall time with its zone, and
 * the local date in front unless `nowMs` is given and falls on the same local day. It used to
 * put the UTC date (toISOString) in front of the local time, so a job created at 00:30 CET
 * read as the previous day.
 */
export function formatTime(ms: number | null | undefined, nowMs?: number, timeZone?: string): string {
  return formatZonedTime(ms, nowMs, timeZone);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Local wall time with its zone ("14:05:09 CET"), and the local date in front when it is not
 * the same local day as `nowMs`, or when there is no `nowMs` ("2026-12-06 23:10:00 GMT-5").
 * `timeZone`: the browser's when omitted (tests pin one). `seconds: false` for windows
 * ("14:05 CET"); `zone: false` only for chart ticks, whose caption names the zone.
 */
export function formatZonedTime(
  ms: number | null | undefined,
  nowMs?: number,
  timeZone?: string,
  options: { seconds?: boolean; zone?: boolean } = {},
): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const p = zonedParts(ms, timeZone);
  const clock = options.seconds === false ? `${p.hour}:${p.minute}` : `${p.hour}:${p.minute}:${p.second}`;
  const time = options.zone === false ? clock : `${clock} ${p.timeZoneName}`;
  if (nowMs === undefined || !Number.isFinite(nowMs)) return `${p.year}-${p.month}-${p.day} ${time}`;
  const today = zonedParts(nowMs, timeZone);
  const sameDay = p.year === today.year && p.month === today.month && p.day === today.day;
  return sameDay ? time : `${p.year}-${p.month}-${p.day} ${time}`;
}

/** The short name of the zone times are shown in ("CET", "GMT-5"), for chart captions. */
export function zoneName(atMs: number, timeZone?: string): string {
  return zonedParts(atMs, timeZone).timeZoneName;
}

function zonedParts(t: number, timeZone?: string): Record<Intl.DateTimeFormatPartTypes, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  ) as Record<Intl.DateTimeFormatPartTypes, string>;
}

/** "14:03:12 CET (3 min 12 s ago)": the absolute time and how long ago, where both help. */
export function formatTimeAgo(ms: number | null | undefined, nowMs: number, timeZone?: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return `${formatZonedTime(ms, nowMs, timeZone)} (${formatRelative(ms, nowMs)})`;
}

/** "3 min 12 s ago" (or "in 5.0 s" for a time still ahead). */
export function formatRelative(ms: number | null | undefined, nowMs: number): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = nowMs - ms;
  return d >= 0 ? `${formatDuration(d)} ago` : `in ${formatDuration(-d)}`;
}

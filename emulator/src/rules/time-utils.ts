/** Timestamp and duration arithmetic on nanosecond bigints (UTC, proleptic Gregorian). */

export const NS_PER_SECOND = 1_000_000_000n;
export const NS_PER_MS = 1_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_SECOND;

/** Firestore's timestamp range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
export const MIN_TIMESTAMP_NS = -62_135_596_800n * NS_PER_SECOND;
export const MAX_TIMESTAMP_NS = 253_402_300_800n * NS_PER_SECOND - 1n;

export function inTimestampRange(ns: bigint): boolean {
  return ns >= MIN_TIMESTAMP_NS && ns <= MAX_TIMESTAMP_NS;
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

function daysFromCivil(year: number, month: number, day: number): bigint {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(0, 0, 0, 0);
  return BigInt(Math.round(d.getTime() / 86_400_000));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp with 0-9 fractional digits; undefined when malformed. */
export function parseTimestamp(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (
    month === undefined || day === undefined || hour === undefined || minute === undefined ||
    second === undefined || year === undefined || month < 1 || month > 12 || day < 1 || day > 31 ||
    hour > 23 || minute > 59 || second > 60
  ) {
    return undefined;
  }
  const days = daysFromCivil(year, month, day);
  const check = new Date(Number(days) * 86_400_000);
  if (check.getUTCDate() !== day) return undefined; // e.g. February 30th
  const frac = (m[7] ?? '').padEnd(9, '0');
  let offsetSeconds = 0;
  if (!m[8] && m[9]) offsetSeconds = (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  const seconds = days * 86_400n + BigInt(hour * 3600 + minute * 60 + second - offsetSeconds);
  const ns = seconds * NS_PER_SECOND + BigInt(frac);
  return inTimestampRange(ns) ? ns : undefined;
}

export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  nanos: number;
  /** 1 = Monday ... 7 = Sunday (ISO 8601). */
  dayOfWeek: number;
  /** 1 ... 366 */
  dayOfYear: number;
}

export function civil(ns: bigint): CivilTime {
  const days = floorDiv(ns, NS_PER_DAY);
  const nsOfDay = ns - days * NS_PER_DAY;
  const secOfDay = Number(nsOfDay / NS_PER_SECOND);
  const date = new Date(Number(days) * 86_400_000);
  const year = date.getUTCFullYear();
  const startOfYear = daysFromCivil(year, 1, 1);
  const wd = date.getUTCDay();
  return {
    year,
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hours: Math.floor(secOfDay / 3600),
    minutes: Math.floor((secOfDay % 3600) / 60),
    seconds: secOfDay % 60,
    nanos: Number(nsOfDay % NS_PER_SECOND),
    dayOfWeek: wd === 0 ? 7 : wd,
    dayOfYear: Number(days - startOfYear) + 1,
  };
}

/** Midnight UTC of a calendar date, or undefined when the date does not exist. */
export function dateToNs(year: number, month: number, day: number): bigint | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1 || year > 9999) return undefined;
  const days = daysFromCivil(year, month, day);
  if (new Date(Number(days) * 86_400_000).getUTCDate() !== day) return undefined;
  return days * NS_PER_DAY;
}

export function startOfDay(ns: bigint): bigint {
  return floorDiv(ns, NS_PER_DAY) * NS_PER_DAY;
}

/** RFC 3339 in UTC with the shortest of 0, 3, 6 or 9 fractional digits. */
export function formatTimestamp(ns: bigint): string {
  const c = civil(ns);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  let frac = '';
  if (c.nanos !== 0) {
    const nine = pad(c.nanos, 9);
    frac = '.' + (nine.endsWith('000000') ? nine.slice(0, 3) : nine.endsWith('000') ? nine.slice(0, 6) : nine);
  }
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hours)}:${pad(c.minutes)}:${pad(c.seconds)}${frac}Z`;
}

/** `1.5s`-style rendering of a duration (as google.protobuf.Duration's JSON form). */
export function formatDuration(ns: bigint): string {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  const secs = abs / NS_PER_SECOND;
  const nanos = abs % NS_PER_SECOND;
  const frac = nanos === 0n ? '' : '.' + nanos.toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${secs}${frac}s`;
}

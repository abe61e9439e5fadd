import { invalidArgument } from './errors.js';

/** A point in time with nanosecond precision (seconds since the Unix epoch + nanos). */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** Firestore's valid range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z. */
export const MIN_SECONDS = -62135596800;
export const MAX_SECONDS = 253402300799;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm): Date.UTC
// maps years below 100 to 19xx, so we cannot use it for the full Firestore range.
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? y + 1 : y, m, d];
}

/** Parses an RFC 3339 timestamp (any number of fractional digits up to 9, any offset). */
export function parseTimestamp(text: string): Timestamp {
  const m = RFC3339.exec(text);
  if (!m) throw invalidArgument(`Invalid timestamp: "${text}" is not an RFC 3339 timestamp.`);
  const [, ys, mos, ds, hs, mis, ss, frac, , sign, oh, om] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw invalidArgument(`Invalid timestamp: "${text}" is out of range.`);
  }
  let seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  if (sign) seconds -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  const nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
  const ts = { seconds, nanos };
  checkRange(ts, text);
  return ts;
}

function checkRange(ts: Timestamp, text: string): void {
  if (ts.seconds < MIN_SECONDS || ts.seconds > MAX_SECONDS) {
    throw invalidArgument(`Invalid timestamp: "${text}" is outside the range 0001-01-01 .. 9999-12-31.`);
  }
}

/** Accepts the proto3-JSON string or a `{seconds, nanos}` object (protobuf shape). */
export function toTimestamp(value: unknown): Timestamp {
  if (typeof value === 'string') return parseTimestamp(value);
  if (value && typeof value === 'object') {
    const o = value as { seconds?: unknown; nanos?: unknown };
    const seconds = Number(o.seconds ?? 0);
    const nanos = Number(o.nanos ?? 0);
    if (!Number.isInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
      throw invalidArgument('Invalid timestamp object.');
    }
    const ts = { seconds, nanos };
    checkRange(ts, JSON.stringify(value));
    return ts;
  }
  throw invalidArgument('Invalid timestamp.');
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits (the proto3-JSON convention). */
export function formatTimestamp(ts: Timestamp): string {
  const days = Math.floor(ts.seconds / 86400);
  let rem = ts.seconds - days * 86400;
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rem / 3600);
  rem -= h * 3600;
  const mi = Math.floor(rem / 60);
  const s = rem - mi * 60;
  let frac = '';
  if (ts.nanos !== 0) {
    frac = pad(ts.nanos, 9);
    while (frac.endsWith('000')) frac = frac.slice(0, -3);
    frac = '.' + frac;
  }
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}Z`;
}

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.nanos !== b.nanos) return a.nanos < b.nanos ? -1 : 1;
  return 0;
}

/** Firestore stores timestamps with microsecond precision (extra digits are truncated). */
export function truncateToMicros(ts: Timestamp): Timestamp {
  return { seconds: ts.seconds, nanos: ts.nanos - (ts.nanos % 1000) };
}

/** Nanoseconds since the epoch as a bigint: the commit clock's unit. */
export function timestampToNanos(ts: Timestamp): bigint {
  return BigInt(ts.seconds) * 1_000_000_000n + BigInt(ts.nanos);
}

export function nanosToTimestamp(ns: bigint): Timestamp {
  let seconds = ns / 1_000_000_000n;
  let nanos = ns % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  return { seconds: Number(seconds), nanos: Number(nanos) };
}

export const formatNanos = (ns: bigint): string => formatTimestamp(nanosToTimestamp(ns));
export const parseToNanos = (text: unknown): bigint => timestampToNanos(toTimestamp(text));

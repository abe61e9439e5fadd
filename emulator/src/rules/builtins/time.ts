/** rules.Timestamp and rules.Duration methods and the `timestamp.` / `duration.` namespaces. */
import { fail } from '../errors.js';
import { civil, dateToNs, inTimestampRange, NS_PER_MS, NS_PER_SECOND, startOfDay } from '../time-utils.js';
import { duration, int, timestamp, type DurationV, type TimestampV, type Value } from '../values.js';
import { argAt, asDuration, asInt, asNumber, asString, fixed, smallInt, type GlobalFn, type Method } from './types.js';

/** google.protobuf.Duration's range: about +-10,000 years. */
const MAX_DURATION_NS = 315_576_000_000n * NS_PER_SECOND + 999_999_999n;

export function checkedDuration(ns: bigint): DurationV {
  if (ns > MAX_DURATION_NS || ns < -MAX_DURATION_NS) throw fail('duration out of range');
  return duration(ns);
}

export function checkedTimestamp(ns: bigint): TimestampV {
  if (!inTimestampRange(ns)) throw fail('timestamp out of range (years 1 to 9999)');
  return timestamp(ns);
}

const civilInt = (pick: (c: ReturnType<typeof civil>) => number): Method<TimestampV> =>
  fixed(0, (t) => int(pick(civil(t.ns))));

export const TIMESTAMP_METHODS: Readonly<Record<string, Method<TimestampV>>> = {
  year: civilInt((c) => c.year),
  month: civilInt((c) => c.month),
  day: civilInt((c) => c.day),
  hours: civilInt((c) => c.hours),
  minutes: civilInt((c) => c.minutes),
  seconds: civilInt((c) => c.seconds),
  nanos: civilInt((c) => c.nanos),
  dayOfWeek: civilInt((c) => c.dayOfWeek),
  dayOfYear: civilInt((c) => c.dayOfYear),
  toMillis: fixed(0, (t) => int(t.ns >= 0n ? t.ns / NS_PER_MS : -((-t.ns + NS_PER_MS - 1n) / NS_PER_MS))),
  date: fixed(0, (t) => timestamp(startOfDay(t.ns))),
  time: fixed(0, (t) => duration(t.ns - startOfDay(t.ns))),
};

export const DURATION_METHODS: Readonly<Record<string, Method<DurationV>>> = {
  seconds: fixed(0, (d) => int(d.ns / NS_PER_SECOND)),
  nanos: fixed(0, (d) => int(d.ns % NS_PER_SECOND)),
};

const UNIT_NS: Readonly<Record<string, bigint>> = {
  w: 7n * 86_400n * NS_PER_SECOND,
  d: 86_400n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  s: NS_PER_SECOND,
  ms: NS_PER_MS,
  ns: 1n,
};

function magnitudeToNs(v: Value, unitNs: bigint): bigint {
  const n = asNumber(v, 'duration.value()');
  if (n.t === 'int') return n.v * unitNs;
  if (!Number.isFinite(n.v)) throw fail('duration.value() needs a finite magnitude');
  return BigInt(Math.round(n.v * Number(unitNs)));
}

export const TIMESTAMP_NAMESPACE: Readonly<Record<string, GlobalFn>> = {
  date: fixed(3, (_, args) => {
    const [y, m, d] = [0, 1, 2].map((i) => smallInt(argAt(args, i), 'timestamp.date()'));
    const ns = dateToNs(y as number, m as number, d as number);
    if (ns === undefined) throw fail(`timestamp.date(${y}, ${m}, ${d}) is not a valid date`);
    return timestamp(ns);
  }),
  value: fixed(1, (_, args) => checkedTimestamp(asInt(argAt(args, 0), 'timestamp.value()').v * NS_PER_MS)),
};

export const DURATION_NAMESPACE: Readonly<Record<string, GlobalFn>> = {
  abs: fixed(1, (_, args) => {
    const d = asDuration(argAt(args, 0), 'duration.abs()');
    return duration(d.ns < 0n ? -d.ns : d.ns);
  }),
  time: fixed(4, (_, args) => {
    const [h, m, s, ns] = [0, 1, 2, 3].map((i) => asInt(argAt(args, i), 'duration.time()').v) as [bigint, bigint, bigint, bigint];
    return checkedDuration(((h * 60n + m) * 60n + s) * NS_PER_SECOND + ns);
  }),
  value: fixed(2, (_, args) => {
    const unit = asString(argAt(args, 1), 'duration.value()').v;
    const unitNs = UNIT_NS[unit];
    if (unitNs === undefined) throw fail(`duration.value(): unknown unit '${unit}' (expected w, d, h, m, s, ms or ns)`);
    return checkedDuration(magnitudeToNs(argAt(args, 0), unitNs));
  }),
};

/**
 * Runtime values of the rules language. Integers are 64-bit (bigint) because Firestore
 * integers are; timestamps and durations are nanosecond counts (bigint) so no precision is
 * lost between the wire form and comparisons.
 *
 * `unknown` and `symmap` only appear while authorising a list query: they stand for a value
 * of a document the query might return, known only through the query's constraints.
 */
import type { FieldConstraint } from './constraint-types.js';

export type PathSegment = string | { readonly placeholder: string };

export interface NullV { readonly t: 'null' }
export interface BoolV { readonly t: 'bool'; readonly v: boolean }
export interface IntV { readonly t: 'int'; readonly v: bigint }
export interface FloatV { readonly t: 'float'; readonly v: number }
export interface StringV { readonly t: 'string'; readonly v: string }
export interface BytesV { readonly t: 'bytes'; readonly v: Uint8Array }
export interface ListV { readonly t: 'list'; readonly v: readonly Value[] }
export interface MapV { readonly t: 'map'; readonly v: ReadonlyMap<string, Value> }
/** Elements are unique by `valueKey`; insertion order is kept for stable output. */
export interface SetV { readonly t: 'set'; readonly v: ReadonlyMap<string, Value> }
export interface MapDiffV { readonly t: 'mapdiff'; readonly left: MapV; readonly right: MapV }
export interface TimestampV { readonly t: 'timestamp'; readonly ns: bigint }
export interface DurationV { readonly t: 'duration'; readonly ns: bigint }
export interface PathV { readonly t: 'path'; readonly segs: readonly PathSegment[] }
export interface LatLngV { readonly t: 'latlng'; readonly lat: number; readonly lng: number }
/** A value that depends on which document a query returns. */
export interface UnknownV { readonly t: 'unknown'; readonly c?: FieldConstraint }
/** A map (a document's data, or a nested map in it) only partly fixed by a query. */
export interface SymMapV {
  readonly t: 'symmap';
  /** The value of a field: concrete when the query fixes it, otherwise `unknown`. */
  field(name: string): Value;
  /** True when every document the query returns has the field; undefined when not known. */
  has(name: string): boolean | undefined;
}

export type Value =
  | NullV
  | BoolV
  | IntV
  | FloatV
  | StringV
  | BytesV
  | ListV
  | MapV
  | SetV
  | MapDiffV
  | TimestampV
  | DurationV
  | PathV
  | LatLngV
  | UnknownV
  | SymMapV;

export const NULL: NullV = { t: 'null' };
export const TRUE: BoolV = { t: 'bool', v: true };
export const FALSE: BoolV = { t: 'bool', v: false };
export const UNKNOWN: UnknownV = { t: 'unknown' };

export const INT64_MAX = (1n << 63n) - 1n;
export const INT64_MIN = -(1n << 63n);

export const bool = (v: boolean): BoolV => (v ? TRUE : FALSE);
export const int = (v: bigint | number): IntV => ({ t: 'int', v: typeof v === 'bigint' ? v : BigInt(v) });
export const float = (v: number): FloatV => ({ t: 'float', v });
export const str = (v: string): StringV => ({ t: 'string', v });
export const bytes = (v: Uint8Array): BytesV => ({ t: 'bytes', v });
export const list = (v: readonly Value[]): ListV => ({ t: 'list', v });
export const map = (v: ReadonlyMap<string, Value>): MapV => ({ t: 'map', v });
export const mapOf = (entries: Record<string, Value>): MapV => map(new Map(Object.entries(entries)));
export const timestamp = (ns: bigint): TimestampV => ({ t: 'timestamp', ns });
export const duration = (ns: bigint): DurationV => ({ t: 'duration', ns });
export const path = (segs: readonly PathSegment[]): PathV => ({ t: 'path', segs });
export const latlng = (lat: number, lng: number): LatLngV => ({ t: 'latlng', lat, lng });

export function setOf(values: Iterable<Value>): SetV {
  const out = new Map<string, Value>();
  for (const v of values) {
    const k = valueKey(v);
    if (!out.has(k)) out.set(k, v);
  }
  return { t: 'set', v: out };
}

/** True for values whose content depends on the document a query returns. */
export function isSymbolic(v: Value): v is UnknownV | SymMapV {
  return v.t === 'unknown' || v.t === 'symmap';
}

/** The type name used by `is` checks and error messages. */
export function typeName(v: Value): string {
  switch (v.t) {
    case 'mapdiff':
      return 'map_diff';
    case 'symmap':
      return 'map';
    default:
      return v.t;
  }
}

/** 64-bit integer result, or an overflow error message. */
export function checkedInt(v: bigint): IntV | string {
  if (v > INT64_MAX || v < INT64_MIN) return 'Integer overflow';
  return int(v);
}

function numeric(v: Value): number | bigint | undefined {
  if (v.t === 'int') return v.v;
  if (v.t === 'float') return v.v;
  return undefined;
}

/** Compares an int with a float exactly (no rounding of large ints). */
function compareIntFloat(i: bigint, f: number): number {
  if (Number.isNaN(f)) return NaN;
  if (f === Infinity) return -1;
  if (f === -Infinity) return 1;
  const fi = BigInt(Math.trunc(f));
  if (i !== fi) return i < fi ? -1 : 1;
  const frac = f - Math.trunc(f);
  return frac === 0 ? 0 : frac > 0 ? -1 : 1;
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint') return compareIntFloat(a, b as number);
  return -compareIntFloat(b as bigint, a);
}

/** Compares strings by Unicode code point (the same order as their UTF-8 bytes). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1; // a surrogate (>= U+10000) sorts after any BMP char
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Ordering for `<`, `<=`, `>`, `>=`. Returns NaN when a NaN is involved (every comparison is
 * then false) and undefined when the two values cannot be ordered (an evaluation error).
 */
export function compareValues(a: Value, b: Value): number | undefined {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb);
  if (a.t === 'string' && b.t === 'string') return compareStrings(a.v, b.v);
  if (a.t === 'timestamp' && b.t === 'timestamp') return a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
  if (a.t === 'duration' && b.t === 'duration') return a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
  if (a.t === 'bytes' && b.t === 'bytes') return compareBytes(a.v, b.v);
  return undefined;
}

function pathEquals(a: PathV, b: PathV): boolean {
  if (a.segs.length !== b.segs.length) return false;
  return a.segs.every((s, i) => {
    const o = b.segs[i];
    return typeof s === 'string' && typeof o === 'string' && s === o;
  });
}

/** Deep equality of concrete values (`==`). Values of different types are simply unequal. */
export function valuesEqual(a: Value, b: Value): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb) === 0;
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'null':
      return true;
    case 'bool':
    case 'string':
      return a.v === (b as typeof a).v;
    case 'bytes':
      return compareBytes(a.v, (b as BytesV).v) === 0;
    case 'list': {
      const o = (b as ListV).v;
      return a.v.length === o.length && a.v.every((x, i) => valuesEqual(x, o[i] as Value));
    }
    case 'map': {
      const o = (b as MapV).v;
      if (a.v.size !== o.size) return false;
      for (const [k, x] of a.v) {
        const y = o.get(k);
        if (y === undefined || !valuesEqual(x, y)) return false;
      }
      return true;
    }
    case 'set': {
      const o = (b as SetV).v;
      if (a.v.size !== o.size) return false;
      for (const k of a.v.keys()) if (!o.has(k)) return false;
      return true;
    }
    case 'mapdiff': {
      const o = b as MapDiffV;
      return valuesEqual(a.left, o.left) && valuesEqual(a.right, o.right);
    }
    case 'timestamp':
    case 'duration':
      return a.ns === (b as typeof a).ns;
    case 'path':
      return pathEquals(a, b as PathV);
    case 'latlng':
      return a.lat === (b as LatLngV).lat && a.lng === (b as LatLngV).lng;
    default:
      return false;
  }
}

/**
 * A canonical string for a concrete value, equal for values that are `==` (ints and floats of
 * the same numeric value share a key). Used for sets and membership tests.
 */
export function valueKey(v: Value): string {
  switch (v.t) {
    case 'null':
      return 'n';
    case 'bool':
      return v.v ? 'b1' : 'b0';
    case 'int':
      return `i${v.v}`;
    case 'float':
      if (Number.isInteger(v.v) && Math.abs(v.v) < 2 ** 63) return `i${BigInt(v.v)}`;
      return `f${v.v}`;
    case 'string':
      return `s${JSON.stringify(v.v)}`;
    case 'bytes':
      return `y${Array.from(v.v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    case 'list':
      return `l[${v.v.map(valueKey).join(',')}]`;
    case 'map':
      return `m{${[...v.v.keys()]
        .sort()
        .map((k) => `${JSON.stringify(k)}:${valueKey(v.v.get(k) as Value)}`)
        .join(',')}}`;
    case 'set':
      return `S{${[...v.v.keys()].sort().join(',')}}`;
    case 'mapdiff':
      return `d(${valueKey(v.left)},${valueKey(v.right)})`;
    case 'timestamp':
      return `t${v.ns}`;
    case 'duration':
      return `D${v.ns}`;
    case 'path':
      return `p${JSON.stringify(v.segs)}`;
    case 'latlng':
      return `g${v.lat},${v.lng}`;
    case 'unknown':
    case 'symmap':
      // Never used as a key: symbolic values are handled before any key is computed.
      return '?';
  }
}

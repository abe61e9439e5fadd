import { comparePaths } from './path.js';
import { compareDoubles, compareIntToDouble, compareIntegerStrings } from './numbers.js';
import type { Timestamp } from './timestamp.js';
import { compareTimestamps, parseTimestamp } from './timestamp.js';
import { compareUtf8 } from './utf8.js';
import type { ArrayValue, LatLng, MapValue, Value } from './values.js';
import { TypeOrder, VECTOR_VALUES_KEY, doubleOf, typeOrder } from './values.js';

/**
 * Firestore's total order of values: first by type (null < boolean < number < timestamp <
 * string < bytes < reference < geo point < array < vector < map), then within the type.
 * Integers and doubles compare numerically (NaN first); strings by UTF-8 bytes; references
 * segment by segment with `__id<n>__` ids first.
 */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  const ta = typeOrder(a);
  const tb = typeOrder(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case TypeOrder.Null:
      return 0;
    case TypeOrder.Boolean:
      return cmp(Number((a as { booleanValue: boolean }).booleanValue), Number((b as { booleanValue: boolean }).booleanValue));
    case TypeOrder.Number:
      return compareNumbers(a, b);
    case TypeOrder.Timestamp:
      return compareTimestampStrings((a as { timestampValue: string }).timestampValue, (b as { timestampValue: string }).timestampValue);
    case TypeOrder.String:
      return compareUtf8((a as { stringValue: string }).stringValue, (b as { stringValue: string }).stringValue);
    case TypeOrder.Bytes:
      return compareBytes((a as { bytesValue: string }).bytesValue, (b as { bytesValue: string }).bytesValue);
    case TypeOrder.Reference:
      return compareReferences((a as { referenceValue: string }).referenceValue, (b as { referenceValue: string }).referenceValue);
    case TypeOrder.GeoPoint:
      return compareGeoPoints((a as { geoPointValue: LatLng }).geoPointValue, (b as { geoPointValue: LatLng }).geoPointValue);
    case TypeOrder.Array:
      return compareArrays((a as { arrayValue: ArrayValue }).arrayValue, (b as { arrayValue: ArrayValue }).arrayValue);
    case TypeOrder.Vector:
      return compareVectors((a as { mapValue: MapValue }).mapValue, (b as { mapValue: MapValue }).mapValue);
    case TypeOrder.Map:
      return compareMaps((a as { mapValue: MapValue }).mapValue, (b as { mapValue: MapValue }).mapValue);
  }
}

const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

function compareNumbers(a: Value, b: Value): number {
  const ai = 'integerValue' in a ? a.integerValue : undefined;
  const bi = 'integerValue' in b ? b.integerValue : undefined;
  if (ai !== undefined && bi !== undefined) return compareIntegerStrings(ai, bi);
  if (ai !== undefined) return compareIntToDouble(BigInt(ai), doubleOf((b as { doubleValue: number | string }).doubleValue));
  const ad = doubleOf((a as { doubleValue: number | string }).doubleValue);
  if (bi !== undefined) return 0 - compareIntToDouble(BigInt(bi), ad) || 0;
  return compareDoubles(ad, doubleOf((b as { doubleValue: number | string }).doubleValue));
}

export function compareTimestampStrings(a: string, b: string): number {
  if (a === b) return 0;
  return compareTimestamps(parsedTimestamp(a), parsedTimestamp(b));
}

/**
 * Stored timestamps are compared over and over (index order, range filters on lease and
 * due times): each text is parsed once. Bounded: cleared when full.
 */
const parsedTimestamps = new Map<string, Timestamp>();

export function parsedTimestamp(text: string): Timestamp {
  let ts = parsedTimestamps.get(text);
  if (ts === undefined) {
    ts = parseTimestamp(text);
    if (parsedTimestamps.size >= 8192) parsedTimestamps.clear();
    parsedTimestamps.set(text, ts);
  }
  return ts;
}

export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'base64'), Buffer.from(b, 'base64'));
}

export function compareReferences(a: string, b: string): number {
  if (a === b) return 0;
  return comparePaths(a.split('/'), b.split('/'));
}

function compareGeoPoints(a: LatLng, b: LatLng): number {
  return compareDoubles(a.latitude ?? 0, b.latitude ?? 0) || compareDoubles(a.longitude ?? 0, b.longitude ?? 0);
}

function compareArrays(a: ArrayValue, b: ArrayValue): number {
  const x = a.values ?? [];
  const y = b.values ?? [];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return cmp(x.length, y.length);
}

function vectorArray(m: MapValue): ArrayValue {
  const v = m.fields?.[VECTOR_VALUES_KEY];
  return v && 'arrayValue' in v ? v.arrayValue : {};
}

function compareVectors(a: MapValue, b: MapValue): number {
  const x = vectorArray(a);
  const y = vectorArray(b);
  return cmp(x.values?.length ?? 0, y.values?.length ?? 0) || compareArrays(x, y);
}

export function sortedKeys(fields: Record<string, Value> | undefined): string[] {
  return Object.keys(fields ?? {}).sort(compareUtf8);
}

function compareMaps(a: MapValue, b: MapValue): number {
  const ka = sortedKeys(a.fields);
  const kb = sortedKeys(b.fields);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(ka[i]!, kb[i]!) || compareValues(a.fields![ka[i]!]!, b.fields![kb[i]!]!);
    if (c !== 0) return c;
  }
  return cmp(ka.length, kb.length);
}

/**
 * Equality as Firestore queries use it: numbers compare numerically (1 == 1.0, -0 == 0)
 * and NaN is equal to NaN (the backend matches NaN only through IS_NAN filters, which the
 * SDKs send for `== NaN`; arrayRemove/arrayUnion treat NaN as equal to itself).
 */
export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}

export function arrayContains(haystack: readonly Value[], needle: Value): boolean {
  for (const v of haystack) if (valuesEqual(v, needle)) return true;
  return false;
}

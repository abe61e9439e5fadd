/**
 * Firestore values in the proto3-JSON shape the REST API uses (and our gRPC front end
 * produces): `{integerValue: "1"}`, `{timestampValue: "2024-01-01T00:00:00.5Z"}`, bytes as
 * base64. After `normalizeValue` (see normalize.ts) every value is canonical: integers are
 * canonical decimal strings, finite doubles are numbers and NaN/Infinity are the proto3-JSON
 * strings, timestamps are truncated to microseconds, arrays/maps always carry their
 * `values`/`fields` member.
 */
export interface LatLng {
  latitude?: number;
  longitude?: number;
}
export interface ArrayValue {
  values?: Value[];
}
export interface MapValue {
  fields?: Record<string, Value>;
}

export type Value =
  | { nullValue: null | 'NULL_VALUE' | 0 }
  | { booleanValue: boolean }
  | { integerValue: string }
  | { doubleValue: number | string }
  | { timestampValue: string }
  | { stringValue: string }
  | { bytesValue: string }
  | { referenceValue: string }
  | { geoPointValue: LatLng }
  | { arrayValue: ArrayValue }
  | { mapValue: MapValue };

export type Fields = Record<string, Value>;

/** Backend type order (Firestore's documented order of value types). */
export const enum TypeOrder {
  Null = 0,
  Boolean = 1,
  Number = 2,
  Timestamp = 3,
  String = 4,
  Bytes = 5,
  Reference = 6,
  GeoPoint = 7,
  Array = 8,
  Vector = 9,
  Map = 10,
}

export const VECTOR_TYPE_KEY = '__type__';
export const VECTOR_TYPE_VALUE = '__vector__';
export const VECTOR_VALUES_KEY = 'value';

export const NULL_VALUE: Value = { nullValue: null };

export function isVectorMap(map: MapValue): boolean {
  const type = map.fields?.[VECTOR_TYPE_KEY];
  return type !== undefined && 'stringValue' in type && type.stringValue === VECTOR_TYPE_VALUE;
}

export function typeOrder(value: Value): TypeOrder {
  if ('nullValue' in value) return TypeOrder.Null;
  if ('booleanValue' in value) return TypeOrder.Boolean;
  if ('integerValue' in value || 'doubleValue' in value) return TypeOrder.Number;
  if ('timestampValue' in value) return TypeOrder.Timestamp;
  if ('stringValue' in value) return TypeOrder.String;
  if ('bytesValue' in value) return TypeOrder.Bytes;
  if ('referenceValue' in value) return TypeOrder.Reference;
  if ('geoPointValue' in value) return TypeOrder.GeoPoint;
  if ('arrayValue' in value) return TypeOrder.Array;
  if ('mapValue' in value) return isVectorMap(value.mapValue) ? TypeOrder.Vector : TypeOrder.Map;
  throw new TypeError('Value has no recognised type');
}

/** A double value as a JS number (proto3 JSON spells NaN/Infinity as strings). */
export function doubleOf(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

/** JS number -> canonical proto3-JSON double member. */
export function doubleJson(n: number): number | string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  return n;
}

export function isNullValue(v: Value | undefined): boolean {
  return v !== undefined && 'nullValue' in v;
}

export function isNaNValue(v: Value | undefined): boolean {
  return v !== undefined && 'doubleValue' in v && Number.isNaN(doubleOf(v.doubleValue));
}

export function isArrayValue(v: Value | undefined): v is { arrayValue: ArrayValue } {
  return v !== undefined && 'arrayValue' in v;
}

export function isMapValue(v: Value | undefined): v is { mapValue: MapValue } {
  return v !== undefined && 'mapValue' in v;
}

export function isNumberValue(v: Value | undefined): v is { integerValue: string } | { doubleValue: number | string } {
  return v !== undefined && ('integerValue' in v || 'doubleValue' in v);
}

export function arrayElements(v: { arrayValue: ArrayValue }): Value[] {
  return v.arrayValue.values ?? [];
}

export function mapFields(v: { mapValue: MapValue }): Fields {
  return v.mapValue.fields ?? {};
}

/**
 * Deep copy of plain JSON data (values, field maps): what structuredClone gives for it, at a
 * fraction of the cost (every write copies its document's fields).
 */
export function clonePlain<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const arr: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) arr[i] = clonePlain(v[i] as unknown);
    return arr as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    setOwnProperty(out, key, clonePlain((v as Record<string, unknown>)[key]));
  }
  return out as T;
}

/** `obj[key] = value`, except that a key "__proto__" is data: an own property, never the prototype. */
export function setOwnProperty(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Deep equality of plain JSON data (values, field maps) with util.isDeepStrictEqual's
 * answer for it (Object.is on leaves: NaN equals NaN, 0 and -0 differ; key order ignored).
 */
export function samePlain(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePlain(a[i], bb[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const key of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!samePlain((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** Deep copy of a value or field map (see clonePlain). */
export function cloneValue<T extends Value | Fields>(v: T): T {
  return clonePlain(v);
}

import { invalidArgument } from './errors.js';
import { isInt64 } from './numbers.js';
import { parseDocumentName } from './path.js';
import { formatTimestamp, toTimestamp, truncateToMicros } from './timestamp.js';
import { isValidUtf8String, utf8Length } from './utf8.js';
import type { Fields, Value } from './values.js';
import { VECTOR_TYPE_KEY, VECTOR_TYPE_VALUE, doubleJson } from './values.js';

/** Maximum nesting of maps/arrays Firestore accepts. */
export const MAX_DEPTH = 20;
/** Maximum document size (1 MiB). */
export const MAX_DOCUMENT_BYTES = 1_048_576;

const VALUE_KEYS = [
  'nullValue',
  'booleanValue',
  'integerValue',
  'doubleValue',
  'timestampValue',
  'stringValue',
  'bytesValue',
  'referenceValue',
  'geoPointValue',
  'arrayValue',
  'mapValue',
] as const;

/**
 * Validates an incoming value (proto3 JSON, or protobuf-ish numbers) and returns its
 * canonical form. Throws INVALID_ARGUMENT with a message naming what is wrong.
 */
const tooDeep = (): Error => invalidArgument(`Value exceeds the maximum depth of ${MAX_DEPTH} nested maps and arrays.`);

/**
 * `depth` counts the maps and arrays around the value (a document's top-level field: 0).
 * Each map or array adds a level and Firestore allows 20 (its documented example: a map in
 * an array in a map is depth 3), so a map or array at depth 20 is refused, checked before
 * recursing: no input can nest deeper than that here.
 */
export function normalizeValue(input: unknown, depth = 0, insideArray = false): Value {
  if (depth > MAX_DEPTH) throw tooDeep();
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw invalidArgument('Invalid value: expected a Value object.');
  const v = input as Record<string, unknown>;
  const present = VALUE_KEYS.filter((k) => v[k] !== undefined || (k === 'nullValue' && 'nullValue' in v));
  if (present.length !== 1) {
    throw invalidArgument(present.length === 0 ? 'Invalid value: it has no value type set.' : `Invalid value: it sets more than one value type (${present.join(', ')}).`);
  }
  const kind = present[0]!;
  const raw = v[kind];
  switch (kind) {
    case 'nullValue':
      return { nullValue: null };
    case 'booleanValue':
      if (typeof raw !== 'boolean') throw invalidArgument('Invalid booleanValue.');
      return { booleanValue: raw };
    case 'integerValue':
      return { integerValue: normalizeInteger(raw) };
    case 'doubleValue':
      return { doubleValue: normalizeDouble(raw) };
    case 'timestampValue':
      return { timestampValue: formatTimestamp(truncateToMicros(toTimestamp(raw))) };
    case 'stringValue':
      if (typeof raw !== 'string') throw invalidArgument('Invalid stringValue.');
      if (!isValidUtf8String(raw)) throw invalidArgument('Invalid stringValue: it is not valid UTF-8.');
      return { stringValue: raw };
    case 'bytesValue':
      return { bytesValue: normalizeBytes(raw) };
    case 'referenceValue':
      if (typeof raw !== 'string') throw invalidArgument('Invalid referenceValue.');
      parseDocumentName(raw);
      return { referenceValue: raw };
    case 'geoPointValue':
      return { geoPointValue: normalizeGeoPoint(raw) };
    case 'arrayValue': {
      if (depth >= MAX_DEPTH) throw tooDeep();
      if (insideArray) throw invalidArgument('Invalid value: an array cannot directly contain another array.');
      if (!raw || typeof raw !== 'object') throw invalidArgument('Invalid arrayValue.');
      const values = (raw as { values?: unknown }).values ?? [];
      if (!Array.isArray(values)) throw invalidArgument('Invalid arrayValue: values must be a list.');
      return { arrayValue: { values: values.map((e) => normalizeValue(e, depth + 1, true)) } };
    }
    case 'mapValue': {
      if (depth >= MAX_DEPTH) throw tooDeep();
      if (!raw || typeof raw !== 'object') throw invalidArgument('Invalid mapValue.');
      return { mapValue: { fields: normalizeFields((raw as { fields?: unknown }).fields ?? {}, depth + 1) } };
    }
  }
}

/**
 * The operand of an `in` / `not-in` filter: a list whose elements may themselves be arrays
 * (`a in [[1, 2], [3]]` matches documents whose `a` equals one of those arrays), which a
 * stored value may not be. Anything but an array is left to `normalizeValue` (the query
 * layer reports the missing list).
 */
export function normalizeListOperand(input: unknown): Value {
  const list = input && typeof input === 'object' ? (input as { arrayValue?: unknown }).arrayValue : undefined;
  if (list === undefined || list === null || Object.keys(input as object).length !== 1) return normalizeValue(input);
  if (typeof list !== 'object') throw invalidArgument('Invalid arrayValue.');
  const values = (list as { values?: unknown }).values ?? [];
  if (!Array.isArray(values)) throw invalidArgument('Invalid arrayValue: values must be a list.');
  return { arrayValue: { values: values.map((e) => normalizeValue(e, 1)) } };
}

/** Field names Firestore reserves: any name matching `__.*__` ("__proto__" included). */
const RESERVED_FIELD_NAME = /^__.*__$/s;

export function normalizeFields(input: unknown, depth = 0): Fields {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw invalidArgument('Invalid fields: expected a map.');
  const out: Fields = {};
  // Object.keys lists an own "__proto__" key (front ends keep it as data): it is refused
  // below, so it is never assigned (which would set the prototype and drop the field).
  for (const key of Object.keys(input)) {
    const value = (input as Record<string, unknown>)[key];
    if (key.length === 0) throw invalidArgument('Invalid field name: field names cannot be empty.');
    if (!isValidUtf8String(key)) throw invalidArgument('Invalid field name: it is not valid UTF-8.');
    if (utf8Length(key) > 1500) throw invalidArgument('Invalid field name: longer than 1500 bytes.');
    if (RESERVED_FIELD_NAME.test(key) && !isVectorTypeTag(key, value)) {
      throw invalidArgument(`Invalid field name "${key.length > 64 ? `${key.slice(0, 61)}...` : key}": names matching __.*__ are reserved.`);
    }
    out[key] = normalizeValue(value, depth);
  }
  return out;
}

/** A vector value is the one map Firestore lets carry a reserved name: `__type__: "__vector__"`. */
function isVectorTypeTag(key: string, value: unknown): boolean {
  return key === VECTOR_TYPE_KEY && typeof value === 'object' && value !== null && (value as { stringValue?: unknown }).stringValue === VECTOR_TYPE_VALUE;
}

/** Refuses a written field path with a reserved segment (`__.*__`), as Firestore does. */
export function checkWritableFieldPath(path: readonly string[]): void {
  for (const segment of path) {
    if (RESERVED_FIELD_NAME.test(segment)) throw invalidArgument(`Invalid field path: "${segment}" is a reserved field name (names matching __.*__ are reserved).`);
  }
}

function normalizeInteger(raw: unknown): string {
  let n: bigint;
  if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw)) n = BigInt(raw);
  else if (typeof raw === 'number' && Number.isInteger(raw)) n = BigInt(raw);
  else if (typeof raw === 'bigint') n = raw;
  else if (raw && typeof raw === 'object' && typeof (raw as { toString?: unknown }).toString === 'function') {
    // protobufjs Long
    const s = String(raw);
    if (!/^[+-]?\d+$/.test(s)) throw invalidArgument(`Invalid integerValue: ${s}.`);
    n = BigInt(s);
  } else throw invalidArgument(`Invalid integerValue: ${String(raw)}.`);
  if (!isInt64(n)) throw invalidArgument(`Invalid integerValue: ${n} is outside the 64-bit integer range.`);
  return n.toString();
}

function normalizeDouble(raw: unknown): number | string {
  if (typeof raw === 'number') return doubleJson(raw);
  if (typeof raw === 'string') {
    if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return raw;
    const n = Number(raw);
    if (raw.trim() !== '' && !Number.isNaN(n)) return doubleJson(n);
  }
  throw invalidArgument(`Invalid doubleValue: ${String(raw)}.`);
}

function normalizeBytes(raw: unknown): string {
  if (typeof raw === 'string') {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) throw invalidArgument('Invalid bytesValue: not base64.');
    return Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64').toString('base64');
  }
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  throw invalidArgument('Invalid bytesValue.');
}

function normalizeGeoPoint(raw: unknown): { latitude: number; longitude: number } {
  if (!raw || typeof raw !== 'object') throw invalidArgument('Invalid geoPointValue.');
  const { latitude = 0, longitude = 0 } = raw as { latitude?: unknown; longitude?: unknown };
  const lat = Number(latitude);
  const lng = Number(longitude);
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw invalidArgument(`Invalid geoPointValue: latitude ${String(latitude)} must be within [-90, 90].`);
  if (!Number.isFinite(lng) || lng < -180 || lng > 180) throw invalidArgument(`Invalid geoPointValue: longitude ${String(longitude)} must be within [-180, 180].`);
  return { latitude: lat, longitude: lng };
}

/** Storage size of a value as Firestore counts it. */
export function valueSize(v: Value): number {
  if ('nullValue' in v || 'booleanValue' in v) return 1;
  if ('integerValue' in v || 'doubleValue' in v || 'timestampValue' in v) return 8;
  if ('stringValue' in v) return utf8Length(v.stringValue) + 1;
  if ('bytesValue' in v) return Math.floor((v.bytesValue.length * 3) / 4);
  if ('referenceValue' in v) return utf8Length(v.referenceValue) + 1;
  if ('geoPointValue' in v) return 16;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).reduce((s, e) => s + valueSize(e), 0);
  return fieldsSize(v.mapValue.fields ?? {});
}

export function fieldsSize(fields: Fields): number {
  let size = 0;
  for (const [k, v] of Object.entries(fields)) size += utf8Length(k) + 1 + valueSize(v);
  return size;
}

/** Document size = name size (segments + 16) + fields + 32, per Firestore's storage-size rules. */
export function documentSize(path: string, fields: Fields): number {
  let nameSize = 16;
  for (const seg of path.split('/')) nameSize += utf8Length(seg) + 1;
  return nameSize + fieldsSize(fields) + 32;
}

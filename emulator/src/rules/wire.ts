/**
 * Conversion of Firestore's proto3-JSON wire shapes (documents, values, resource names) into
 * rules runtime values. Accepts both the canonical JSON forms (int64 as strings, timestamps as
 * RFC 3339, bytes as base64) and the object forms protobufjs produces ({seconds, nanos}, numbers).
 */
import { RulesRequestError } from './errors.js';
import { NS_PER_SECOND, parseTimestamp } from './time-utils.js';
import {
  FALSE,
  float,
  int,
  INT64_MAX,
  INT64_MIN,
  latlng,
  list,
  map,
  mapOf,
  NULL,
  path,
  str,
  timestamp,
  TRUE,
  bytes,
  type MapV,
  type Value,
} from './values.js';

export type WireTimestamp = string | { seconds?: string | number | bigint; nanos?: number };

export interface WireValue {
  nullValue?: null | 'NULL_VALUE' | 0;
  booleanValue?: boolean;
  integerValue?: string | number | bigint | object;
  doubleValue?: number | string;
  timestampValue?: WireTimestamp;
  stringValue?: string;
  bytesValue?: string | Uint8Array;
  referenceValue?: string;
  geoPointValue?: { latitude?: number; longitude?: number };
  arrayValue?: { values?: WireValue[] };
  mapValue?: { fields?: Record<string, WireValue> };
}

export interface WireDocument {
  name?: string;
  fields?: Record<string, WireValue>;
  createTime?: WireTimestamp;
  updateTime?: WireTimestamp;
}

export interface ResourceName {
  readonly project: string;
  readonly database: string;
  /** Segments after `documents/`. */
  readonly segments: readonly string[];
}

/** Parses `projects/P/databases/D/documents[/a/b...]`. */
export function parseResourceName(name: string): ResourceName {
  const parts = name.replace(/^\/+/, '').split('/');
  if (parts.length < 5 || parts[0] !== 'projects' || parts[2] !== 'databases' || parts[4] !== 'documents') {
    throw new RulesRequestError(`not a Firestore resource name: ${JSON.stringify(name)} (expected projects/P/databases/D/documents/...)`);
  }
  const segments = parts.slice(5);
  if (parts.slice(1, 4).concat(segments).some((s) => s === '')) {
    throw new RulesRequestError(`resource name has an empty segment: ${JSON.stringify(name)}`);
  }
  return { project: parts[1] as string, database: parts[3] as string, segments };
}

/** The rules path of a document: /databases/D/documents/a/b. */
export function rulesPathSegments(r: ResourceName): string[] {
  return ['databases', r.database, 'documents', ...r.segments];
}

export function wireTimestampToNs(t: WireTimestamp, what: string): bigint {
  if (typeof t === 'string') {
    const ns = parseTimestamp(t);
    if (ns === undefined) throw new RulesRequestError(`${what}: invalid timestamp ${JSON.stringify(t)}`);
    return ns;
  }
  if (t && typeof t === 'object') {
    const secs = BigInt(t.seconds ?? 0);
    const nanos = t.nanos ?? 0;
    if (!Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9) throw new RulesRequestError(`${what}: nanos out of range`);
    return secs * NS_PER_SECOND + BigInt(nanos);
  }
  throw new RulesRequestError(`${what}: invalid timestamp`);
}

function decodeBase64(b: string | Uint8Array): Uint8Array {
  if (typeof b !== 'string') return b;
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b)) throw new RulesRequestError('bytesValue is not base64');
  return new Uint8Array(Buffer.from(b, 'base64'));
}

function wireDouble(d: number | string): number {
  if (typeof d === 'number') return d;
  if (d === 'NaN') return NaN;
  if (d === 'Infinity') return Infinity;
  if (d === '-Infinity') return -Infinity;
  const n = Number(d);
  if (d.trim() === '' || Number.isNaN(n)) throw new RulesRequestError(`doubleValue ${JSON.stringify(d)} is not a number`);
  return n;
}

function wireInt(i: string | number | bigint | object): Value {
  let v: bigint;
  try {
    // protobufjs may hand over a Long; its toString() is the decimal value.
    v = BigInt(typeof i === 'object' ? String(i) : i);
  } catch {
    throw new RulesRequestError(`integerValue ${JSON.stringify(String(i))} is not an integer`);
  }
  if (v > INT64_MAX || v < INT64_MIN) throw new RulesRequestError(`integerValue ${v} is outside the 64-bit range`);
  return int(v);
}

const VALUE_KINDS = new Set([
  'nullValue', 'booleanValue', 'integerValue', 'doubleValue', 'timestampValue', 'stringValue',
  'bytesValue', 'referenceValue', 'geoPointValue', 'arrayValue', 'mapValue',
]);

export function wireToValue(w: WireValue): Value {
  if (w === null || typeof w !== 'object') throw new RulesRequestError('wire value must be an object');
  // protobufjs objects made with `oneofs: true` (and maybe `defaults: true`) name the set field.
  const chosen = (w as { valueType?: unknown }).valueType;
  if (typeof chosen === 'string' && VALUE_KINDS.has(chosen)) {
    return wireToValue({ [chosen]: (w as Record<string, unknown>)[chosen] } as WireValue);
  }
  if ('nullValue' in w) return NULL;
  if (w.booleanValue !== undefined) return w.booleanValue ? TRUE : FALSE;
  if (w.integerValue !== undefined) return wireInt(w.integerValue);
  if (w.doubleValue !== undefined) return float(wireDouble(w.doubleValue));
  if (w.timestampValue !== undefined) return timestamp(wireTimestampToNs(w.timestampValue, 'timestampValue'));
  if (w.stringValue !== undefined) return str(w.stringValue);
  if (w.bytesValue !== undefined) return bytes(decodeBase64(w.bytesValue));
  if (w.referenceValue !== undefined) return path(rulesPathSegments(parseResourceName(w.referenceValue)));
  if (w.geoPointValue !== undefined) return latlng(w.geoPointValue.latitude ?? 0, w.geoPointValue.longitude ?? 0);
  if (w.arrayValue !== undefined) return list((w.arrayValue.values ?? []).map(wireToValue));
  if (w.mapValue !== undefined) return wireFieldsToMap(w.mapValue.fields);
  throw new RulesRequestError(`unrecognised wire value with keys ${JSON.stringify(Object.keys(w))}`);
}

export function wireFieldsToMap(fields: Record<string, WireValue> | undefined): MapV {
  const out = new Map<string, Value>();
  for (const [k, v] of Object.entries(fields ?? {})) out.set(k, wireToValue(v));
  return map(out);
}

/** A rules `Resource` ({data, id, __name__}) for a document stored at `name`. */
export function resourceValue(name: ResourceName, fields: Record<string, WireValue> | undefined): MapV {
  const segs = rulesPathSegments(name);
  return mapOf({
    data: wireFieldsToMap(fields),
    id: str(name.segments[name.segments.length - 1] ?? ''),
    __name__: path(segs),
  });
}

/** Plain JSON (auth token claims) to rules values: whole numbers become ints. */
export function jsonToValue(x: unknown): Value {
  if (x === null || x === undefined) return NULL;
  switch (typeof x) {
    case 'boolean':
      return x ? TRUE : FALSE;
    case 'number':
      return Number.isSafeInteger(x) ? int(x) : float(x);
    case 'bigint':
      return wireInt(x);
    case 'string':
      return str(x);
    case 'object':
      if (Array.isArray(x)) return list(x.map(jsonToValue));
      return map(new Map(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, jsonToValue(v)])));
    default:
      throw new RulesRequestError(`cannot convert a ${typeof x} to a rules value`);
  }
}

import { base64Length } from '../schema/payload.js';

/**
 * Sizes of Firestore writes as they travel, for tests that prove a submission fits
 * Firestore's limits. Values are the encoded document shapes (`encodeDoc`: Dates for
 * times, Uint8Array for bytes, a `SERVER_TIME` marker for server timestamps).
 */

/** Stands for `serverTimestamp()`: sent as a transform, not as a field value. */
export const SERVER_TIME = Symbol('server time');

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A Firestore Value in proto3 JSON, the way the web SDK's JSON serializer writes it. */
export function valueJson(v: unknown): Json {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { integerValue: String(v) } : { doubleValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (v instanceof Date) return { timestampValue: v.toISOString() };
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(valueJson) } };
  if (typeof v === 'object') return { mapValue: { fields: fieldsJson(v as Record<string, unknown>) } };
  throw new Error(`cannot encode ${typeof v}`);
}

function fieldsJson(data: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(data)) if (v !== SERVER_TIME && v !== undefined) out[k] = valueJson(v);
  return out;
}

export interface WriteSpec {
  /** Full resource name: `projects/P/databases/D/documents/<collection>/<id>`. */
  name: string;
  data: Record<string, unknown>;
}

/** `batch.set(ref, data)`: an update without mask; `serverTimestamp()` fields become transforms. */
export function setWriteJson(w: WriteSpec): Json {
  const transforms = Object.entries(w.data)
    .filter(([, v]) => v === SERVER_TIME)
    .map(([fieldPath]) => ({ fieldPath, setToValue: 'REQUEST_TIME' }));
  return { update: { name: w.name, fields: fieldsJson(w.data) }, ...(transforms.length ? { updateTransforms: transforms } : {}) };
}

function rawBytesIn(v: unknown): { raw: number; base64: number } {
  if (v instanceof Uint8Array) return { raw: v.length, base64: base64Length(v.length) };
  if (v === null || typeof v !== 'object' || v instanceof Date) return { raw: 0, base64: 0 };
  const acc = { raw: 0, base64: 0 };
  for (const x of Object.values(v as Record<string, unknown>)) {
    const s = rawBytesIn(x);
    acc.raw += s.raw;
    acc.base64 += s.base64;
  }
  return acc;
}

export interface RequestSize {
  /** The commit as proto3 JSON (browser: WebChannel Write stream message or REST `:commit` body). */
  jsonBytes: number;
  /**
   * The same JSON with bytes values counted raw instead of base64: an upper bound of the
   * binary protobuf the gRPC SDKs send (tags and varints are shorter than quoted names).
   */
  binaryBoundBytes: number;
  /** The WebChannel forward POST body (`count=1&ofs=0&req0___data__=<encodeURIComponent(json)>`). */
  webChannelFormBytes: number;
}

/** Size of one commit carrying `writes`, per transport. */
export function commitRequestSize(writes: readonly WriteSpec[], streamToken = 'AQIDBAUGBwgJCgsMDQ4PEA=='): RequestSize {
  const json = JSON.stringify({ streamToken, writes: writes.map(setWriteJson) });
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  const bytes = writes.map((w) => rawBytesIn(w.data)).reduce((a, b) => ({ raw: a.raw + b.raw, base64: a.base64 + b.base64 }), { raw: 0, base64: 0 });
  return {
    jsonBytes,
    binaryBoundBytes: jsonBytes - bytes.base64 + bytes.raw,
    webChannelFormBytes: Buffer.byteLength(`count=1&ofs=0&req0___data__=${encodeURIComponent(json)}`, 'utf8'),
  };
}

function stringSize(s: string): number {
  return Buffer.byteLength(s, 'utf8') + 1;
}

function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'number' || v instanceof Date || v === SERVER_TIME) return 8;
  if (typeof v === 'string') return stringSize(v);
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.reduce((s: number, x) => s + valueSize(x), 0);
  return Object.entries(v as Record<string, unknown>).reduce((s, [k, x]) => s + stringSize(k) + valueSize(x), 0);
}

/**
 * Firestore's storage size of a document ("Storage size calculations" in the Firestore
 * docs): name (each path segment + 1, plus 16) + fields (name + 1, value) + 32.
 */
export function documentStorageSize(path: string, data: Record<string, unknown>): number {
  const name = path.split('/').reduce((s, seg) => s + stringSize(seg), 16);
  return name + valueSize(data) + 32;
}

import protobuf from 'protobufjs';
import { MAX_REQUEST_BYTES, invalidArgument, isValidUtf8String, requestTooLarge, setOwnProperty } from '../../model/index.js';
import { jsonConvertersFor } from '../grpc/codec.js';

type Json = Record<string, unknown>;

const INT32 = new Set(['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const FLOAT = new Set(['double', 'float']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DECIMAL_INT = /^-?\d+$/;

const at = (path: string): string => (path ? ` at '${path}'` : '');

function invalid(path: string, expected: string, value: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  throw invalidArgument(`Invalid JSON payload received. Invalid value${at(path)} (${expected}), ${shown}`);
}

const RANGES: Record<string, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/**
 * Integers must fit their type: protobufjs would wrap "9223372036854775808" into a negative
 * int64 (Long.fromString does not range-check), and a JSON number past 2^53 has already lost
 * digits in JSON.parse, so such numbers are refused (send int64 values as strings, as the
 * SDKs do) rather than stored as a different value.
 */
function checkInteger(value: unknown, path: string, kind: 'int32' | 'uint32' | 'int64' | 'uint64'): void {
  const expected = `TYPE_${kind.toUpperCase()}`;
  let n: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) invalid(path, `${expected}; a number beyond 2^53 is not exact, send a decimal string`, value);
    n = BigInt(value);
  } else if (typeof value === 'string' && DECIMAL_INT.test(value)) n = BigInt(value);
  else invalid(path, expected, value);
  const [min, max] = RANGES[kind]!;
  if (n < min || n > max) invalid(path, `${expected}; out of range`, value);
}

const integerKind = (type: string): 'int32' | 'uint32' | 'int64' | 'uint64' =>
  type === 'uint32' || type === 'fixed32' ? 'uint32' : type === 'uint64' || type === 'fixed64' ? 'uint64' : INT64.has(type) ? 'int64' : 'int32';

function checkFloat(value: unknown, path: string): void {
  if (typeof value === 'number') return;
  if (typeof value === 'string' && (value === 'NaN' || value === 'Infinity' || value === '-Infinity' || (value.trim() !== '' && Number.isFinite(Number(value))))) return;
  invalid(path, 'TYPE_DOUBLE', value);
}

function checkScalar(type: string, value: unknown, path: string): void {
  if (type === 'string') {
    if (typeof value !== 'string') invalid(path, 'TYPE_STRING', value);
    if (!isValidUtf8String(value)) invalid(path, 'TYPE_STRING; not valid UTF-8', value);
  } else if (type === 'bool') {
    if (typeof value !== 'boolean') invalid(path, 'TYPE_BOOL', value);
  } else if (type === 'bytes') {
    if (typeof value !== 'string' || !BASE64.test(value)) invalid(path, 'TYPE_BYTES', value);
  } else if (INT32.has(type) || INT64.has(type)) checkInteger(value, path, integerKind(type));
  else if (FLOAT.has(type)) checkFloat(value, path);
}

/** Well-known types have their own JSON forms (proto3 JSON mapping). */
const WELL_KNOWN: Record<string, (value: unknown, path: string) => void> = {
  '.google.protobuf.Timestamp': (v, p) => {
    if (typeof v !== 'string' || !RFC3339.test(v)) invalid(p, 'google.protobuf.Timestamp', v);
  },
  '.google.protobuf.Duration': (v, p) => {
    if (typeof v !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(v)) invalid(p, 'google.protobuf.Duration', v);
  },
  '.google.protobuf.Int32Value': (v, p) => checkInteger(v, p, 'int32'),
  '.google.protobuf.UInt32Value': (v, p) => checkInteger(v, p, 'uint32'),
  '.google.protobuf.Int64Value': (v, p) => checkInteger(v, p, 'int64'),
  '.google.protobuf.UInt64Value': (v, p) => checkInteger(v, p, 'uint64'),
  '.google.protobuf.DoubleValue': (v, p) => checkFloat(v, p),
  '.google.protobuf.FloatValue': (v, p) => checkFloat(v, p),
  '.google.protobuf.BoolValue': (v, p) => checkScalar('bool', v, p),
  '.google.protobuf.StringValue': (v, p) => checkScalar('string', v, p),
  '.google.protobuf.BytesValue': (v, p) => checkScalar('bytes', v, p),
  '.google.protobuf.FieldMask': (v, p) => checkScalar('string', v, p),
  '.google.protobuf.Struct': (v, p) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) invalid(p, 'google.protobuf.Struct', v);
  },
  '.google.protobuf.ListValue': (v, p) => {
    if (!Array.isArray(v)) invalid(p, 'google.protobuf.ListValue', v);
  },
  '.google.protobuf.Value': () => undefined,
  '.google.protobuf.Any': (v, p) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) invalid(p, 'google.protobuf.Any', v);
  },
};

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Strict proto3-JSON reading for the HTTP front ends (REST bodies, WebChannel messages):
 * unknown fields, wrong types, several members of one oneof are INVALID_ARGUMENT with
 * Google's wording, never silently dropped. The result is re-serialised through protobufjs,
 * so the service sees exactly the shape the gRPC front end produces.
 */
export class ProtoJson {
  constructor(private readonly root: protobuf.Root) {}

  parse(typeName: string, json: unknown): Json {
    const type = this.root.lookupType(typeName);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw invalidArgument(`Invalid JSON payload received. Expected an object (${type.name}).`);
    }
    const normalised = this.message(type, json, '') as Json;
    const converters = jsonConvertersFor(type);
    let message: protobuf.Message;
    try {
      message = converters.fromJson(normalised);
    } catch (err) {
      throw invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`);
    }
    // Firestore's 10 MiB limit is on the request as protocol buffers, whatever carried it
    // (base64 bytes take a third more room in JSON), so REST and WebChannel measure that.
    if (type.encode(message).finish().length > MAX_REQUEST_BYTES) throw requestTooLarge();
    return converters.toJson(message);
  }

  private message(type: protobuf.Type, json: unknown, path: string): unknown {
    const wkt = WELL_KNOWN[type.fullName];
    if (wkt) {
      wkt(json, path);
      return json;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) invalid(path, type.fullName.slice(1), json);
    const out: Json = {};
    const oneofs = new Map<string, string>();
    for (const [key, value] of Object.entries(json as Json)) {
      const name = type.fields[key] ? key : camel(key);
      const field = type.fields[name];
      if (!field) throw invalidArgument(`Invalid JSON payload received. Unknown name "${key}"${at(path)}: Cannot find field.`);
      field.resolve();
      const isNullEnum = field.resolvedType?.fullName === '.google.protobuf.NullValue';
      if (value === null && !isNullEnum) continue;
      if (field.partOf) {
        const other = oneofs.get(field.partOf.name);
        if (other) throw invalidArgument(`Invalid JSON payload received. "${other}" and "${key}"${at(path)} are members of the same oneof "${field.partOf.name}"; set only one.`);
        oneofs.set(field.partOf.name, key);
      }
      const p = path ? `${path}.${key}` : key;
      if (field.map) {
        if (typeof value !== 'object' || Array.isArray(value)) invalid(p, 'map', value);
        const m: Json = {};
        for (const [k, v] of Object.entries(value as Json)) {
          if (!isValidUtf8String(k)) invalid(p, 'a map key that is valid UTF-8', k);
          setOwnProperty(m, k, this.value(field, v, `${p}[${k}]`));
        }
        out[name] = m;
      } else if (field.repeated) {
        if (!Array.isArray(value)) invalid(p, 'repeated field', value);
        out[name] = (value as unknown[]).map((v, i) => this.value(field, v, `${p}[${i}]`));
      } else {
        out[name] = this.value(field, value, p);
      }
    }
    return out;
  }

  private value(field: protobuf.Field, value: unknown, path: string): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.message(resolved, value, path);
    if (resolved instanceof protobuf.Enum) {
      if (resolved.fullName === '.google.protobuf.NullValue' && (value === null || value === 'NULL_VALUE' || value === 0)) return null;
      if (typeof value === 'string' && value in resolved.values) return value;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      invalid(path, `enum ${resolved.name}`, value);
    }
    checkScalar(field.type, value, path);
    return value;
  }
}

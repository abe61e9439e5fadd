import type protobuf from 'protobufjs';
import { fromProto3JSON, toProto3JSON } from 'proto3-json-serializer';
import { fromProto3JSONToInternalRepresentation } from 'proto3-json-serializer/build/src/fromproto3json.js';
import { googleProtobufTimestampFromProto3JSON, googleProtobufTimestampToProto3JSON } from 'proto3-json-serializer/build/src/timestamp.js';
import { setOwnProperty } from '../../model/index.js';
import type { Codec, Json } from './codec-shared.js';
import { wireCodecFor } from './wire-codec.js';
import {
  NULL_VALUE,
  NUMERIC,
  SPECIAL,
  TIMESTAMP,
  convertSingleValue,
  decodeMessage,
  fail,
  resolveEnumValueToString,
  timestampsFromJson,
  timestampsToJson,
} from './codec-shared.js';

export type { Codec } from './codec-shared.js';

/**
 * protobufjs builds map fields as plain objects (`m[key] = value`), so a map key
 * "__proto__" sets the object's prototype instead of adding an entry. That entry is data
 * (Firestore refuses the name, it must not vanish): read it back from the prototype.
 */
function mapEntries(map: Json): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = Object.entries(map);
  const proto: unknown = Object.getPrototypeOf(map);
  if (proto !== Object.prototype && proto !== null) entries.push(['__proto__', proto]);
  return entries;
}

/**
 * The straightforward codec: proto3-json-serializer both ways. It resolves every field's
 * type by name on every message; `codecFor` does the same conversions with the per-type
 * work done once (the reference here checks it, see codec.test.ts and FQ_EMULATOR_CODEC_CHECK).
 */
export function referenceCodecFor(type: protobuf.Type): Codec {
  return {
    decode(buffer) {
      return toProto3JSON(decodeMessage(type, buffer)) as Json;
    },
    encode(json) {
      const message = fromProto3JSON(type, json as never);
      if (!message) return Buffer.alloc(0);
      return Buffer.from(type.encode(message).finish());
    },
  };
}

type FromJson = (json: unknown) => unknown;
type ToJson = (message: Record<string, unknown>) => unknown;

const fullName = (t: protobuf.ReflectionObject): string => t.fullName;

/**
 * proto3 JSON -> the object protobufjs' `fromObject` takes, exactly as
 * proto3-json-serializer's fromProto3JSONToInternalRepresentation builds it.
 */
function compileFromJson(type: protobuf.Type, cache: Map<protobuf.Type, FromJson>): FromJson {
  const cached = cache.get(type);
  if (cached) return cached;
  type.resolveAll();
  const name = fullName(type);
  if (SPECIAL.has(name)) {
    const f: FromJson = (json) => fromProto3JSONToInternalRepresentation(type, json as never);
    cache.set(type, f);
    return f;
  }
  if (name === TIMESTAMP) {
    const f: FromJson = (json) => {
      if (json === null) return null;
      if (typeof json !== 'string') fail(`google.protobuf.Timestamp must be a string but got ${typeof json}`);
      // A copy: fromObject must not share (or mutate) the memoised object.
      return { ...timestampsFromJson.get(json, (s) => googleProtobufTimestampFromProto3JSON(s) as { seconds?: number; nanos?: number }) };
    };
    cache.set(type, f);
    return f;
  }
  const fields = new Map<string, FromJson>();
  const self: FromJson = (json) => {
    if (json === null) return null;
    const result: Record<string, unknown> = {};
    for (const key in json as Json) {
      if (!Object.prototype.hasOwnProperty.call(json, key)) continue;
      const convert = fields.get(key);
      if (convert) result[key] = convert((json as Json)[key]);
    }
    return result;
  };
  cache.set(type, self);
  for (const field of type.fieldsArray) {
    const key = field.name;
    const resolved = field.resolvedType;
    let element: FromJson;
    if (resolved && 'values' in resolved) {
      const isNull = fullName(resolved) === NULL_VALUE;
      element = (v) => (isNull ? 'NULL_VALUE' : resolveEnumValueToString(resolved as protobuf.Enum, v));
    } else if (resolved) {
      element = compileFromJson(resolved as protobuf.Type, cache);
    } else {
      element = (v) => v;
    }
    let convert: FromJson;
    if (field.repeated) {
      convert = (value) => {
        if (value === null) return [];
        if (!Array.isArray(value)) fail(`expected an array for field ${key}`);
        return value.map((v) => element(v));
      };
    } else if (field.map) {
      convert = (value) => {
        const map: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Json)) setOwnProperty(map, k, element(v));
        return map;
      };
    } else if (NUMERIC.test(field.type)) {
      convert = (value) => {
        if (typeof value !== 'number' && typeof value !== 'string') fail(`field ${key} of type ${field.type} cannot contain value ${String(value)}`);
        return value;
      };
    } else if (field.type === 'string') {
      convert = (value) => {
        if (typeof value !== 'string') fail(`field ${key} of type ${field.type} cannot contain value ${String(value)}`);
        return value;
      };
    } else if (field.type === 'bool') {
      convert = (value) => {
        if (typeof value !== 'boolean') fail(`field ${key} of type ${field.type} cannot contain value ${String(value)}`);
        return value;
      };
    } else if (field.type === 'bytes') {
      convert = (value) => {
        if (typeof value !== 'string') fail(`field ${key} of type ${field.type} cannot contain value ${String(value)}`);
        return Buffer.from(value, 'base64');
      };
    } else {
      if (!resolved) throw new Error(`Expected to be able to resolve type for field ${field.name}`);
      convert = element;
    }
    fields.set(key, convert);
  }
  return self;
}

/** A decoded message -> proto3 JSON, exactly as proto3-json-serializer's toProto3JSON does it. */
function compileToJson(type: protobuf.Type, cache: Map<protobuf.Type, ToJson>): ToJson {
  const cached = cache.get(type);
  if (cached) return cached;
  type.resolveAll();
  const name = fullName(type);
  if (SPECIAL.has(name)) {
    const f: ToJson = (m) => toProto3JSON(m as unknown as protobuf.Message);
    cache.set(type, f);
    return f;
  }
  if (name === TIMESTAMP) {
    const f: ToJson = (m) => timestampsToJson.get(`${String(m.seconds)}.${String(m.nanos)}`, () => googleProtobufTimestampToProto3JSON(m as never));
    cache.set(type, f);
    return f;
  }
  const fields = new Map<string, (value: unknown) => { skip: true } | { value: unknown }>();
  const SKIP = { skip: true } as const;
  const self: ToJson = (m) => {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(m)) {
      const value = m[key];
      if (value === null) {
        result[key] = null;
        continue;
      }
      const convert = fields.get(key);
      if (!convert) throw new TypeError(`Cannot read properties of undefined (reading 'resolvedType')`);
      const out = convert(value);
      if ('value' in out) result[key] = out.value;
    }
    return result;
  };
  cache.set(type, self);
  for (const field of type.fieldsArray) {
    const resolved = field.resolvedType;
    const isEnum = resolved !== null && 'values' in resolved;
    const message = resolved !== null && !isEnum ? compileToJson(resolved as protobuf.Type, cache) : undefined;
    const single = (v: unknown): unknown => (resolved ? (isEnum ? toProto3JSON(v as unknown as protobuf.Message) : message!(v as Json)) : convertSingleValue(v));
    const isNull = resolved !== null && fullName(resolved) === NULL_VALUE;
    fields.set(field.name, (value) => {
      if (Array.isArray(value)) {
        if (value.length === 0) return SKIP;
        return { value: value.map(single) };
      }
      if (field.map) {
        const map: Record<string, unknown> = {};
        for (const [k, v] of mapEntries(value as Json)) setOwnProperty(map, k, single(v));
        return { value: map };
      }
      if (isNull) return { value: null };
      if (isEnum) return { value: resolveEnumValueToString(resolved as protobuf.Enum, value) };
      if (message) return { value: message(value as Json) };
      if (typeof value === 'string' || typeof value === 'boolean') return { value };
      if (typeof value === 'number') return { value: Number.isFinite(value) ? value : value.toString() };
      if (Buffer.isBuffer(value)) return { value: value.toString('base64') };
      if (value instanceof Uint8Array) return { value: Buffer.from(value.buffer, 0, value.byteLength).toString('base64') };
      return { value: convertSingleValue(value) };
    });
  }
  return self;
}

/** The codec's proto3-JSON conversions for one message type (the HTTP front ends use them too). */
export interface JsonConverters {
  /** proto3 JSON -> protobufjs message (throws on JSON that does not fit the type). */
  fromJson(json: Json): protobuf.Message;
  /** protobufjs message -> proto3 JSON; a map key "__proto__" is kept as data. */
  toJson(message: protobuf.Message): Json;
}

const converters = new WeakMap<protobuf.Type, JsonConverters>();

export function jsonConvertersFor(type: protobuf.Type): JsonConverters {
  let c = converters.get(type);
  if (!c) {
    const fromJson = compileFromJson(type, new Map());
    const toJson = compileToJson(type, new Map());
    c = {
      fromJson: (json) => type.fromObject(fromJson(json) as Json),
      toJson: (message) => toJson(message as unknown as Json) as Json,
    };
    converters.set(type, c);
  }
  return c;
}

/**
 * The reference codec's conversions with each type's field handling compiled once (three
 * passes per message: JSON, protobufjs message, bytes).
 */
export function compiledCodecFor(type: protobuf.Type): Codec {
  const fromJson = compileFromJson(type, new Map());
  const toJson = compileToJson(type, new Map());
  return {
    decode(buffer) {
      return toJson(decodeMessage(type, buffer) as unknown as Json) as Json;
    },
    encode(json) {
      const internal = fromJson(json);
      if (internal === null) return Buffer.alloc(0);
      if (typeof internal !== 'object' || Array.isArray(internal)) throw new Error(`fromProto3JSON: expected an object, not ${String(json)}`);
      return Buffer.from(type.encode(type.fromObject(internal as Json)).finish());
    },
  };
}

/**
 * The codec the gRPC front end uses: the one-pass wire codec (wire-codec.ts), or the
 * compiled reference conversions for a type it does not handle. With
 * FQ_EMULATOR_CODEC_CHECK=1 every message is also run through the reference codec and a
 * difference throws (for test runs).
 */
export function codecFor(type: protobuf.Type): Codec {
  const codec = wireCodecFor(type) ?? compiledCodecFor(type);
  return process.env.FQ_EMULATOR_CODEC_CHECK === '1' ? checked(type, codec) : codec;
}

function checked(type: protobuf.Type, fast: Codec): Codec {
  const reference = referenceCodecFor(type);
  return {
    decode(buffer) {
      const a = fast.decode(buffer);
      const b = reference.decode(buffer);
      // The reference drops a "__proto__" map key that the fast codec keeps (on purpose).
      if (JSON.stringify(a, (k, v: unknown) => (k === '__proto__' ? undefined : v)) !== JSON.stringify(b)) throw new Error(`codec check: ${type.name} decodes differently: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      return a;
    },
    encode(json) {
      const a = fast.encode(json);
      const b = reference.encode(json);
      if (!a.equals(b)) throw new Error(`codec check: ${type.name} encodes differently: ${JSON.stringify(json)}`);
      return a;
    },
  };
}

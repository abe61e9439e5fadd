import protobuf from 'protobufjs';
import { toProto3JSON } from 'proto3-json-serializer';
import { fromProto3JSONToInternalRepresentation } from 'proto3-json-serializer/build/src/fromproto3json.js';
import { googleProtobufTimestampFromProto3JSON } from 'proto3-json-serializer/build/src/timestamp.js';
import { daysFromCivil, invalidArgument, setOwnProperty } from '../../model/index.js';
import type { Codec, Json } from './codec-shared.js';
import { Memo, NULL_VALUE, NUMERIC, SPECIAL, StrictUtf8Reader, TIMESTAMP, convertSingleValue, fail, resolveEnumValueToString, timestampsFromJson } from './codec-shared.js';

/**
 * proto3 JSON <-> protobuf bytes in one pass each way. The reference path (codec.ts) builds
 * three representations per message: proto3 JSON -> proto3-json-serializer's internal form
 * -> a protobufjs message (`fromObject`) -> bytes, and bytes -> a protobufjs message -> JSON;
 * every listener update, query result and commit went through them. Here each message type
 * gets a reader and a writer, built once from its protobufjs reflection, that go straight
 * between the two, with the reference's exact results: the same bytes, the same JSON (keys in
 * the same order), the same refusals (codec.test.ts compares them on every Firestore message
 * shape; FQ_EMULATOR_CODEC_CHECK=1 compares every message of a run).
 *
 * Reference quirks kept on purpose: a message field whose JSON is `undefined` is written as
 * an empty message; map fields always decode to an object (empty when absent), empty
 * repeated fields are left out; repeated scalars are not type-checked on the way in.
 * Groups, non-string map keys, repeated enums and unpacked repeated scalars never occur in
 * google.firestore.v1; a type using them falls back to the reference path (`wireCodecFor`
 * returns undefined).
 */

const { Writer, util } = protobuf;
type Writer = protobuf.Writer;
type Reader = protobuf.Reader;
type Long = protobuf.Long;

const RECURSION_LIMIT = (util as unknown as { recursionLimit: number }).recursionLimit;
const LONG = (util as unknown as { Long: { fromValue(v: unknown, unsigned?: boolean): Long; fromBits(lo: number, hi: number, unsigned?: boolean): Long } }).Long;
const LONG_ZERO = LONG.fromBits(0, 0, false);
const base64 = (util as unknown as { base64: { length(s: string): number; decode(s: string, buf: Uint8Array, offset: number): number } }).base64;
const hasOwn = Object.prototype.hasOwnProperty;

/** Wire types of the scalar types (protobufjs' types.basic). */
const WIRE: Record<string, number> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
};
const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const PACKABLE = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool']);

class Unsupported extends Error {}

type ReadMessage = (r: Reader, length: number | undefined, depth: number) => unknown;
type WriteMessage = (json: unknown, w: Writer, depth: number) => void;

interface Compiled {
  read: ReadMessage;
  write: WriteMessage;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object';
}

/** A scalar as protobufjs' `fromObject` converts it (after the reference's JSON step). */
function scalarFromObject(type: string, v: unknown): unknown {
  switch (type) {
    case 'double':
    case 'float':
      return Number(v);
    case 'uint32':
    case 'fixed32':
      return (v as number) >>> 0;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return (v as number) | 0;
    case 'bool':
      return Boolean(v);
    case 'string':
      return String(v);
    case 'bytes': {
      if (typeof v === 'string') {
        const buf = Buffer.alloc(base64.length(v));
        base64.decode(v, buf, 0);
        return buf;
      }
      return v;
    }
    default:
      // A decimal string of at most 15 digits is exact as a number, which the writer turns
      // into the same 64 bits as a Long without Long.fromString's digit-by-digit multiplication.
      if (typeof v === 'string' && v.length <= 15 && SHORT_DECIMAL.test(v)) return Number(v);
      return LONG.fromValue(v, type === 'uint64' || type === 'fixed64');
  }
}
const SHORT_DECIMAL = /^-?\d{1,14}$/;

/** Writes one scalar with protobufjs' writer method of its type. */
function writeScalar(w: Writer, type: string, v: unknown): void {
  (w as unknown as Record<string, (value: unknown) => Writer>)[type]!(v);
}

/** An enum value as `fromObject` maps it: a name or a known number to its number, another number as is. */
function enumNumber(e: protobuf.Enum, v: unknown, repeated: boolean): number | undefined {
  if (typeof v === 'string' && hasOwn.call(e.values, v)) return e.values[v];
  if (typeof v === 'number') return v;
  // Unknown names: left unset on a singular field, the default (first) value in an array.
  return repeated ? (Object.values(e.values)[0] ?? 0) : undefined;
}

const timestampBodies = new Memo<string, Uint8Array>(4096);

/** The encoded body of a google.protobuf.Timestamp given as proto3 JSON (memoised: they repeat). */
function timestampBody(text: string): Uint8Array {
  return timestampBodies.get(text, (s) => {
    const ts = timestampsFromJson.get(s, (t) => googleProtobufTimestampFromProto3JSON(t) as { seconds?: number; nanos?: number });
    const w = Writer.create();
    if (ts.seconds != null) w.uint32(8).int64(LONG.fromValue(ts.seconds, false));
    if (ts.nanos != null) w.uint32(16).int32(ts.nanos | 0);
    return w.finish();
  });
}

/**
 * Enters a message: a length-delimited one (`length` given) narrows the reader to its bytes,
 * a top-level one reads to the end. Returns the outer limit for `leaveMessage`; the message
 * ends at `r.len` afterwards. No object per message: this runs for every nested value.
 */
function enterMessage(r: Reader, length: number | undefined, depth: number): number {
  if (depth > RECURSION_LIMIT) throw Error('maximum nesting depth exceeded');
  if (length === undefined) return 0;
  const end = r.pos + length;
  if (end > r.len) throw RangeError('index out of range');
  const outer = r.len;
  r.len = end;
  return outer;
}

/** Leaves a message entered with `enterMessage`: all of its bytes must have been read. */
function leaveMessage(r: Reader, length: number | undefined, outer: number): void {
  if (length === undefined) return;
  if (r.pos !== r.len) throw RangeError('index out of range');
  r.len = outer;
}

function readTimestamp(r: Reader, length: number | undefined, depth: number): string {
  const outer = enterMessage(r, length, depth);
  const end = r.len;
  let seconds: Long = LONG_ZERO;
  let nanos = 0;
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 === 1) seconds = r.int64() as Long;
    else if (t >>> 3 === 2) nanos = r.int32();
    else r.skipType(t & 7, depth);
  }
  leaveMessage(r, length, outer);
  return timestampText(seconds, nanos);
}

/** "YYYY-MM-DDTHH:MM:SS" per second (many timestamps share one), bounded. */
const secondTexts = new Memo<number, string>(4096);

/**
 * proto3-json-serializer's googleProtobufTimestampToProto3JSON, which formats a Date and
 * replaces its milliseconds: the same text, with the part before the fraction kept per second.
 */
function timestampText(seconds: Long, nanos: number): string {
  const prefix = secondTexts.get(seconds.high * 4294967296 + (seconds.low >>> 0), (s) => new Date(s * 1000).toISOString().slice(0, -5));
  let digits = nanos.toString().padStart(9, '0');
  while (digits.length > 3 && digits.endsWith('000')) digits = digits.slice(0, -3);
  return `${prefix}.${digits}Z`;
}

function writeTimestamp(json: unknown, w: Writer, tag: number): void {
  if (json === null) return;
  if (typeof json !== 'string') fail(`google.protobuf.Timestamp must be a string but got ${typeof json}`);
  const seconds = canonicalSeconds(json);
  if (seconds === undefined) {
    w.uint32(tag).bytes(timestampBody(json));
    return;
  }
  // The body written in place: seconds (field 1) unless 0, nanos (field 2) unless 0.
  const nanos = json.length > 20 ? fractionNanos(json) : 0;
  const secondsLength = seconds === 0 ? 0 : 1 + (seconds < 0 ? 10 : varintLength(seconds));
  const nanosLength = nanos === 0 ? 0 : 1 + varintLength(nanos);
  w.uint32(tag).uint32(secondsLength + nanosLength);
  if (seconds !== 0) w.uint32(8).int64(seconds);
  if (nanos !== 0) w.uint32(16).int32(nanos);
}

function varintLength(n: number): number {
  let length = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    length++;
  }
  return length;
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const isDigit = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/**
 * The seconds of a timestamp in the form every Firestore service writes,
 * `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z`, as proto3-json-serializer computes them (Date's reading of
 * the text: days past a month's end roll over, as here); undefined for any other form,
 * which goes to the serializer itself.
 */
function canonicalSeconds(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || n > 30 || s.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return undefined;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) if (!isDigit(s, i)) return undefined;
  if (n > 20) {
    if (s[19] !== '.' || n === 21) return undefined;
    for (let i = 20; i < n - 1; i++) if (!isDigit(s, i)) return undefined;
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

/** The serializer's nanos: the fraction's digits padded to nine. */
function fractionNanos(s: string): number {
  let nanos = 0;
  let i = 20;
  for (; i < s.length - 1; i++) nanos = nanos * 10 + digit(s, i);
  for (; i < 29; i++) nanos *= 10;
  return nanos;
}


interface FieldPlan {
  field: protobuf.Field;
  /** Index among the type's map and repeated fields (-1 for others). */
  slot: number;
  isMap: boolean;
  isList: boolean;
  packable: boolean;
  name: string;
  id: number;
  /** Scalar type name, 'enum' or 'message'. */
  kind: string;
  enumType?: protobuf.Enum;
  isNullEnum: boolean;
  message?: protobuf.Type;
  /** Read one element (scalar, enum number or message) and convert it as the reference's toJson does. */
  readSingle: (r: Reader, depth: number) => unknown;
  /** Convert a repeated or map element as the reference's toJson does. */
  readElement: (r: Reader, depth: number) => unknown;
  /** Write the field for its raw JSON value (the reference's fromJson, fromObject and encode). */
  write: (v: unknown, w: Writer, depth: number) => void;
}

const compiled = new Map<protobuf.Type, Compiled>();

function compile(type: protobuf.Type): Compiled {
  const done = compiled.get(type);
  if (done) return done;
  type.resolveAll();
  const name = type.fullName;
  if (name === TIMESTAMP) {
    const c: Compiled = {
      read: readTimestamp,
      write: () => {
        throw new Unsupported('a Timestamp is written by its field');
      },
    };
    compiled.set(type, c);
    return c;
  }
  if (SPECIAL.has(name)) {
    // Rare well-known types (wrappers, Struct, Duration, Any): protobufjs and the serializer, as the reference.
    type.setup();
    // The generated functions, called as methods (they use `this`), with the nesting depth.
    const t = type as unknown as {
      decode(r: Reader, l: number | undefined, e: undefined, n: number): protobuf.Message;
      encode(m: protobuf.Message, w: Writer, q: number): Writer;
    };
    const c: Compiled = {
      read: (r, length, depth) => toProto3JSON(t.decode(r, length, undefined, depth)),
      write: (json, w, depth) => {
        t.encode(type.fromObject(json as Json), w, depth);
      },
    };
    compiled.set(type, c);
    return c;
  }
  const plans: FieldPlan[] = [];
  const c: Compiled = { read: () => undefined, write: () => undefined };
  compiled.set(type, c);
  try {
    for (const field of type.fieldsArray) plans.push(planField(field));
  } catch (err) {
    compiled.delete(type);
    throw err;
  }
  const byId: Array<FieldPlan | undefined> = [];
  const byName = new Map<string, FieldPlan>();
  for (const p of plans) {
    byId[p.id] = p;
    byName.set(p.name, p);
  }
  const collections = plans.filter((p) => p.field.map || p.field.repeated);
  collections.forEach((p, i) => (p.slot = i));
  const hasFields = plans.length > 0;

  c.read = (r, length, depth) => {
    const outer = enterMessage(r, length, depth);
    const end = r.len;
    // protobufjs' decoded message has its map and repeated fields first (its constructor
    // creates them), then the others in the order they arrive: the JSON keeps that order.
    const single: Json = {};
    let lists: Array<unknown[] | Json | undefined> | undefined;
    while (r.pos < end) {
      const t = r.uint32();
      const p = byId[t >>> 3];
      if (p === undefined) {
        r.skipType(t & 7, depth);
        continue;
      }
      if (p.isMap) {
        lists ??= [];
        const map = (lists[p.slot] ??= {}) as Json;
        readMapEntry(p, r, depth, map);
      } else if (p.isList) {
        lists ??= [];
        const list = (lists[p.slot] ??= []) as unknown[];
        if (p.packable && (t & 7) === 2) {
          const stop = r.uint32() + r.pos;
          if (stop > r.len) throw RangeError('index out of range');
          r.len = stop;
          while (r.pos < stop) list.push(p.readElement(r, depth));
          if (r.pos !== stop) throw RangeError('index out of range');
          r.len = end;
        } else list.push(p.readElement(r, depth));
      } else single[p.name] = p.readSingle(r, depth);
    }
    leaveMessage(r, length, outer);
    if (collections.length === 0) return single;
    const out: Json = {};
    for (let i = 0; i < collections.length; i++) {
      const p = collections[i]!;
      const v = lists?.[i];
      if (p.isMap) out[p.name] = v ?? {};
      else if (v !== undefined && (v as unknown[]).length > 0) out[p.name] = v;
    }
    for (const key in single) out[key] = single[key];
    return out;
  };

  c.write = (json, w, depth) => {
    if (depth > RECURSION_LIMIT) throw Error('max depth exceeded');
    if (!hasFields || !isObject(json)) return;
    // Fields are written in field-number order, as protobufjs does.
    let present: FieldPlan[] | undefined;
    let first: FieldPlan | undefined;
    for (const key in json) {
      if (!hasOwn.call(json, key)) continue;
      const p = byName.get(key);
      if (!p) continue;
      if (first === undefined) first = p;
      else (present ??= [first]).push(p);
    }
    if (first === undefined) return;
    if (present === undefined) {
      first.write(json[first.name], w, depth);
      return;
    }
    present.sort((a, b) => a.id - b.id);
    for (const p of present) p.write(json[p.name], w, depth);
  };
  return c;
}

function readMapEntry(p: FieldPlan, r: Reader, depth: number, map: Json): void {
  const stop = r.uint32() + r.pos;
  if (stop > r.len) throw RangeError('index out of range');
  const end = r.len;
  r.len = stop;
  let key = '';
  let value: unknown = p.kind === 'message' ? null : (protobuf.types.defaults as Record<string, unknown>)[p.kind];
  let seen = false;
  while (r.pos < stop) {
    const t = r.uint32();
    if (t >>> 3 === 1) key = r.string();
    else if (t >>> 3 === 2) {
      value = p.readElement(r, depth);
      seen = true;
    } else r.skipType(t & 7, depth);
  }
  if (r.pos !== stop) throw RangeError('index out of range');
  r.len = end;
  // The reference converts a missing message value (null) with Object.keys(null).
  if (!seen && p.kind === 'message') throw new TypeError('Cannot convert undefined or null to object');
  setOwnProperty(map, key, value);
}

function planField(field: protobuf.Field): FieldPlan {
  field.resolve();
  if ((field as unknown as { delimited?: boolean }).delimited) throw new Unsupported('group');
  if (field.map && (field as unknown as protobuf.MapField).keyType !== 'string') throw new Unsupported('map key');
  const resolved = field.resolvedType;
  const enumType = resolved instanceof protobuf.Enum ? resolved : undefined;
  const message = resolved instanceof protobuf.Type ? resolved : undefined;
  if (enumType && (field.repeated || field.map)) throw new Unsupported('repeated enum');
  if (field.repeated && !field.map && !resolved && PACKABLE.has(field.type) && !field.packed) throw new Unsupported('unpacked');
  const kind = enumType ? 'enum' : message ? 'message' : field.type;
  const special = message !== undefined && SPECIAL.has(message.fullName);
  /** A message element of an array or map as the reference takes it: null refused, well-known types converted first. */
  const messageElement = (v: unknown): unknown => {
    const value = special ? fromProto3JSONToInternalRepresentation(message, v as never) : v;
    if (value === null || (special && !isObject(value))) throw new TypeError(`${field.fullName}: object expected`);
    return value;
  };
  if (!enumType && !message && WIRE[kind] === undefined) throw new Unsupported(`type ${kind}`);
  const isNullEnum = enumType?.fullName === NULL_VALUE;
  const id = field.id;
  const name = field.name;
  const plan: FieldPlan = { field, slot: -1, isMap: field.map, isList: field.repeated && !field.map, packable: PACKABLE.has(kind), name, id, kind, enumType, isNullEnum, message, readSingle: () => undefined, readElement: () => undefined, write: () => undefined };

  // --- reading: protobufjs' decoder, then the reference's per-field toJson ---
  let compiledMessage: Compiled | undefined;
  // Compiled on first use: a type can contain itself (Value -> ArrayValue -> Value).
  const sub = (): Compiled => (compiledMessage ??= compile(message!));
  if (message) {
    const read = (r: Reader, depth: number): unknown => sub().read(r, r.uint32(), depth + 1);
    plan.readSingle = read;
    plan.readElement = read;
  } else if (enumType) {
    plan.readSingle = (r) => {
      const v = r.int32();
      return isNullEnum ? null : (enumType.valuesById[v] ?? v);
    };
  } else {
    const type = field.type;
    const method = (r: Reader): unknown => (r as unknown as Record<string, () => unknown>)[type]!();
    if (type === 'string' || type === 'bool') plan.readSingle = method;
    else if (type === 'bytes') plan.readSingle = (r) => (r.bytes() as Buffer).toString('base64');
    else if (INT64.has(type)) plan.readSingle = (r) => String(method(r));
    else
      plan.readSingle = (r) => {
        const n = method(r) as number;
        return Number.isFinite(n) ? n : n.toString();
      };
    // Array and map elements go through the reference's convertSingleValue (Long -> string, no other change).
    plan.readElement = (r) => convertSingleValue(method(r));
  }

  // --- writing: the reference's fromJson, protobufjs' fromObject and encode, per field ---
  const tag = (wire: number): number => ((id << 3) | wire) >>> 0;
  if (field.map) {
    const entryTag = tag(2);
    if (message) {
      plan.write = (v, w, depth) => {
        const entries = Object.entries(v as Json).map(([k, value]) => [k, messageElement(value)] as const);
        const c = sub();
        for (const [k, value] of entries) {
          w.uint32(entryTag).fork().uint32(10).string(k);
          w.uint32(18).fork();
          c.write(value, w, depth + 1);
          w.ldelim().ldelim();
        }
      };
    } else {
      const type = field.type;
      // Map values of scalar types are not checked by the reference's JSON step, only converted.
      plan.write = (v, w) => {
        const entries = Object.entries(v as Json).map(([k, value]) => [k, scalarFromObject(type, value)] as const);
        for (const [k, value] of entries) {
          w.uint32(entryTag).fork().uint32(10).string(k).uint32(16 | WIRE[type]!);
          writeScalar(w, type, value);
          w.ldelim();
        }
      };
    }
  } else if (field.repeated) {
    if (message) {
      const elementTag = tag(2);
      plan.write = (v, w, depth) => {
        if (v === null) return;
        if (!Array.isArray(v)) fail(`expected an array for field ${name}`);
        const elements = (v as unknown[]).map(messageElement);
        const c = sub();
        for (const e of elements) {
          w.uint32(elementTag).fork();
          c.write(e, w, depth + 1);
          w.ldelim();
        }
      };
    } else {
      const type = field.type;
      const packed = PACKABLE.has(type);
      const elementTag = tag(packed ? 2 : WIRE[type]!);
      plan.write = (v, w) => {
        if (v === null) return;
        if (!Array.isArray(v)) fail(`expected an array for field ${name}`);
        if (v.length === 0) return;
        const values = (v as unknown[]).map((e) => scalarFromObject(type, e));
        if (packed) {
          w.uint32(elementTag).fork();
          for (const e of values) writeScalar(w, type, e);
          w.ldelim();
        } else for (const e of values) writeScalar(w.uint32(elementTag), type, e);
      };
    }
  } else if (message) {
    const t = tag(2);
    if (message.fullName === TIMESTAMP) plan.write = (v, w) => writeTimestamp(v, w, t);
    else if (special) {
      plan.write = (v, w, depth) => {
        const internal = fromProto3JSONToInternalRepresentation(message, v as never);
        if (internal == null) return;
        if (!isObject(internal)) throw new TypeError(`${field.fullName}: object expected`);
        w.uint32(t).fork();
        sub().write(internal, w, depth + 1);
        w.ldelim();
      };
    } else {
      plan.write = (v, w, depth) => {
        if (v === null) return;
        w.uint32(t).fork();
        // The reference turns any non-null JSON (undefined included) into a message of its known fields.
        sub().write(v, w, depth + 1);
        w.ldelim();
      };
    }
  } else if (enumType) {
    const t = tag(0);
    plan.write = (v, w) => {
      const n = isNullEnum ? 0 : enumNumber(enumType, resolveEnumValueToString(enumType, v), false);
      if (n !== undefined) w.uint32(t).int32(n);
    };
  } else {
    const type = field.type;
    const t = tag(WIRE[type]!);
    const numeric = NUMERIC.test(type);
    plan.write = (v, w) => writeScalar(w.uint32(t), type, scalarFromObject(type, type === 'bytes' ? bytesFromJson(name, v) : checkScalar(name, type, numeric, v)));
  }
  return plan;
}

/** The reference's fromJson check of a singular scalar. */
function checkScalar(name: string, type: string, numeric: boolean, v: unknown): unknown {
  if (numeric) {
    if (typeof v !== 'number' && typeof v !== 'string') fail(`field ${name} of type ${type} cannot contain value ${String(v)}`);
  } else if (type === 'string') {
    if (typeof v !== 'string') fail(`field ${name} of type ${type} cannot contain value ${String(v)}`);
  } else if (type === 'bool') {
    if (typeof v !== 'boolean') fail(`field ${name} of type ${type} cannot contain value ${String(v)}`);
  }
  return v;
}

function bytesFromJson(name: string, v: unknown): Buffer {
  if (typeof v !== 'string') fail(`field ${name} of type bytes cannot contain value ${String(v)}`);
  return Buffer.from(v, 'base64');
}

const codecs = new WeakMap<protobuf.Type, Codec | null>();

/**
 * The one-pass codec of a message type, or undefined when the type uses something it does
 * not handle (then the caller uses the reference path).
 */
export function wireCodecFor(type: protobuf.Type): Codec | undefined {
  let codec = codecs.get(type);
  if (codec === undefined) {
    codec = buildCodec(type);
    codecs.set(type, codec);
  }
  return codec ?? undefined;
}

function buildCodec(type: protobuf.Type): Codec | null {
  let c: Compiled;
  try {
    c = compile(type);
    compileAll(type, new Set());
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  return {
    decode(buffer) {
      try {
        return c.read(new StrictUtf8Reader(buffer), undefined, 0) as Json;
      } catch (err) {
        throw invalidArgument(`Malformed ${type.name} message: ${(err as Error).message}`);
      }
    },
    encode(json) {
      if (json === null) return Buffer.alloc(0);
      const w = Writer.create();
      c.write(json, w, 0);
      const bytes = w.finish();
      return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    },
  };
}

/** Compiles every message type reachable from `type`, so an unsupported one is found up front. */
function compileAll(type: protobuf.Type, seen: Set<protobuf.Type>): void {
  if (seen.has(type)) return;
  seen.add(type);
  compile(type);
  if (type.fullName === TIMESTAMP || SPECIAL.has(type.fullName)) return;
  for (const f of type.fieldsArray) if (f.resolvedType instanceof protobuf.Type) compileAll(f.resolvedType, seen);
}

import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs';
import { invalidArgument } from '../../model/index.js';

// What the reference codec (codec.ts) and the wire codec (wire-codec.ts) share.

export type Json = Record<string, unknown>;

/** protobuf bytes <-> proto3-JSON objects for one message type. */
export interface Codec {
  decode(buffer: Buffer): Json;
  encode(json: Json): Buffer;
}

/**
 * Reads strings as strict UTF-8: protobufjs' own reader turns invalid bytes into U+FFFD,
 * silently changing the data; Firestore refuses a request whose strings are not UTF-8.
 */
export class StrictUtf8Reader extends protobuf.BufferReader {
  override string(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    // Buffer's own utf8Slice (what protobufjs calls too): toString(encoding, start, end) adds
    // two layers of argument handling per string.
    const buf = this.buf as Buffer & { utf8Slice(start: number, end: number): string };
    const text = buf.utf8Slice(start, end);
    // Invalid bytes decode as U+FFFD; only then is it worth telling them from a real U+FFFD.
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) throw new Error('a string field is not valid UTF-8');
    return text;
  }
}

export function decodeMessage(type: protobuf.Type, buffer: Buffer): protobuf.Message {
  try {
    return type.decode(new StrictUtf8Reader(buffer));
  } catch (err) {
    throw invalidArgument(`Malformed ${type.name} message: ${(err as Error).message}`);
  }
}

/** Well-known types proto3-json-serializer converts specially (left to it, except Timestamp). */
export const SPECIAL = new Set([
  '.google.protobuf.Any',
  '.google.protobuf.Value',
  '.google.protobuf.Struct',
  '.google.protobuf.ListValue',
  '.google.protobuf.Duration',
  '.google.protobuf.FieldMask',
  '.google.protobuf.DoubleValue',
  '.google.protobuf.FloatValue',
  '.google.protobuf.Int64Value',
  '.google.protobuf.UInt64Value',
  '.google.protobuf.Int32Value',
  '.google.protobuf.UInt32Value',
  '.google.protobuf.BoolValue',
  '.google.protobuf.StringValue',
  '.google.protobuf.BytesValue',
]);
export const TIMESTAMP = '.google.protobuf.Timestamp';
export const NULL_VALUE = '.google.protobuf.NullValue';
export const NUMERIC = /^(?:(?:(?:u?int|fixed)(?:32|64))|float|double)$/;

/** Timestamps repeat (read times, a document's times sent to every listener): convert each once. */
export class Memo<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K, make: (key: K) => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = make(key);
      this.map.set(key, v);
    }
    return v;
  }
}
export const timestampsFromJson = new Memo<string, { seconds?: number; nanos?: number }>(4096);
export const timestampsToJson = new Memo<string, string>(4096);

export function fail(message: string): never {
  throw new Error(`fromProto3JSONToInternalRepresentation: ${message}`);
}

export function resolveEnumValueToString(enumType: protobuf.Enum, value: unknown): unknown {
  if (typeof value === 'number') return enumType.valuesById[value] ?? value;
  if (typeof value === 'string') return value;
  throw new Error('resolveEnumValueToString: enum value must be a string or a number');
}

export function convertSingleValue(value: unknown): unknown {
  if (typeof value === 'object') {
    if ((value as { constructor?: { name?: string } } | null)?.constructor?.name === 'Long') return String(value);
    throw new Error(`toProto3JSON: don't know how to convert value ${String(value)}`);
  }
  return value;
}


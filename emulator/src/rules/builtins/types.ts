/** Shapes of builtin functions and the argument checks they share. */
import { fail } from '../errors.js';
import type {
  BytesV,
  DurationV,
  FloatV,
  IntV,
  LatLngV,
  ListV,
  MapV,
  PathV,
  SetV,
  StringV,
  TimestampV,
  Value,
} from '../values.js';
import { typeName } from '../values.js';

/** What builtins may ask of the evaluation (document access and debug output). */
export interface BuiltinContext {
  /** The document at `path` as a rules Resource map, or null when it does not exist. */
  readDocument(kind: 'get' | 'getAfter', path: PathV): Value;
  debug(value: Value): void;
}

export interface Builtin<R = void> {
  readonly min: number;
  readonly max: number;
  readonly fn: (recv: R, args: readonly Value[], ctx: BuiltinContext) => Value;
}

export type Method<V extends Value> = Builtin<V>;
export type GlobalFn = Builtin<void>;

export function fixed<R>(n: number, fn: Builtin<R>['fn']): Builtin<R> {
  return { min: n, max: n, fn };
}

function wrongType(what: string, expected: string, got: Value): Error {
  return fail(`${what} expects ${expected}, got ${typeName(got)}`);
}

export function argAt(args: readonly Value[], i: number): Value {
  const v = args[i];
  if (v === undefined) throw fail(`missing argument ${i + 1}`);
  return v;
}

export function asString(v: Value, what: string): StringV {
  if (v.t !== 'string') throw wrongType(what, 'a string', v);
  return v;
}

export function asInt(v: Value, what: string): IntV {
  if (v.t !== 'int') throw wrongType(what, 'an int', v);
  return v;
}

export function asNumber(v: Value, what: string): IntV | FloatV {
  if (v.t !== 'int' && v.t !== 'float') throw wrongType(what, 'a number', v);
  return v;
}

export function asList(v: Value, what: string): ListV {
  if (v.t !== 'list') throw wrongType(what, 'a list', v);
  return v;
}

/** Lists and sets are both accepted where a collection of values is searched. */
export function asCollection(v: Value, what: string): readonly Value[] {
  if (v.t === 'list') return v.v;
  if (v.t === 'set') return [...v.v.values()];
  throw wrongType(what, 'a list or set', v);
}

export function asSet(v: Value, what: string): SetV {
  if (v.t !== 'set') throw wrongType(what, 'a set', v);
  return v;
}

export function asMap(v: Value, what: string): MapV {
  if (v.t !== 'map') throw wrongType(what, 'a map', v);
  return v;
}

export function asTimestamp(v: Value, what: string): TimestampV {
  if (v.t !== 'timestamp') throw wrongType(what, 'a timestamp', v);
  return v;
}

export function asDuration(v: Value, what: string): DurationV {
  if (v.t !== 'duration') throw wrongType(what, 'a duration', v);
  return v;
}

export function asBytes(v: Value, what: string): BytesV {
  if (v.t !== 'bytes') throw wrongType(what, 'bytes', v);
  return v;
}

export function asPath(v: Value, what: string): PathV {
  if (v.t !== 'path') throw wrongType(what, 'a path', v);
  return v;
}

export function asLatLng(v: Value, what: string): LatLngV {
  if (v.t !== 'latlng') throw wrongType(what, 'a latlng', v);
  return v;
}

/** An int argument that must fit a JS array index or similar small range. */
export function smallInt(v: Value, what: string): number {
  const i = asInt(v, what).v;
  if (i > BigInt(Number.MAX_SAFE_INTEGER) || i < BigInt(Number.MIN_SAFE_INTEGER)) throw fail(`${what}: index out of range`);
  return Number(i);
}

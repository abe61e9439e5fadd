/** Lookup tables for every builtin: methods by receiver type, namespaces and global functions. */
import type { Value } from '../values.js';
import { LIST_METHODS, SET_METHODS } from './collections.js';
import { GLOBAL_FUNCTIONS } from './globals.js';
import { MAP_METHODS, MAPDIFF_METHODS } from './maps.js';
import { BYTES_METHODS, HASHING_NAMESPACE, LATLNG_METHODS, LATLNG_NAMESPACE, PATH_METHODS } from './misc.js';
import { MATH_NAMESPACE } from './numbers.js';
import { STRING_METHODS } from './strings.js';
import { DURATION_METHODS, DURATION_NAMESPACE, TIMESTAMP_METHODS, TIMESTAMP_NAMESPACE } from './time.js';
import type { Builtin, GlobalFn } from './types.js';

export type { BuiltinContext } from './types.js';
export { GLOBAL_FUNCTIONS };
export { checkedDuration, checkedTimestamp } from './time.js';
export { codePointLength } from './strings.js';

const BY_TYPE: Readonly<Partial<Record<Value['t'], Readonly<Record<string, Builtin<never>>>>>> = {
  string: STRING_METHODS,
  list: LIST_METHODS,
  set: SET_METHODS,
  map: MAP_METHODS,
  mapdiff: MAPDIFF_METHODS,
  timestamp: TIMESTAMP_METHODS,
  duration: DURATION_METHODS,
  bytes: BYTES_METHODS,
  latlng: LATLNG_METHODS,
  path: PATH_METHODS,
};

/** The method `name` of values of `v`'s type, if it has one. */
export function findMethod(v: Value, name: string): Builtin<Value> | undefined {
  const table = BY_TYPE[v.t];
  if (!table || !Object.hasOwn(table, name)) return undefined;
  return table[name] as unknown as Builtin<Value>;
}

export const NAMESPACES: Readonly<Record<string, Readonly<Record<string, GlobalFn>>>> = {
  math: MATH_NAMESPACE,
  timestamp: TIMESTAMP_NAMESPACE,
  duration: DURATION_NAMESPACE,
  latlng: LATLNG_NAMESPACE,
  hashing: HASHING_NAMESPACE,
};

/** Every method name of any type (the binder rejects calls to names that exist nowhere). */
export const ALL_METHOD_NAMES: ReadonlySet<string> = new Set(Object.values(BY_TYPE).flatMap((t) => Object.keys(t)));

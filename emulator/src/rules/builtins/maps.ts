/** rules.Map and rules.MapDiff methods. */
import { fail } from '../errors.js';
import { int, list, setOf, str, type MapDiffV, type MapV, type Value, valuesEqual } from '../values.js';
import { argAt, asMap, fixed, type Method } from './types.js';

/** `get` with a string key, or a list of keys walking into nested maps. */
function lookup(m: MapV, key: Value): Value | undefined {
  if (key.t === 'string') return m.v.get(key.v);
  if (key.t !== 'list') throw fail(`get() expects a string or a list of strings as key, got ${key.t}`);
  if (key.v.length === 0) throw fail('get() needs at least one key in the key list');
  let cur: Value = m;
  for (const k of key.v) {
    if (k.t !== 'string') throw fail(`get() key lists may only contain strings, found ${k.t}`);
    if (cur.t !== 'map') return undefined;
    const next: Value | undefined = cur.v.get(k.v);
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}

export const MAP_METHODS: Readonly<Record<string, Method<MapV>>> = {
  size: fixed(0, (m) => int(m.v.size)),
  keys: fixed(0, (m) => list([...m.v.keys()].map(str))),
  values: fixed(0, (m) => list([...m.v.values()])),
  get: fixed(2, (m, args) => lookup(m, argAt(args, 0)) ?? argAt(args, 1)),
  diff: fixed(1, (m, args) => ({ t: 'mapdiff', left: m, right: asMap(argAt(args, 0), 'diff()') })),
};

function keysWhere(d: MapDiffV, pick: (inLeft: Value | undefined, inRight: Value | undefined) => boolean): Value {
  const keys = new Set([...d.left.v.keys(), ...d.right.v.keys()]);
  return setOf([...keys].filter((k) => pick(d.left.v.get(k), d.right.v.get(k))).map(str));
}

const changed = (a: Value | undefined, b: Value | undefined): boolean =>
  a !== undefined && b !== undefined && !valuesEqual(a, b);

/** Keys are judged from the receiver's side: `addedKeys` are in the receiver but not the argument. */
export const MAPDIFF_METHODS: Readonly<Record<string, Method<MapDiffV>>> = {
  addedKeys: fixed(0, (d) => keysWhere(d, (a, b) => a !== undefined && b === undefined)),
  removedKeys: fixed(0, (d) => keysWhere(d, (a, b) => a === undefined && b !== undefined)),
  changedKeys: fixed(0, (d) => keysWhere(d, changed)),
  unchangedKeys: fixed(0, (d) => keysWhere(d, (a, b) => a !== undefined && b !== undefined && valuesEqual(a, b))),
  affectedKeys: fixed(0, (d) => keysWhere(d, (a, b) => a === undefined || b === undefined || changed(a, b))),
};

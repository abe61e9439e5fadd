/** rules.List and rules.Set methods. Lists and sets are interchangeable as arguments. */
import { fail } from '../errors.js';
import { bool, int, list, setOf, str, type ListV, type SetV, type Value, valueKey } from '../values.js';
import { argAt, asCollection, asString, fixed, type Method } from './types.js';

function keysOf(values: readonly Value[]): Set<string> {
  return new Set(values.map(valueKey));
}

function hasAll(items: readonly Value[], wanted: readonly Value[]): boolean {
  const have = keysOf(items);
  return wanted.every((w) => have.has(valueKey(w)));
}

function hasAny(items: readonly Value[], wanted: readonly Value[]): boolean {
  const have = keysOf(items);
  return wanted.some((w) => have.has(valueKey(w)));
}

/** Every element of `items` is one of `allowed` (repeats ignored). */
function hasOnly(items: readonly Value[], allowed: readonly Value[]): boolean {
  const ok = keysOf(allowed);
  return items.every((i) => ok.has(valueKey(i)));
}

const arg = (args: readonly Value[], what: string): readonly Value[] => asCollection(argAt(args, 0), what);

export const LIST_METHODS: Readonly<Record<string, Method<ListV>>> = {
  size: fixed(0, (l) => int(l.v.length)),
  concat: fixed(1, (l, args) => list([...l.v, ...arg(args, 'concat()')])),
  hasAll: fixed(1, (l, args) => bool(hasAll(l.v, arg(args, 'hasAll()')))),
  hasAny: fixed(1, (l, args) => bool(hasAny(l.v, arg(args, 'hasAny()')))),
  hasOnly: fixed(1, (l, args) => bool(hasOnly(l.v, arg(args, 'hasOnly()')))),
  removeAll: fixed(1, (l, args) => {
    const drop = keysOf(arg(args, 'removeAll()'));
    return list(l.v.filter((v) => !drop.has(valueKey(v))));
  }),
  toSet: fixed(0, (l) => setOf(l.v)),
  join: fixed(1, (l, args) => {
    const sep = asString(argAt(args, 0), 'join()').v;
    return str(
      l.v
        .map((v) => {
          if (v.t !== 'string') throw fail(`join() needs a list of strings, found an element of type ${v.t}`);
          return v.v;
        })
        .join(sep),
    );
  }),
};

const members = (s: SetV): Value[] => [...s.v.values()];

export const SET_METHODS: Readonly<Record<string, Method<SetV>>> = {
  size: fixed(0, (s) => int(s.v.size)),
  hasAll: fixed(1, (s, args) => bool(hasAll(members(s), arg(args, 'hasAll()')))),
  hasAny: fixed(1, (s, args) => bool(hasAny(members(s), arg(args, 'hasAny()')))),
  hasOnly: fixed(1, (s, args) => bool(hasOnly(members(s), arg(args, 'hasOnly()')))),
  union: fixed(1, (s, args) => setOf([...members(s), ...arg(args, 'union()')])),
  intersection: fixed(1, (s, args) => {
    const other = keysOf(arg(args, 'intersection()'));
    return setOf(members(s).filter((v) => other.has(valueKey(v))));
  }),
  difference: fixed(1, (s, args) => {
    const other = keysOf(arg(args, 'difference()'));
    return setOf(members(s).filter((v) => !other.has(valueKey(v))));
  }),
};

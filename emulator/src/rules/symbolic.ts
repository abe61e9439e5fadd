/**
 * Three-valued operators for list authorisation. A value of a document the query might return
 * is `unknown`, possibly with what the query's filters guarantee about it (constraint-types.ts).
 * Each operator answers true or false only when the answer holds for EVERY such document and
 * `unknown` otherwise; an unknown condition never grants access. Everything not handled
 * specially here stays unknown, which denies, as Firestore does for rules it cannot prove.
 */
import type { BinaryOp } from './ast.js';
import type { FieldConstraint } from './constraint-types.js';
import { FALSE, TRUE, UNKNOWN, bool, compareValues, isSymbolic, type Value, valuesEqual } from './values.js';

const typeClass = (v: Value): string => (v.t === 'int' || v.t === 'float' ? 'number' : v.t);

/** The type class every value of the field has, when the query fixes it. */
function fieldClass(c: FieldConstraint): string | undefined {
  const bound = c.lower ?? c.upper;
  if (bound) return typeClass(bound.value);
  if (c.contains.length > 0) return 'list';
  return undefined;
}

/** true/false when every document agrees on `field == value`, undefined otherwise. */
function decideEquals(c: FieldConstraint, value: Value): boolean | undefined {
  if (value.t === 'null') return c.exists ? false : undefined;
  if (c.notEqual.some((n) => valuesEqual(n, value))) return false;
  const cls = fieldClass(c);
  if (cls !== undefined && cls !== typeClass(value)) return false;
  const below = c.lower && compareValues(value, c.lower.value);
  if (below !== undefined && c.lower && (below < 0 || (below === 0 && !c.lower.inclusive))) return false;
  const above = c.upper && compareValues(value, c.upper.value);
  if (above !== undefined && c.upper && (above > 0 || (above === 0 && !c.upper.inclusive))) return false;
  return undefined;
}

type Cmp = '<' | '<=' | '>' | '>=';
const FLIP: Record<Cmp, Cmp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** Decides `field OP value` from the field's bounds. */
function decideOrder(c: FieldConstraint, op: Cmp, value: Value): boolean | undefined {
  const cls = fieldClass(c);
  if (cls === undefined || cls !== typeClass(value)) return undefined;
  const lo = c.lower ? compareValues(c.lower.value, value) : undefined; // sign of L - value
  const hi = c.upper ? compareValues(c.upper.value, value) : undefined; // sign of U - value
  const loEx = c.lower !== undefined && !c.lower.inclusive;
  const hiEx = c.upper !== undefined && !c.upper.inclusive;
  const has = (n: number | undefined): n is number => n !== undefined && !Number.isNaN(n);
  switch (op) {
    case '>':
      if (has(lo) && (lo > 0 || (lo === 0 && loEx))) return true;
      if (has(hi) && hi <= 0) return false;
      return undefined;
    case '>=':
      if (has(lo) && lo >= 0) return true;
      if (has(hi) && (hi < 0 || (hi === 0 && hiEx))) return false;
      return undefined;
    case '<':
      if (has(hi) && (hi < 0 || (hi === 0 && hiEx))) return true;
      if (has(lo) && lo >= 0) return false;
      return undefined;
    case '<=':
      if (has(hi) && hi <= 0) return true;
      if (has(lo) && (lo > 0 || (lo === 0 && loEx))) return false;
      return undefined;
  }
}

const tri = (b: boolean | undefined): Value => (b === undefined ? UNKNOWN : bool(b));

export function symbolicBinary(op: BinaryOp, l: Value, r: Value): Value {
  if (op === 'in') {
    if (r.t === 'symmap' && l.t === 'string') return r.has(l.v) ? TRUE : UNKNOWN;
    if (r.t === 'unknown' && !isSymbolic(l) && r.c?.contains.some((x) => valuesEqual(x, l))) return TRUE;
    return UNKNOWN;
  }
  if (isSymbolic(l) && isSymbolic(r)) return UNKNOWN;
  const leftSym = isSymbolic(l);
  const sym = leftSym ? l : r;
  const value = leftSym ? r : l;
  // A document's (partly known) data is a map: it never equals a value of another type.
  if (sym.t === 'symmap' && value.t !== 'map' && (op === '==' || op === '!=')) return bool(op === '!=');
  if (sym.t !== 'unknown' || !sym.c) return UNKNOWN;
  switch (op) {
    case '==':
      return decideEquals(sym.c, value) === false ? FALSE : UNKNOWN;
    case '!=':
      return decideEquals(sym.c, value) === false ? TRUE : UNKNOWN;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return tri(decideOrder(sym.c, leftSym ? op : FLIP[op], value));
    default:
      return UNKNOWN;
  }
}

export function symbolicIs(v: Value, type: string): Value {
  if (v.t === 'symmap') return bool(type === 'map');
  if (v.t !== 'unknown' || !v.c) return UNKNOWN;
  if (type === 'null') return v.c.exists ? FALSE : UNKNOWN;
  const cls = fieldClass(v.c);
  if (cls === undefined) return UNKNOWN;
  if (cls === 'number') {
    if (type === 'number') return TRUE;
    return type === 'int' || type === 'float' ? UNKNOWN : FALSE;
  }
  return bool(type === cls);
}

/** A method call whose receiver or arguments depend on the queried document. */
export function symbolicMethod(recv: Value, name: string, args: readonly Value[]): Value {
  if (args.some(isSymbolic)) return UNKNOWN;
  if (recv.t === 'symmap' && name === 'get') {
    const key = args[0];
    const fallback = args[1];
    if (key?.t === 'string') return recv.has(key.v) ? recv.field(key.v) : UNKNOWN;
    if (key?.t === 'list' && fallback) {
      let cur: Value = recv;
      for (const k of key.v) {
        if (k.t !== 'string') return UNKNOWN;
        if (cur.t === 'map') {
          const next: Value | undefined = cur.v.get(k.v);
          if (next === undefined) return fallback;
          cur = next;
        } else if (cur.t === 'symmap' && cur.has(k.v)) {
          cur = cur.field(k.v);
        } else {
          return UNKNOWN;
        }
      }
      return cur;
    }
    return UNKNOWN;
  }
  if (recv.t === 'unknown' && recv.c && recv.c.contains.length > 0) {
    const wanted = args[0];
    const items = wanted?.t === 'list' ? wanted.v : wanted?.t === 'set' ? [...wanted.v.values()] : undefined;
    if (!items) return UNKNOWN;
    const contained = (x: Value): boolean => recv.c?.contains.some((c) => valuesEqual(c, x)) ?? false;
    if (name === 'hasAny' && items.some(contained)) return TRUE;
    if (name === 'hasAll' && items.every(contained)) return TRUE;
  }
  return UNKNOWN;
}

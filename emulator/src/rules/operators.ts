/**
 * Operators on concrete values: equality, ordering, `in`, arithmetic (64-bit ints that fail
 * on overflow, IEEE floats, timestamp/duration arithmetic), indexing and ranges.
 * Every failure is an evaluation error, which denies unless `&&`/`||` absorb it.
 */
import type { BinaryOp } from './ast.js';
import { checkedDuration, checkedTimestamp, codePointLength } from './builtins/index.js';
import { fail } from './errors.js';
import {
  bool,
  checkedInt,
  compareValues,
  float,
  type IntV,
  list,
  str,
  typeName,
  type Value,
  valueKey,
  valuesEqual,
} from './values.js';

function intResult(v: bigint): IntV {
  const r = checkedInt(v);
  if (typeof r === 'string') throw fail('Integer overflow.');
  return r;
}

function unsupported(op: string, l: Value, r: Value): Error {
  return fail(`Unsupported operation: ${typeName(l)} ${op} ${typeName(r)}`);
}

const asFloat = (v: Value): number => (v.t === 'int' ? Number(v.v) : (v as { v: number }).v);

function arithmetic(op: '+' | '-' | '*' | '/' | '%', l: Value, r: Value): Value {
  if (l.t === 'int' && r.t === 'int') {
    const a = l.v;
    const b = r.v;
    switch (op) {
      case '+':
        return intResult(a + b);
      case '-':
        return intResult(a - b);
      case '*':
        return intResult(a * b);
      case '/':
        if (b === 0n) throw fail('Division by zero.');
        return intResult(a / b);
      case '%':
        if (b === 0n) throw fail('Modulo by zero.');
        return intResult(a % b);
    }
  }
  if ((l.t === 'int' || l.t === 'float') && (r.t === 'int' || r.t === 'float')) {
    const a = asFloat(l);
    const b = asFloat(r);
    switch (op) {
      case '+':
        return float(a + b);
      case '-':
        return float(a - b);
      case '*':
        return float(a * b);
      case '/':
        if (b === 0) throw fail('Division by zero.');
        return float(a / b);
      case '%':
        if (b === 0) throw fail('Modulo by zero.');
        return float(a % b);
    }
  }
  if (op === '+') {
    if (l.t === 'string' && r.t === 'string') return str(l.v + r.v);
    if (l.t === 'timestamp' && r.t === 'duration') return checkedTimestamp(l.ns + r.ns);
    if (l.t === 'duration' && r.t === 'timestamp') return checkedTimestamp(l.ns + r.ns);
    if (l.t === 'duration' && r.t === 'duration') return checkedDuration(l.ns + r.ns);
  }
  if (op === '-') {
    if (l.t === 'timestamp' && r.t === 'timestamp') return checkedDuration(l.ns - r.ns);
    if (l.t === 'timestamp' && r.t === 'duration') return checkedTimestamp(l.ns - r.ns);
    if (l.t === 'duration' && r.t === 'duration') return checkedDuration(l.ns - r.ns);
  }
  throw unsupported(op, l, r);
}

function membership(l: Value, r: Value): Value {
  if (r.t === 'list') {
    const k = valueKey(l);
    return bool(r.v.some((x) => valueKey(x) === k));
  }
  if (r.t === 'set') return bool(r.v.has(valueKey(l)));
  if (r.t === 'map') {
    if (l.t !== 'string') throw fail(`Map keys are strings; cannot test whether a ${typeName(l)} is in a map`);
    return bool(r.v.has(l.v));
  }
  throw unsupported('in', l, r);
}

export function binaryOp(op: BinaryOp, l: Value, r: Value): Value {
  switch (op) {
    case '==':
      return bool(valuesEqual(l, r));
    case '!=':
      return bool(!valuesEqual(l, r));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const c = compareValues(l, r);
      if (c === undefined) throw unsupported(op, l, r);
      if (Number.isNaN(c)) return bool(false);
      return bool(op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0);
    }
    case 'in':
      return membership(l, r);
    default:
      return arithmetic(op, l, r);
  }
}

export function unaryOp(op: '!' | '-', v: Value): Value {
  if (op === '!') {
    if (v.t !== 'bool') throw fail(`Unsupported operation: !${typeName(v)}`);
    return bool(!v.v);
  }
  if (v.t === 'int') return intResult(-v.v);
  if (v.t === 'float') return float(-v.v);
  if (v.t === 'duration') return checkedDuration(-v.ns);
  throw fail(`Unsupported operation: -${typeName(v)}`);
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

function indexNumber(i: Value, what: string): number {
  if (i.t !== 'int') throw fail(`${what} index must be an int, got ${typeName(i)}`);
  return i.v > BigInt(Number.MAX_SAFE_INTEGER) || i.v < 0n ? -1 : Number(i.v);
}

/** `x.name` and `x['name']` on a concrete value. */
export function fieldOf(obj: Value, name: string): Value {
  if (obj.t === 'map') {
    const v = obj.v.get(name);
    if (v === undefined) throw fail(`Property ${name} is undefined on object.`);
    return v;
  }
  if (obj.t === 'null') throw fail('Null value error.');
  throw fail(`Cannot read property '${name}' of a value of type ${typeName(obj)}`);
}

export function indexOp(obj: Value, index: Value): Value {
  switch (obj.t) {
    case 'map':
      if (index.t !== 'string') throw fail(`Map keys are strings; cannot index a map with a ${typeName(index)}`);
      return fieldOf(obj, index.v);
    case 'list': {
      const i = indexNumber(index, 'List');
      const v = i >= 0 ? obj.v[i] : undefined;
      if (v === undefined) throw fail(`Index ${index.t === 'int' ? index.v : '?'} out of range for a list of size ${obj.v.length}`);
      return v;
    }
    case 'string': {
      const i = indexNumber(index, 'String');
      const chars = codePoints(obj.v);
      const c = i >= 0 ? chars[i] : undefined;
      if (c === undefined) throw fail(`Index out of range for a string of size ${chars.length}`);
      return str(c);
    }
    case 'path': {
      const i = indexNumber(index, 'Path');
      const seg = i >= 0 ? obj.segs[i] : undefined;
      if (seg === undefined) throw fail(`Index out of range for a path of ${obj.segs.length} segments`);
      if (typeof seg !== 'string') throw fail(`Path segment $(${seg.placeholder}) is not bound`);
      return str(seg);
    }
    case 'null':
      throw fail('Null value error.');
    default:
      throw fail(`Cannot index a value of type ${typeName(obj)}`);
  }
}

export function rangeOp(obj: Value, start: Value, end: Value): Value {
  const size = obj.t === 'list' ? obj.v.length : obj.t === 'string' ? codePointLength(obj.v) : -1;
  if (size < 0) {
    if (obj.t === 'null') throw fail('Null value error.');
    throw fail(`Cannot take a range of a value of type ${typeName(obj)}`);
  }
  const i = indexNumber(start, 'Range');
  const j = indexNumber(end, 'Range');
  if (i < 0 || j < 0 || i > j || j > size) throw fail(`Range [${i}:${j}] out of bounds for size ${size}`);
  if (obj.t === 'list') return list(obj.v.slice(i, j));
  return str(codePoints((obj as { v: string }).v).slice(i, j).join(''));
}

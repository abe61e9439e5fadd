/** The `math.` namespace and the int(), float(), string(), bool() conversions. */
import { formatFloat, formatPath } from '../display.js';
import { fail } from '../errors.js';
import { bool, checkedInt, float, str, type Value } from '../values.js';
import { argAt, asNumber, fixed, type GlobalFn } from './types.js';

const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$|^NaN$/i;

/** A float rounded by `round` to a 64-bit int, or an error when it does not fit. */
function floatToInt(v: number, round: (x: number) => number, what: string): Value {
  if (!Number.isFinite(v)) throw fail(`${what}: cannot convert ${formatFloat(v)} to an int`);
  const r = checkedInt(BigInt(round(v)));
  if (typeof r === 'string') throw fail(`${what}: ${formatFloat(v)} does not fit in a 64-bit int`);
  return r;
}

const roundingFn = (name: string, round: (x: number) => number): GlobalFn =>
  fixed(1, (_, args) => {
    const n = asNumber(argAt(args, 0), `math.${name}()`);
    return n.t === 'int' ? n : floatToInt(n.v, round, `math.${name}()`);
  });

const toFloat = (v: Value, what: string): number => {
  const n = asNumber(v, what);
  return n.t === 'int' ? Number(n.v) : n.v;
};

export const MATH_NAMESPACE: Readonly<Record<string, GlobalFn>> = {
  abs: fixed(1, (_, args) => {
    const n = asNumber(argAt(args, 0), 'math.abs()');
    if (n.t === 'float') return float(Math.abs(n.v));
    const r = checkedInt(n.v < 0n ? -n.v : n.v);
    if (typeof r === 'string') throw fail('math.abs(): integer overflow');
    return r;
  }),
  ceil: roundingFn('ceil', Math.ceil),
  floor: roundingFn('floor', Math.floor),
  // Halves round up (towards +infinity), as Java's Math.round: round(2.5) == 3, round(-2.5) == -2.
  round: roundingFn('round', Math.round),
  sqrt: fixed(1, (_, args) => float(Math.sqrt(toFloat(argAt(args, 0), 'math.sqrt()')))),
  pow: fixed(2, (_, args) => float(toFloat(argAt(args, 0), 'math.pow()') ** toFloat(argAt(args, 1), 'math.pow()'))),
  isInfinite: fixed(1, (_, args) => {
    const n = asNumber(argAt(args, 0), 'math.isInfinite()');
    return bool(n.t === 'float' && (n.v === Infinity || n.v === -Infinity));
  }),
  isNaN: fixed(1, (_, args) => {
    const n = asNumber(argAt(args, 0), 'math.isNaN()');
    return bool(n.t === 'float' && Number.isNaN(n.v));
  }),
};

export function toInt(v: Value): Value {
  switch (v.t) {
    case 'int':
      return v;
    case 'float':
      return floatToInt(v.v, Math.trunc, 'int()');
    case 'string': {
      const text = v.v.trim();
      if (!INT_TEXT.test(text)) throw fail(`int(): ${JSON.stringify(v.v)} is not an integer`);
      const r = checkedInt(BigInt(text));
      if (typeof r === 'string') throw fail(`int(): ${JSON.stringify(v.v)} does not fit in a 64-bit int`);
      return r;
    }
    default:
      throw fail(`int() cannot convert a value of type ${v.t}`);
  }
}

export function toFloatValue(v: Value): Value {
  switch (v.t) {
    case 'float':
      return v;
    case 'int':
      return float(Number(v.v));
    case 'string': {
      const text = v.v.trim();
      if (!FLOAT_TEXT.test(text)) throw fail(`float(): ${JSON.stringify(v.v)} is not a number`);
      const lower = text.toLowerCase();
      if (lower.endsWith('inf') || lower.endsWith('infinity')) return float(lower.startsWith('-') ? -Infinity : Infinity);
      return float(Number(text));
    }
    default:
      throw fail(`float() cannot convert a value of type ${v.t}`);
  }
}

export function toStringValue(v: Value): Value {
  switch (v.t) {
    case 'string':
      return v;
    case 'bool':
      return str(String(v.v));
    case 'int':
      return str(v.v.toString());
    case 'float':
      return str(formatFloat(v.v));
    case 'null':
      return str('null');
    case 'path':
      return str(formatPath(v));
    default:
      throw fail(`string() cannot convert a value of type ${v.t}`);
  }
}

export function toBool(v: Value): Value {
  if (v.t === 'bool') return v;
  if (v.t === 'string' && (v.v === 'true' || v.v === 'false')) return bool(v.v === 'true');
  throw fail(`bool() cannot convert ${v.t === 'string' ? JSON.stringify(v.v) : `a value of type ${v.t}`}`);
}

/** Text forms of values: `string(x)` conversions and readable renderings for debug() and errors. */
import { formatDuration, formatTimestamp } from './time-utils.js';
import type { PathV, Value } from './values.js';

/** Java-style float text (Firestore's `string(2.0) == "2.0"`). */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = Object.is(v, -0) ? '-0' : String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = ''] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

export function formatPath(p: PathV): string {
  return '/' + p.segs.map((s) => (typeof s === 'string' ? s : `$(${s.placeholder})`)).join('/');
}

/** A readable rendering used in debug output and messages; strings are quoted. */
export function renderValue(v: Value): string {
  switch (v.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(v.v);
    case 'int':
      return v.v.toString();
    case 'float':
      return formatFloat(v.v);
    case 'string':
      return JSON.stringify(v.v);
    case 'bytes':
      return `b'${Array.from(v.v, (b) => `\\x${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')}'`;
    case 'list':
      return `[${v.v.map(renderValue).join(', ')}]`;
    case 'set':
      return `set([${[...v.v.values()].map(renderValue).join(', ')}])`;
    case 'map':
      return `{${[...v.v].map(([k, x]) => `${JSON.stringify(k)}: ${renderValue(x)}`).join(', ')}}`;
    case 'mapdiff':
      return `map_diff(${renderValue(v.left)}, ${renderValue(v.right)})`;
    case 'timestamp':
      return `timestamp(${formatTimestamp(v.ns)})`;
    case 'duration':
      return `duration(${formatDuration(v.ns)})`;
    case 'path':
      return `path(${formatPath(v)})`;
    case 'latlng':
      return `latlng(${v.lat}, ${v.lng})`;
    case 'unknown':
      return '<depends on the queried document>';
    case 'symmap':
      return '<map of the queried document>';
  }
}

import type { FieldFilter, FilterValue, OrderBy } from '../data/specs';

/**
 * Firestore's value semantics for `FakeData`, as the web SDK evaluates queries on its own
 * cache (`FieldFilter.matches`, `valueCompare`, `queryNormalizedOrderBy`), so the fake and the
 * real adapter agree (`dataPort.contract.ts` holds them to it). Values are as the fake stores
 * them: Dates (or Timestamp-likes) for times, Uint8Array for bytes, plain objects for maps.
 */
type Raw = Record<string, unknown>;

/** A field path that is absent from the document (distinct from a stored null). */
export const MISSING = Symbol('missing');

export function fieldOf(doc: Raw, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(part in cur)) return MISSING;
    cur = (cur as Raw)[part];
    if (cur === undefined) return MISSING;
  }
  return cur;
}

function timeOf(v: unknown): number | null {
  if (v instanceof Date) return v.getTime();
  if (v !== null && typeof v === 'object' && typeof (v as { toMillis?: unknown }).toMillis === 'function') {
    return (v as { toMillis(): number }).toMillis();
  }
  return null;
}

function isMap(v: unknown): v is Raw {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && timeOf(v) === null;
}

/** Firestore's order of types: null < boolean < number < timestamp < string < bytes < array < map. */
function typeOrder(v: unknown): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (timeOf(v) !== null) return 3;
  if (typeof v === 'string') return 4;
  if (v instanceof Uint8Array) return 5;
  if (Array.isArray(v)) return 8;
  return 9;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Strings compare by code point, like Firestore's UTF-8 byte order (not UTF-16 units). */
function compareStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return sign(d);
  }
}

export function compareValues(a: unknown, b: unknown): number {
  const ta = typeOrder(a);
  const tb = typeOrder(b);
  if (ta !== tb) return sign(ta - tb);
  switch (ta) {
    case 0:
      return 0;
    case 1:
      return sign(Number(a) - Number(b));
    case 2: {
      const x = a as number;
      const y = b as number;
      // NaN sorts before every other number and equals itself.
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return sign(x - y);
    }
    case 3:
      return sign(timeOf(a)! - timeOf(b)!);
    case 4:
      return compareStrings(a as string, b as string);
    case 5: {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return sign(x[i]! - y[i]!);
      return sign(x.length - y.length);
    }
    case 8: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return sign(x.length - y.length);
    }
    default: {
      const x = a as Raw;
      const y = b as Raw;
      const kx = Object.keys(x).sort(compareStrings);
      const ky = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const c = compareStrings(kx[i]!, ky[i]!) || compareValues(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return sign(kx.length - ky.length);
    }
  }
}

const equal = (a: unknown, b: unknown) => typeOrder(a) === typeOrder(b) && compareValues(a, b) === 0;

/** A filter value as stored: `{ timeMs }` is a timestamp. */
export function storedValue(v: FilterValue): unknown {
  if (Array.isArray(v)) return v.map((x: FilterValue) => storedValue(x));
  if (v !== null && typeof v === 'object' && 'timeMs' in v) return new Date(v.timeMs);
  return v;
}

/**
 * One filter on one document. A missing field never matches; `!=` and `not-in` never match a
 * stored null either; ranges compare only values of the same type (a number never matches a
 * timestamp range).
 */
export function matchesFilter(doc: Raw, f: FieldFilter): boolean {
  const v = fieldOf(doc, f.field);
  if (v === MISSING) return false;
  const want = storedValue(f.value);
  switch (f.op) {
    case '==':
      return equal(v, want);
    case '!=':
      return v !== null && !equal(v, want);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeOrder(v) !== typeOrder(want)) return false;
      const c = compareValues(v, want);
      return f.op === '<' ? c < 0 : f.op === '<=' ? c <= 0 : f.op === '>' ? c > 0 : c >= 0;
    }
    case 'in':
      return (want as unknown[]).some((x) => equal(v, x));
    case 'not-in':
      return v !== null && !(want as unknown[]).some((x) => x === null || equal(v, x));
    case 'array-contains':
      return Array.isArray(v) && v.some((x) => equal(x, want));
  }
}

const INEQUALITY = new Set(['<', '<=', '>', '>=', '!=', 'not-in']);

/**
 * The order Firestore applies: the explicit order, then inequality fields it does not name
 * (by path, in the last explicit direction), then the document id in that same direction.
 */
export function normalizedOrder(where: readonly FieldFilter[], orderBy: readonly OrderBy[]): OrderBy[] {
  const out = [...orderBy];
  const direction = orderBy.at(-1)?.direction ?? 'asc';
  const named = new Set(orderBy.map((o) => o.field));
  const inequality = [...new Set(where.filter((f) => INEQUALITY.has(f.op)).map((f) => f.field))].sort(compareStrings);
  for (const field of inequality) if (!named.has(field)) out.push({ field, direction });
  return out;
}

/** A document's place in a query: the values of the normalized order, then its id. */
export interface Position {
  values: unknown[];
  id: string;
  direction: 'asc' | 'desc';
}

export function positionOf(doc: Raw, id: string, order: readonly OrderBy[]): Position | null {
  const values: unknown[] = [];
  for (const o of order) {
    const v = fieldOf(doc, o.field);
    // An order on a field is also a filter: documents without it are not in the results.
    if (v === MISSING) return null;
    values.push(v);
  }
  return { values, id, direction: order.at(-1)?.direction ?? 'asc' };
}

export function comparePositions(a: Position, b: Position, order: readonly OrderBy[]): number {
  for (let i = 0; i < order.length; i++) {
    const c = compareValues(a.values[i], b.values[i]);
    if (c !== 0) return order[i]!.direction === 'asc' ? c : -c;
  }
  const c = compareStrings(a.id, b.id);
  return a.direction === 'asc' ? c : -c;
}

/**
 * `set` with `merge: true`: nested maps merge field by field (only the leaves given are
 * written); anything else, an empty map included, replaces the field.
 */
export function mergeInto(base: Raw, patch: Raw): Raw {
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = isMap(v) && Object.keys(v).length > 0 && isMap(cur) ? mergeInto(cur, v) : v;
  }
  return out;
}

/** `update`: keys are field paths (`a.b` sets b inside map a, creating maps on the way). */
export function updateFields(base: Raw, patch: Raw): Raw {
  const out: Raw = { ...base };
  for (const [path, v] of Object.entries(patch)) {
    const parts = path.split('.');
    let cur = out;
    // Copies the maps on the path, so the stored document is never changed in place.
    for (const part of parts.slice(0, -1)) {
      const next = cur[part];
      cur = cur[part] = isMap(next) ? { ...next } : {};
    }
    cur[parts.at(-1)!] = v;
  }
  return out;
}

/** Drops fields set to undefined, as the adapter does (`ignoreUndefinedProperties`). */
export function withoutUndefined(doc: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(doc)) if (v !== undefined) out[k] = isMap(v) ? withoutUndefined(v) : v;
  return out;
}

import type { Filter, OrderBy } from '../../ports/store.js';

/**
 * Firestore's value order for the stored (encoded) shapes the memory store keeps:
 * null < boolean < number < timestamp (Date) < string < bytes < array < map.
 */
function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (v instanceof Date) return 3;
  if (typeof v === 'string') return 4;
  if (v instanceof Uint8Array) return 5;
  if (Array.isArray(v)) return 6;
  return 7;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

function compareStrings(a: string, b: string): number {
  // Firestore orders strings by UTF-8 bytes.
  return compareBytes(new TextEncoder().encode(a), new TextEncoder().encode(b));
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2: {
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
      if (Number.isNaN(y)) return 1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 3:
      return (a as Date).getTime() - (b as Date).getTime();
    case 4:
      return compareStrings(a as string, b as string);
    case 5:
      return compareBytes(a as Uint8Array, b as Uint8Array);
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort(compareStrings);
      const ky = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const k = compareStrings(kx[i]!, ky[i]!);
        if (k !== 0) return k;
        const c = compareValues(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return kx.length - ky.length;
    }
  }
}

export const equalValues = (a: unknown, b: unknown): boolean => typeRank(a) === typeRank(b) && compareValues(a, b) === 0;

const MISSING = Symbol('missing');

export function getField(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || cur instanceof Date || cur instanceof Uint8Array) {
      return MISSING;
    }
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return MISSING;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined ? MISSING : cur;
}

export function matchesFilter(doc: Record<string, unknown>, filter: Filter): boolean {
  const v = getField(doc, filter.field);
  if (v === MISSING) return false;
  const target = filter.value;
  switch (filter.op) {
    case '==':
      return equalValues(v, target);
    case '!=':
      return v !== null && !equalValues(v, target);
    case 'in':
      return (target as readonly unknown[]).some((t) => equalValues(v, t));
    case 'not-in':
      return v !== null && !(target as readonly unknown[]).some((t) => equalValues(v, t));
    case 'array-contains':
      return Array.isArray(v) && v.some((x) => equalValues(x, target));
    default: {
      // Range filters only match values of the same type (Firestore semantics).
      if (typeRank(v) !== typeRank(target)) return false;
      const c = compareValues(v, target);
      return filter.op === '<' ? c < 0 : filter.op === '<=' ? c <= 0 : filter.op === '>' ? c > 0 : c >= 0;
    }
  }
}

/** Documents missing an ordered field are excluded, as in Firestore. */
export function hasOrderFields(doc: Record<string, unknown>, orderBy: readonly OrderBy[]): boolean {
  return orderBy.every((o) => getField(doc, o.field) !== MISSING);
}

export function compareByOrder(
  a: { id: string; data: Record<string, unknown> },
  b: { id: string; data: Record<string, unknown> },
  orderBy: readonly OrderBy[],
): number {
  for (const o of orderBy) {
    const c = compareValues(getField(a.data, o.field), getField(b.data, o.field));
    if (c !== 0) return o.direction === 'desc' ? -c : c;
  }
  const last = orderBy[orderBy.length - 1];
  const c = compareStrings(a.id, b.id);
  return last?.direction === 'desc' ? -c : c;
}

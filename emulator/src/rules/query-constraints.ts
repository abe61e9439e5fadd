/**
 * Turns a StructuredQuery (proto3 JSON) into what rules can know about the documents it
 * returns. The filter is put in disjunctive normal form: `in` and `array-contains-any` become
 * one alternative per value, OR one alternative per branch. Each alternative (a conjunction)
 * yields a symbolic `resource`: fields fixed by `==` are concrete values, fields restricted by
 * range, `!=`, `not-in` or `array-contains` are `unknown` with those facts, all others are
 * plain `unknown`. A list is allowed only if the rules hold for every alternative.
 *
 * Cursors (startAt/endAt) only narrow the result set further and are ignored, which is safe.
 */
import type { Bound, FieldConstraint } from './constraint-types.js';
import { RulesRequestError } from './errors.js';
import { compareValues, float, int, map, mapOf, NULL, str, UNKNOWN, type MapV, type SymMapV, type Value } from './values.js';
import { type ResourceName, type WireValue, wireToValue } from './wire.js';

export interface FieldReferenceJson {
  fieldPath?: string;
}

export interface FilterJson {
  compositeFilter?: { op?: string; filters?: FilterJson[] };
  fieldFilter?: { field?: FieldReferenceJson; op?: string; value?: WireValue };
  unaryFilter?: { op?: string; field?: FieldReferenceJson };
}

export interface StructuredQueryJson {
  from?: { collectionId?: string; allDescendants?: boolean }[];
  where?: FilterJson;
  orderBy?: { field?: FieldReferenceJson; direction?: string }[];
  limit?: number | string | { value?: number | string };
  offset?: number | string;
  [other: string]: unknown;
}

/** Firestore itself caps a query at 30 disjunctions; this leaves headroom and bounds work. */
export const MAX_DISJUNCTS = 128;

export class QueryTooComplexError extends Error {
  override readonly name = 'QueryTooComplexError';
}

interface Atom {
  readonly field: readonly string[];
  readonly op: string;
  readonly value: Value;
}

/** Parses `a.b`, `` `odd.name`.c `` into segments. */
export function parseFieldPath(text: string): string[] {
  const segs: string[] = [];
  let i = 0;
  while (i < text.length) {
    let seg = '';
    if (text[i] === '`') {
      i++;
      while (i < text.length && text[i] !== '`') {
        if (text[i] === '\\') i++;
        seg += text[i] ?? '';
        i++;
      }
      if (text[i] !== '`') throw new RulesRequestError(`unterminated backtick in field path ${JSON.stringify(text)}`);
      i++;
    } else {
      while (i < text.length && text[i] !== '.') seg += text[i++];
    }
    if (seg === '') throw new RulesRequestError(`empty segment in field path ${JSON.stringify(text)}`);
    segs.push(seg);
    if (i < text.length) {
      if (text[i] !== '.') throw new RulesRequestError(`malformed field path ${JSON.stringify(text)}`);
      i++;
    }
  }
  if (segs.length === 0) throw new RulesRequestError('empty field path');
  return segs;
}

function fieldOf(ref: FieldReferenceJson | undefined): string[] {
  if (!ref?.fieldPath) throw new RulesRequestError('filter without a field path');
  return parseFieldPath(ref.fieldPath);
}

function cross(a: readonly Atom[][], b: readonly Atom[][]): Atom[][] {
  const out: Atom[][] = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  if (out.length > MAX_DISJUNCTS) throw new QueryTooComplexError(`the query expands to more than ${MAX_DISJUNCTS} disjunctions`);
  return out;
}

function listValues(v: Value, op: string): readonly Value[] {
  if (v.t !== 'list') throw new RulesRequestError(`${op} filter needs an array value`);
  return v.v;
}

/** The filter as OR-of-ANDs of atomic conditions. */
function toDnf(f: FilterJson): Atom[][] {
  if (f.compositeFilter) {
    const parts = (f.compositeFilter.filters ?? []).map(toDnf);
    if (f.compositeFilter.op === 'OR') {
      const out = parts.flat();
      if (out.length > MAX_DISJUNCTS) throw new QueryTooComplexError(`the query has more than ${MAX_DISJUNCTS} disjunctions`);
      return out;
    }
    if (f.compositeFilter.op !== 'AND' && f.compositeFilter.op !== undefined) {
      throw new RulesRequestError(`unknown composite filter operator ${String(f.compositeFilter.op)}`);
    }
    return parts.reduce<Atom[][]>((acc, p) => cross(acc, p), [[]]);
  }
  if (f.fieldFilter) {
    const field = fieldOf(f.fieldFilter.field);
    const op = f.fieldFilter.op ?? '';
    if (!f.fieldFilter.value) throw new RulesRequestError(`${op} filter without a value`);
    const value = wireToValue(f.fieldFilter.value);
    if (op === 'IN') return listValues(value, op).map((v) => [{ field, op: 'EQUAL', value: v }]);
    if (op === 'ARRAY_CONTAINS_ANY') return listValues(value, op).map((v) => [{ field, op: 'ARRAY_CONTAINS', value: v }]);
    return [[{ field, op, value }]];
  }
  if (f.unaryFilter) {
    const field = fieldOf(f.unaryFilter.field);
    switch (f.unaryFilter.op) {
      case 'IS_NULL':
        return [[{ field, op: 'EQUAL', value: NULL }]];
      case 'IS_NAN':
        return [[{ field, op: 'EQUAL', value: float(NaN) }]];
      case 'IS_NOT_NULL':
        return [[{ field, op: 'NOT_EQUAL', value: NULL }]];
      case 'IS_NOT_NAN':
        return [[{ field, op: 'NOT_EQUAL', value: float(NaN) }]];
      default:
        throw new RulesRequestError(`unknown unary filter operator ${String(f.unaryFilter.op)}`);
    }
  }
  return [[]];
}

interface MutableConstraint {
  eq?: Value;
  lower?: Bound;
  upper?: Bound;
  notEqual: Value[];
  contains: Value[];
  exists: boolean;
}

/** Keeps the tighter of two bounds when they are comparable, else the first. */
function tighter(a: Bound | undefined, b: Bound, pickGreater: boolean): Bound {
  if (!a) return b;
  const c = compareValues(b.value, a.value);
  if (c === undefined || Number.isNaN(c)) return a;
  if (c === 0) return a.inclusive ? b : a;
  return (c > 0) === pickGreater ? b : a;
}

const SEP = '\u0000';

/** One conjunction of the query's filter: what every document it returns satisfies. */
export class Conjunct {
  private readonly fields = new Map<string, MutableConstraint>();
  /** Set when `__name__ == ref` fixes the document. */
  documentName: ResourceName | undefined;

  constructor(atoms: readonly Atom[]) {
    for (const a of atoms) this.add(a);
  }

  private add(a: Atom): void {
    if (a.field.length === 1 && a.field[0] === '__name__') {
      if (a.op === 'EQUAL' && a.value.t === 'path' && this.documentName === undefined) {
        const segs = a.value.segs.filter((s): s is string => typeof s === 'string');
        if (segs.length >= 3) this.documentName = { project: '', database: segs[1] as string, segments: segs.slice(3) };
      }
      return; // other constraints on the id are not used
    }
    const key = a.field.join(SEP);
    const c = this.fields.get(key) ?? { notEqual: [], contains: [], exists: false };
    this.fields.set(key, c);
    const v = a.value;
    switch (a.op) {
      case 'EQUAL':
        c.eq ??= v;
        return;
      case 'NOT_EQUAL':
        c.notEqual.push(v);
        c.exists = true;
        return;
      case 'NOT_IN':
        c.notEqual.push(...listValues(v, a.op));
        c.exists = true;
        return;
      case 'ARRAY_CONTAINS':
        c.contains.push(v);
        c.exists = true;
        return;
      case 'LESS_THAN':
      case 'LESS_THAN_OR_EQUAL':
        c.upper = tighter(c.upper, { value: v, inclusive: a.op === 'LESS_THAN_OR_EQUAL' }, false);
        c.exists = true;
        return;
      case 'GREATER_THAN':
      case 'GREATER_THAN_OR_EQUAL':
        c.lower = tighter(c.lower, { value: v, inclusive: a.op === 'GREATER_THAN_OR_EQUAL' }, true);
        c.exists = true;
        return;
      default:
        throw new RulesRequestError(`unknown field filter operator ${a.op}`);
    }
  }

  private constraintFor(key: string): FieldConstraint | undefined {
    const c = this.fields.get(key);
    if (!c) return undefined;
    const { lower, upper, notEqual, contains, exists } = c;
    return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}), notEqual, contains, exists };
  }

  private hasNested(prefix: string): boolean {
    for (const k of this.fields.keys()) if (k.startsWith(prefix + SEP)) return true;
    return false;
  }

  /** True when the query guarantees the field exists (directly or through a nested field). */
  private guaranteesField(key: string): boolean {
    const c = this.fields.get(key);
    if (c && (c.eq !== undefined || c.exists)) return true;
    for (const [k, nested] of this.fields) {
      if (k.startsWith(key + SEP) && (nested.eq !== undefined || nested.exists)) return true;
    }
    return false;
  }

  /** The document's data (or a nested map of it) as far as the query fixes it. */
  dataMap(prefix: readonly string[] = []): SymMapV {
    return {
      t: 'symmap',
      field: (name: string): Value => {
        const key = [...prefix, name].join(SEP);
        const eq = this.fields.get(key)?.eq;
        if (eq !== undefined) return eq;
        if (this.hasNested(key)) return this.dataMap([...prefix, name]);
        const c = this.constraintFor(key);
        return c ? { t: 'unknown', c } : UNKNOWN;
      },
      has: (name: string): boolean | undefined => (this.guaranteesField([...prefix, name].join(SEP)) ? true : undefined),
    };
  }
}

export interface ParsedQuery {
  readonly collectionId: string;
  readonly allDescendants: boolean;
  readonly conjuncts: readonly Conjunct[];
  /** `request.query`: limit, offset and orderBy when the query has them. */
  readonly requestQuery: MapV;
}

function intField(v: unknown, what: string): bigint | undefined {
  const raw = v !== null && typeof v === 'object' ? (v as { value?: unknown }).value : v;
  if (raw === undefined || raw === null) return undefined;
  if ((typeof raw === 'number' && Number.isInteger(raw)) || (typeof raw === 'string' && /^-?\d+$/.test(raw))) return BigInt(raw);
  throw new RulesRequestError(`query ${what} must be an integer`);
}

export function parseStructuredQuery(q: StructuredQueryJson): ParsedQuery {
  const from = q.from ?? [];
  if (from.length !== 1 || !from[0]?.collectionId) {
    throw new RulesRequestError('a list query needs exactly one `from` collection selector with a collectionId');
  }
  const conjuncts = (q.where ? toDnf(q.where) : [[]]).map((atoms) => new Conjunct(atoms));
  const props = new Map<string, Value>();
  const limit = intField(q.limit, 'limit');
  if (limit !== undefined) props.set('limit', int(limit));
  const offset = intField(q.offset, 'offset');
  if (offset !== undefined) props.set('offset', int(offset));
  const orders = new Map<string, Value>();
  for (const o of q.orderBy ?? []) {
    const fp = o.field?.fieldPath;
    if (!fp || fp === '__name__') continue;
    orders.set(fp, str(o.direction === 'DESCENDING' ? 'DESC' : 'ASC'));
  }
  if (orders.size > 0) props.set('orderBy', map(orders));
  return {
    collectionId: from[0].collectionId,
    allDescendants: from[0].allDescendants === true,
    conjuncts,
    requestQuery: map(props),
  };
}

/** `resource` for one alternative of a list query. */
export function symbolicResource(c: Conjunct, documentName: ResourceName | undefined): Value {
  const data = c.dataMap();
  if (!documentName) return mapOf({ data, id: UNKNOWN, __name__: UNKNOWN });
  const segs = ['databases', documentName.database, 'documents', ...documentName.segments];
  return mapOf({
    data,
    id: str(documentName.segments[documentName.segments.length - 1] ?? ''),
    __name__: { t: 'path', segs },
  });
}

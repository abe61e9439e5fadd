import type { FieldPath, Value } from '../model/index.js';
import {
  comparePaths,
  fieldPathKey,
  invalidArgument,
  isDocumentIdPath,
  normalizeListOperand,
  normalizeValue,
  parseFieldPath,
  validateSegment,
  vectorOf,
} from '../model/index.js';
import type { Cursor, FieldOp, Filter, FindNearest, Order, Query, UnaryOp } from './model.js';
import { INEQUALITY_OPS, flattenFilters } from './model.js';

/** Firestore's limits. */
export const MAX_DISJUNCTIONS = 30;
export const MAX_IN_VALUES = 30;
export const MAX_NOT_IN_VALUES = 10;
export const MAX_VECTOR_LIMIT = 1000;
export const MAX_VECTOR_DIMENSION = 2048;

type Json = Record<string, unknown>;

const FIELD_OPS = new Set<string>([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'EQUAL',
  'NOT_EQUAL',
  'ARRAY_CONTAINS',
  'IN',
  'ARRAY_CONTAINS_ANY',
  'NOT_IN',
]);
const UNARY_OPS = new Set<string>(['IS_NAN', 'IS_NULL', 'IS_NOT_NAN', 'IS_NOT_NULL']);

const obj = (v: unknown, what: string): Json => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(`Invalid ${what}.`);
  return v as Json;
};

function fieldRef(v: unknown, what: string): FieldPath {
  const ref = obj(v, what);
  if (typeof ref.fieldPath !== 'string') throw invalidArgument(`Invalid ${what}: missing field path.`);
  return parseFieldPath(ref.fieldPath);
}

function int32(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'object' ? Number((v as { value?: unknown }).value ?? 0) : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw invalidArgument(`Invalid ${what}: ${String(n)} must be a non-negative 32-bit integer.`);
  return n;
}

/** Parses and validates a `StructuredQuery` whose parent is `parentPath`. */
export function parseStructuredQuery(json: unknown, parentPath: string): Query {
  const q = obj(json, 'structured query');
  const from = q.from;
  if (!Array.isArray(from) || from.length !== 1) throw invalidArgument('A query must have exactly one collection selector (from).');
  const sel = obj(from[0], 'collection selector');
  const collectionId = sel.collectionId;
  const allDescendants = sel.allDescendants === true;
  if (typeof collectionId !== 'string' || collectionId === '') {
    if (!allDescendants) throw invalidArgument('Invalid collection selector: missing collection id.');
  } else validateSegment(collectionId);

  const filter = q.where === undefined || q.where === null ? undefined : parseFilter(q.where, 0);
  validateFilters(filter);

  const explicit: Order[] = [];
  if (q.orderBy !== undefined) {
    if (!Array.isArray(q.orderBy)) throw invalidArgument('Invalid orderBy.');
    for (const o of q.orderBy) {
      const order = obj(o, 'order');
      const path = fieldRef(order.field, 'order field');
      const dir = order.direction ?? 'ASCENDING';
      if (dir !== 'ASCENDING' && dir !== 'DESCENDING' && dir !== 'DIRECTION_UNSPECIFIED' && dir !== 1 && dir !== 2 && dir !== 0) {
        throw invalidArgument(`Invalid order direction: ${String(dir)}.`);
      }
      if (explicit.some((e) => fieldPathKey(e.path) === fieldPathKey(path))) {
        throw invalidArgument(`Invalid query: order by "${fieldPathKey(path)}" is specified more than once.`);
      }
      explicit.push({ path, desc: dir === 'DESCENDING' || dir === 2 });
    }
  }
  const orderBy = normalizeOrderBy(explicit, filter);

  const startAt = parseCursor(q.startAt, orderBy, 'startAt');
  const endAt = parseCursor(q.endAt, orderBy, 'endAt');
  const offset = int32(q.offset, 'offset') ?? 0;
  const limit = int32(q.limit, 'limit');

  let select: FieldPath[] | undefined;
  if (q.select !== undefined && q.select !== null) {
    const fields = obj(q.select, 'projection').fields ?? [];
    if (!Array.isArray(fields)) throw invalidArgument('Invalid projection.');
    select = fields.map((f) => fieldRef(f, 'projection field')).filter((p) => !isDocumentIdPath(p));
  }

  const findNearest = q.findNearest ? parseFindNearest(q.findNearest) : undefined;
  if (findNearest && explicit.length > 0) {
    throw invalidArgument('A findNearest (vector search) query cannot also specify orderBy.');
  }
  if (findNearest && (startAt || endAt)) throw invalidArgument('A findNearest (vector search) query cannot use cursors.');

  return {
    parentPath,
    collectionId: typeof collectionId === 'string' ? collectionId : '',
    allDescendants,
    filter,
    orderBy,
    explicitOrderCount: explicit.length,
    startAt,
    endAt,
    offset,
    limit,
    select,
    findNearest,
  };
}

function parseFilter(json: unknown, depth: number): Filter | undefined {
  if (depth > 50) throw invalidArgument('Invalid filter: nested too deeply.');
  const f = obj(json, 'filter');
  if (f.compositeFilter) {
    const c = obj(f.compositeFilter, 'composite filter');
    const op = c.op;
    if (op !== 'AND' && op !== 'OR') throw invalidArgument(`Invalid composite filter operator: ${String(op)}.`);
    const list = c.filters ?? [];
    if (!Array.isArray(list)) throw invalidArgument('Invalid composite filter.');
    const filters = list.map((x) => parseFilter(x, depth + 1)).filter((x): x is Filter => x !== undefined);
    if (filters.length === 0) return undefined;
    if (filters.length === 1) return filters[0];
    return { kind: 'composite', op, filters };
  }
  if (f.fieldFilter) {
    const ff = obj(f.fieldFilter, 'field filter');
    const path = fieldRef(ff.field, 'filter field');
    const op = String(ff.op);
    if (!FIELD_OPS.has(op)) throw invalidArgument(`Invalid field filter operator: ${op}.`);
    if (ff.value === undefined) throw invalidArgument('Invalid field filter: missing value.');
    // Only in / not-in take arrays as list elements (the SDKs allow them there and nowhere
    // else; array-contains-any could never match one, stored arrays hold no arrays).
    const value = op === 'IN' || op === 'NOT_IN' ? normalizeListOperand(ff.value) : normalizeValue(ff.value);
    return { kind: 'field', path, op: op as FieldOp, value };
  }
  if (f.unaryFilter) {
    const uf = obj(f.unaryFilter, 'unary filter');
    const op = String(uf.op);
    if (!UNARY_OPS.has(op)) throw invalidArgument(`Invalid unary filter operator: ${op}.`);
    return { kind: 'unary', path: fieldRef(uf.field, 'filter field'), op: op as UnaryOp };
  }
  throw invalidArgument('Invalid filter: it must be a composite, field or unary filter.');
}

function validateFilters(filter: Filter | undefined): void {
  const flat = flattenFilters(filter);
  let notIn = 0;
  let notEqual = 0;
  let disjunctive = 0;
  for (const f of flat) {
    if (f.kind !== 'field') continue;
    const { op, value } = f;
    if (op === 'IN' || op === 'NOT_IN' || op === 'ARRAY_CONTAINS_ANY') {
      if (!('arrayValue' in value)) throw invalidArgument(`Invalid query. A non-empty array is required for '${op}' filters.`);
      const n = value.arrayValue.values?.length ?? 0;
      if (n === 0) throw invalidArgument(`Invalid query. A non-empty array is required for '${op}' filters.`);
      const max = op === 'NOT_IN' ? MAX_NOT_IN_VALUES : MAX_IN_VALUES;
      if (n > max) throw invalidArgument(`Invalid query. '${op}' filters support a maximum of ${max} elements in the value array.`);
    }
    if (isDocumentIdPath(f.path)) validateKeyFilterValue(op, value);
    if (op === 'NOT_IN') notIn++;
    if (op === 'NOT_EQUAL') notEqual++;
    if (op === 'IN' || op === 'ARRAY_CONTAINS_ANY') disjunctive++;
  }
  if (notIn > 1) throw invalidArgument("Invalid query. You cannot use more than one 'NOT_IN' filter.");
  if (notIn > 0 && notEqual > 0) throw invalidArgument("Invalid query. You cannot use 'NOT_IN' filters with 'NOT_EQUAL' filters.");
  // Google's emulator serves not-in inside OR queries (the js-sdk's emulator-only OR tests
  // rely on it); not-in with in / array-contains-any stays refused as in production.
  if (notIn > 0 && disjunctive > 0) {
    throw invalidArgument("Invalid query. You cannot use 'NOT_IN' filters with 'IN' or 'ARRAY_CONTAINS_ANY' filters.");
  }
  const keyEquality = flat.some((f) => f.kind === 'field' && f.op === 'EQUAL' && isDocumentIdPath(f.path));
  const inequalityPaths = flat.filter((f) => f.kind === 'field' && INEQUALITY_OPS.has(f.op)).map((f) => f.path);
  if (keyEquality && inequalityPaths.length > 0 && !inequalityPaths.some(isDocumentIdPath)) {
    throw invalidArgument('Equality on key is not allowed if there are other inequality fields and key does not appear in inequalities.');
  }
  const terms = dnfSize(filter);
  if (terms > MAX_DISJUNCTIONS) {
    throw invalidArgument(`Invalid query. The query contains ${terms} disjunctions after conversion to disjunctive normal form; the maximum is ${MAX_DISJUNCTIONS}.`);
  }
  // Firestore: at most one array-contains or array-contains-any per disjunction, so
  // `or(a array-contains-any [1], b array-contains-any [2])` is fine, `a ∋ 1 and b ∋ 2` is not.
  for (const conjunction of disjuncts(filter)) {
    const arrayOps = conjunction.filter((f) => f.kind === 'field' && (f.op === 'ARRAY_CONTAINS' || f.op === 'ARRAY_CONTAINS_ANY'));
    if (arrayOps.length > 1) {
      throw invalidArgument("Invalid query. You cannot use more than one 'ARRAY_CONTAINS' or 'ARRAY_CONTAINS_ANY' filter in a disjunction.");
    }
  }
}

type Leaf = Exclude<Filter, { kind: 'composite' }>;

/** The conjunctions of the filter's disjunctive normal form (IN not expanded). */
function disjuncts(filter: Filter | undefined): Leaf[][] {
  if (!filter) return [[]];
  if (filter.kind !== 'composite') return [[filter]];
  if (filter.op === 'OR') return filter.filters.flatMap(disjuncts);
  let acc: Leaf[][] = [[]];
  for (const f of filter.filters) {
    const next = disjuncts(f);
    acc = acc.flatMap((a) => next.map((n) => [...a, ...n]));
  }
  return acc;
}

/** Number of conjunctions in the disjunctive normal form (IN counts one per value). */
function dnfSize(filter: Filter | undefined): number {
  if (!filter) return 1;
  if (filter.kind === 'unary') return 1;
  if (filter.kind === 'field') {
    return filter.op === 'IN' || filter.op === 'ARRAY_CONTAINS_ANY' ? Math.max(1, (filter.value as { arrayValue: { values?: Value[] } }).arrayValue.values?.length ?? 1) : 1;
  }
  if (filter.op === 'OR') return filter.filters.reduce((s, f) => s + dnfSize(f), 0);
  return filter.filters.reduce((p, f) => Math.min(p * dnfSize(f), 10_000), 1);
}

function validateKeyFilterValue(op: FieldOp, value: Value): void {
  const isRef = (v: Value): boolean => 'referenceValue' in v;
  if (op === 'ARRAY_CONTAINS' || op === 'ARRAY_CONTAINS_ANY') {
    throw invalidArgument(`Invalid query. '${op}' filters cannot be used on __name__.`);
  }
  if (op === 'IN' || op === 'NOT_IN') {
    for (const v of (value as { arrayValue: { values?: Value[] } }).arrayValue.values ?? []) {
      if (!isRef(v)) throw invalidArgument(`Invalid query. __name__ '${op}' filter values must be document references.`);
    }
  } else if (!isRef(value)) {
    throw invalidArgument('Invalid query. __name__ filters require a document reference value.');
  }
}

/** Explicit orders, then inequality fields (lexicographic) in the last direction, then __name__. */
export function normalizeOrderBy(explicit: readonly Order[], filter: Filter | undefined): Order[] {
  const result = [...explicit];
  const seen = new Set(explicit.map((o) => fieldPathKey(o.path)));
  const lastDesc = explicit.length ? explicit[explicit.length - 1]!.desc : false;
  const inequalities: FieldPath[] = [];
  for (const f of flattenFilters(filter)) {
    if (f.kind === 'field' && INEQUALITY_OPS.has(f.op) && !isDocumentIdPath(f.path) && !seen.has(fieldPathKey(f.path))) {
      if (!inequalities.some((p) => fieldPathKey(p) === fieldPathKey(f.path))) inequalities.push(f.path);
    }
  }
  inequalities.sort(comparePaths);
  for (const path of inequalities) {
    result.push({ path, desc: lastDesc });
    seen.add(fieldPathKey(path));
  }
  if (!seen.has('__name__')) result.push({ path: ['__name__'], desc: lastDesc });
  const key = result.findIndex((o) => isDocumentIdPath(o.path));
  if (key !== result.length - 1) {
    // e.g. `where(a != 1) orderBy(__name__)`: the implicit order on `a` would follow the key.
    throw invalidArgument('Invalid query: order by clause cannot contain more fields after the key __name__.');
  }
  return result;
}

function parseCursor(json: unknown, orderBy: readonly Order[], what: string): Cursor | undefined {
  if (json === undefined || json === null) return undefined;
  const c = obj(json, what);
  const raw = c.values ?? [];
  if (!Array.isArray(raw)) throw invalidArgument(`Invalid ${what} cursor.`);
  if (raw.length > orderBy.length) {
    throw invalidArgument('Too many cursor values specified. The specified values must match the orderBy() constraints of the query.');
  }
  const values = raw.map((v) => normalizeValue(v));
  values.forEach((v, i) => {
    if (isDocumentIdPath(orderBy[i]!.path) && !('referenceValue' in v)) {
      throw invalidArgument('Invalid query. A cursor value for __name__ must be a document reference.');
    }
  });
  return { values, before: c.before === true };
}

function parseFindNearest(json: unknown): FindNearest {
  const f = obj(json, 'findNearest');
  const path = fieldRef(f.vectorField, 'findNearest vector field');
  const queryVector = vectorOf(f.queryVector === undefined ? undefined : normalizeValue(f.queryVector));
  if (!queryVector) throw invalidArgument('findNearest.queryVector must be a vector value.');
  if (queryVector.length === 0 || queryVector.length > MAX_VECTOR_DIMENSION) {
    throw invalidArgument(`findNearest.queryVector must have between 1 and ${MAX_VECTOR_DIMENSION} dimensions.`);
  }
  const measure = f.distanceMeasure;
  if (measure !== 'EUCLIDEAN' && measure !== 'COSINE' && measure !== 'DOT_PRODUCT') {
    throw invalidArgument('findNearest.distanceMeasure must be EUCLIDEAN, COSINE or DOT_PRODUCT.');
  }
  const limit = int32(f.limit, 'findNearest.limit');
  if (limit === undefined || limit < 1 || limit > MAX_VECTOR_LIMIT) {
    throw invalidArgument(`findNearest.limit must be between 1 and ${MAX_VECTOR_LIMIT}.`);
  }
  const result: FindNearest = { path, queryVector, measure, limit };
  if (typeof f.distanceResultField === 'string' && f.distanceResultField !== '') {
    result.distanceResultField = parseFieldPath(f.distanceResultField);
  }
  if (f.distanceThreshold !== undefined && f.distanceThreshold !== null) {
    const t = typeof f.distanceThreshold === 'object' ? (f.distanceThreshold as { value?: unknown }).value : f.distanceThreshold;
    const n = Number(t ?? 0);
    if (Number.isNaN(n)) throw invalidArgument('findNearest.distanceThreshold must be a number.');
    result.distanceThreshold = n;
  }
  return result;
}

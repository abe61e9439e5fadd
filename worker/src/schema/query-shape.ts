import type { CollectionKey } from './names.js';

/**
 * Query shapes: which fields a query filters (and how) and orders by, without the values.
 * The shape alone decides which index Firestore needs, so every query the product runs is
 * built from a registered shape (`queries.ts`) and one test checks that
 * `firestore.indexes.json` declares an index for each shape that needs a composite one.
 */
export type QueryOp = '==' | 'in' | '!=' | 'not-in' | '<' | '<=' | '>' | '>=' | 'array-contains';

export interface FilterShape {
  readonly field: string;
  readonly op: QueryOp;
  /** Name of the value in `buildQuery`'s params (default: the field path). */
  readonly param?: string;
  /** The filter is left out when its param is undefined. */
  readonly optional?: boolean;
}

export interface OrderShape {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

/** Who runs a query: each layer builds its queries from the registry. */
export type QueryLayer = 'engine' | 'flow' | 'dashboard' | 'enduser';

export interface QueryShape<K extends CollectionKey = CollectionKey> {
  readonly collection: K;
  readonly where: readonly FilterShape[];
  readonly orderBy: readonly OrderShape[];
  readonly usedBy: readonly QueryLayer[];
}

type FilterOf<S extends QueryShape> = S['where'][number];
type ParamOf<F> = F extends { readonly param: infer P extends string } ? P : F extends { readonly field: infer N extends string } ? N : never;

/** The values a shape needs, by param name; optional filters may be omitted. */
export type ShapeParams<S extends QueryShape, V> = {
  [F in FilterOf<S> as F extends { readonly optional: true } ? never : ParamOf<F>]: V;
} & {
  [F in FilterOf<S> as F extends { readonly optional: true } ? ParamOf<F> : never]?: V | undefined;
};

/** A concrete query in plain data: the engine's store port and the dashboard's specs take this shape. */
export interface BuiltQuery<K extends CollectionKey, V> {
  collection: K;
  where: { field: string; op: QueryOp; value: V }[];
  orderBy: { field: string; direction: 'asc' | 'desc' }[];
  limit?: number;
}

/** Fills a shape with values. Throws on a missing required value (a programming error). */
export function buildQuery<S extends QueryShape, V>(
  shape: S,
  params: ShapeParams<S, V>,
  options: { limit?: number } = {},
): BuiltQuery<S['collection'], V> {
  const values = params as unknown as Record<string, V | undefined>;
  const where: BuiltQuery<S['collection'], V>['where'] = [];
  for (const f of shape.where) {
    const key = f.param ?? f.field;
    const value = values[key];
    if (value === undefined) {
      if (f.optional) continue;
      throw new Error(`query on ${shape.collection}: no value for ${key}`);
    }
    where.push({ field: f.field, op: f.op, value });
  }
  return {
    collection: shape.collection,
    where,
    orderBy: shape.orderBy.map((o) => ({ field: o.field, direction: o.direction })),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
}

// ---------- which index a query needs ----------

/** One field of a composite index, as `firestore.indexes.json` writes it. */
export type IndexField =
  | { fieldPath: string; order: 'ASCENDING' | 'DESCENDING' }
  | { fieldPath: string; arrayConfig: 'CONTAINS' };

/** The filters and order of one concrete query (values do not matter). */
export interface QueryFootprint {
  collection: CollectionKey;
  where: readonly { field: string; op: QueryOp }[];
  orderBy: readonly { field: string; direction?: 'asc' | 'desc' }[];
}

const EQUALITY: readonly QueryOp[] = ['==', 'in'];
const INEQUALITY: readonly QueryOp[] = ['!=', 'not-in', '<', '<=', '>', '>='];
const order = (direction: 'asc' | 'desc' | undefined): 'ASCENDING' | 'DESCENDING' => (direction === 'desc' ? 'DESCENDING' : 'ASCENDING');

/** What a query needs from a composite index. */
export interface IndexRequirement {
  collection: CollectionKey;
  /** Fields under `==` / `in`: the index's leading fields, in any order and direction. */
  equality: string[];
  /** Fields under `array-contains`: next, as `arrayConfig: CONTAINS`. */
  contains: string[];
  /** Then exactly these fields in this order and direction. */
  sort: { fieldPath: string; order: 'ASCENDING' | 'DESCENDING' }[];
}

/**
 * The composite index Firestore needs for a query, or null when its automatic single-field
 * indexes serve it. Firestore's rules: equality filters (`==`, `in`) come first in any order,
 * then `array-contains`, then the sort order: the explicit `orderBy`, followed by inequality
 * fields it does not name (lexicographic, in the direction of the last `orderBy`). A single
 * field (one filter or one order, or an inequality ordered on its own field) needs no
 * composite index. Deliberately strict: several equality filters without an order could be
 * served by merging single-field indexes, but merging is slow on large collections, so a
 * composite index is required for them too.
 */
export function requiredIndex(q: QueryFootprint): IndexRequirement | null {
  const equality = [...new Set(q.where.filter((f) => EQUALITY.includes(f.op)).map((f) => f.field))].sort();
  const contains = [...new Set(q.where.filter((f) => f.op === 'array-contains').map((f) => f.field))].sort();
  const explicit = q.orderBy.filter((o) => !equality.includes(o.field));
  const lastDirection = explicit.at(-1)?.direction;
  const inequality = [...new Set(q.where.filter((f) => INEQUALITY.includes(f.op)).map((f) => f.field))]
    .filter((f) => !explicit.some((o) => o.field === f))
    .sort();
  const sort = [
    ...explicit.map((o) => ({ fieldPath: o.field, order: order(o.direction) })),
    ...inequality.map((fieldPath) => ({ fieldPath, order: order(lastDirection) })),
  ];
  if (equality.length + contains.length + sort.length <= 1) return null;
  return { collection: q.collection, equality, contains, sort };
}

/** The requirement as `firestore.indexes.json` fields (equality fields ascending, by name). */
export function indexFields(req: IndexRequirement): IndexField[] {
  return [
    ...req.equality.map((fieldPath) => ({ fieldPath, order: 'ASCENDING' as const })),
    ...req.contains.map((fieldPath) => ({ fieldPath, arrayConfig: 'CONTAINS' as const })),
    ...req.sort,
  ];
}

/** Whether a declared index (its fields, `__name__` ignored) serves a requirement. */
export function indexServes(declared: readonly IndexField[], req: IndexRequirement): boolean {
  const fields = declared.filter((f) => f.fieldPath !== '__name__');
  if (fields.length !== req.equality.length + req.contains.length + req.sort.length) return false;
  const eq = fields.slice(0, req.equality.length);
  const contains = fields.slice(req.equality.length, req.equality.length + req.contains.length);
  const sort = fields.slice(req.equality.length + req.contains.length);
  const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');
  return (
    eq.every((f) => 'order' in f) &&
    sameSet(eq.map((f) => f.fieldPath), req.equality) &&
    contains.every((f) => 'arrayConfig' in f) &&
    sameSet(contains.map((f) => f.fieldPath), req.contains) &&
    sort.every((f, i) => 'order' in f && f.fieldPath === req.sort[i]!.fieldPath && f.order === req.sort[i]!.order)
  );
}

import { buildQuery, type CollectionKey, type QueryShape, type ShapeParams } from '@fq/worker/schema';
import { UnsupportedQueryError } from './errors';

/**
 * Backend-neutral descriptions of what to read. They are plain JSON, so they double as
 * TanStack Query keys, and both the Firestore adapter and test fakes can interpret them.
 */
export type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not-in' | 'array-contains';
/** Times in documents are Firestore timestamps: filter on them with `{ timeMs }`. */
export type FilterValue = string | number | boolean | null | { timeMs: number } | readonly FilterValue[];

export interface FieldFilter {
  field: string;
  op: FilterOp;
  value: FilterValue;
}

export interface OrderBy {
  field: string;
  direction: 'asc' | 'desc';
}

export interface DocSpec<K extends CollectionKey = CollectionKey> {
  kind: 'doc';
  collection: K;
  id: string;
}

export interface QuerySpec<K extends CollectionKey = CollectionKey> {
  kind: 'query';
  collection: K;
  where: readonly FieldFilter[];
  orderBy: readonly OrderBy[];
  /** Mandatory: the console never opens an unbounded listener or read. */
  limit: number;
}

export const MAX_QUERY_LIMIT = 500;

export function docSpec<K extends CollectionKey>(collection: K, id: string): DocSpec<K> {
  return { kind: 'doc', collection, id };
}

export function querySpec<K extends CollectionKey>(
  collection: K,
  opts: { where?: readonly FieldFilter[]; orderBy?: readonly OrderBy[]; limit: number },
): QuerySpec<K> {
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > MAX_QUERY_LIMIT) {
    throw new RangeError(`query limit must be an integer in 1..${MAX_QUERY_LIMIT}, got ${opts.limit}`);
  }
  for (const f of opts.where ?? []) {
    if (f.op === 'in' && Array.isArray(f.value) && f.value.includes(null)) {
      throw new UnsupportedQueryError(`${collection}: '${f.field} in [...]' with null (use '==' null for stored nulls)`);
    }
  }
  return { kind: 'query', collection, where: opts.where ?? [], orderBy: opts.orderBy ?? [], limit: opts.limit };
}

/**
 * A query from a registered shape (`QUERIES` in `@fq/worker/schema`): how the console and the
 * end-user hook make every query, so `firestore.indexes.json` is checked against all of them.
 */
export function specOf<S extends QueryShape>(shape: S, params: ShapeParams<S, FilterValue>, limit: number): QuerySpec<S['collection']> {
  const built = buildQuery(shape, params);
  return querySpec(shape.collection, { where: built.where, orderBy: built.orderBy, limit });
}

export function where(field: string, op: FilterOp, value: FilterValue): FieldFilter {
  return { field, op, value };
}

export function at(timeMs: number): { timeMs: number } {
  return { timeMs };
}

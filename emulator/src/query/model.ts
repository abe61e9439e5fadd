import type { FieldPath, Value } from '../model/index.js';
import type { DistanceMeasure } from '../model/index.js';

export type FieldOp =
  | 'LESS_THAN'
  | 'LESS_THAN_OR_EQUAL'
  | 'GREATER_THAN'
  | 'GREATER_THAN_OR_EQUAL'
  | 'EQUAL'
  | 'NOT_EQUAL'
  | 'ARRAY_CONTAINS'
  | 'IN'
  | 'ARRAY_CONTAINS_ANY'
  | 'NOT_IN';

export type UnaryOp = 'IS_NAN' | 'IS_NULL' | 'IS_NOT_NAN' | 'IS_NOT_NULL';

export type Filter =
  | { kind: 'composite'; op: 'AND' | 'OR'; filters: Filter[] }
  | { kind: 'field'; path: FieldPath; op: FieldOp; value: Value }
  | { kind: 'unary'; path: FieldPath; op: UnaryOp };

export interface Order {
  path: FieldPath;
  desc: boolean;
}

export interface Cursor {
  values: Value[];
  before: boolean;
}

export interface FindNearest {
  path: FieldPath;
  queryVector: number[];
  measure: DistanceMeasure;
  limit: number;
  distanceResultField?: FieldPath;
  distanceThreshold?: number;
}

/** A validated StructuredQuery with Firestore's implicit ordering made explicit. */
export interface Query {
  /** Parent document path ('' = database root). */
  parentPath: string;
  collectionId: string;
  allDescendants: boolean;
  filter?: Filter;
  /** Explicit orders, then implicit inequality orders, then `__name__`. */
  orderBy: Order[];
  /** Number of orders that came from the request (the rest are implicit). */
  explicitOrderCount: number;
  startAt?: Cursor;
  endAt?: Cursor;
  offset: number;
  limit?: number;
  /** Undefined: whole documents. Empty: names only. */
  select?: FieldPath[];
  findNearest?: FindNearest;
}

export const INEQUALITY_OPS: ReadonlySet<FieldOp> = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'NOT_EQUAL',
  'NOT_IN',
]);

export function flattenFilters(filter: Filter | undefined): Array<Exclude<Filter, { kind: 'composite' }>> {
  if (!filter) return [];
  if (filter.kind !== 'composite') return [filter];
  return filter.filters.flatMap(flattenFilters);
}

/**
 * What a list query tells about one field of every document it can return. Built from the
 * query's filters (query-constraints.ts) and consulted by the symbolic operators
 * (symbolic.ts) so that `resource.data.x > 5` can be decided for a query filtered on `x > 10`.
 */
import type { Value } from './values.js';

export interface Bound {
  readonly value: Value;
  readonly inclusive: boolean;
}

export interface FieldConstraint {
  /** Lower and upper bounds from range filters. Firestore range filters only match values of
   * the bound's type, so a bound also fixes the field's type class. */
  readonly lower?: Bound;
  readonly upper?: Bound;
  /** Values the field never holds (`!=`, `not-in`). */
  readonly notEqual: readonly Value[];
  /** Values the field (an array) always contains (`array-contains`). */
  readonly contains: readonly Value[];
  /** The field is present and not null in every returned document. */
  readonly exists: boolean;
}

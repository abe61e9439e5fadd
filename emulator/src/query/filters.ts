import type { StoredDocument, Value } from '../model/index.js';
import {
  compareReferences,
  compareValues,
  getField,
  isDocumentIdPath,
  isNaNValue,
  isNullValue,
  parseDocumentName,
  typeOrder,
} from '../model/index.js';
import type { FieldOp, Filter } from './model.js';

/**
 * Filter semantics, matching the client SDKs' local query engine so that a listener and a
 * server query always agree:
 * - relational ops and `==` only match values of the same type order (1 == 1.0 matches);
 * - `!=` / `not-in` need the field to exist and not be null;
 * - `in` / `array-contains(-any)` use value equality;
 * - NaN and null are only matched through the unary filters (or `==` with the same value).
 */
export function matchesFilter(doc: StoredDocument, filter: Filter): boolean {
  switch (filter.kind) {
    case 'composite':
      return filter.op === 'AND' ? filter.filters.every((f) => matchesFilter(doc, f)) : filter.filters.some((f) => matchesFilter(doc, f));
    case 'unary': {
      const v = fieldValue(doc, filter.path);
      switch (filter.op) {
        case 'IS_NAN':
          return isNaNValue(v);
        case 'IS_NULL':
          return isNullValue(v);
        case 'IS_NOT_NAN':
          // Like `!= NaN` in the SDKs' local engine: the field must exist and not be null.
          return v !== undefined && !isNullValue(v) && !isNaNValue(v);
        case 'IS_NOT_NULL':
          return v !== undefined && !isNullValue(v);
      }
      return false;
    }
    case 'field':
      return matchesFieldFilter(fieldValue(doc, filter.path), filter.op, filter.value);
  }
}

/** The value of a field, with `__name__` as the document's reference. */
export function fieldValue(doc: StoredDocument, path: readonly string[]): Value | undefined {
  if (isDocumentIdPath(path)) return { referenceValue: doc.path };
  return getField(doc.fields, path);
}

function compareForFilter(a: Value, b: Value): number {
  // __name__ values: the document side is a relative path, the filter side a full name.
  if ('referenceValue' in a && 'referenceValue' in b) return compareReferences(relative(a.referenceValue), relative(b.referenceValue));
  return compareValues(a, b);
}

function relative(ref: string): string {
  if (!ref.startsWith('projects/')) return ref;
  try {
    return parseDocumentName(ref).path;
  } catch {
    return ref;
  }
}

function equal(a: Value, b: Value): boolean {
  return typeOrder(a) === typeOrder(b) && compareForFilter(a, b) === 0;
}

export function matchesFieldFilter(v: Value | undefined, op: FieldOp, operand: Value): boolean {
  if (v === undefined) return false;
  switch (op) {
    case 'NOT_EQUAL':
      return !isNullValue(v) && compareForFilter(v, operand) !== 0;
    case 'NOT_IN': {
      const list = (operand as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [];
      if (list.some(isNullValue)) return false;
      return !isNullValue(v) && !list.some((e) => equal(v, e));
    }
    case 'IN': {
      const list = (operand as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [];
      return list.some((e) => matchable(e) && equal(v, e));
    }
    case 'ARRAY_CONTAINS':
      return 'arrayValue' in v && typeMatchedContains(v.arrayValue.values ?? [], operand);
    case 'ARRAY_CONTAINS_ANY': {
      if (!('arrayValue' in v)) return false;
      const list = (operand as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [];
      return (v.arrayValue.values ?? []).some((e) => list.some((x) => matchable(x) && equal(e, x)));
    }
    default: {
      if (typeOrder(v) !== typeOrder(operand)) return false;
      // NaN sorts first among numbers but is outside every range: `sort <= 2` skips it.
      if (op !== 'EQUAL' && (isNaNValue(v) || isNaNValue(operand))) return false;
      const c = compareForFilter(v, operand);
      switch (op) {
        case 'LESS_THAN':
          return c < 0;
        case 'LESS_THAN_OR_EQUAL':
          return c <= 0;
        case 'GREATER_THAN':
          return c > 0;
        case 'GREATER_THAN_OR_EQUAL':
          return c >= 0;
        case 'EQUAL':
          return c === 0;
      }
      return false;
    }
  }
}

/**
 * Null and NaN in an `in` / `array-contains-any` list never match anything (Firestore's
 * backend: `in [null]` and `array-contains-any [NaN]` are empty, `in [1, null]` is `in [1]`).
 */
function matchable(v: Value): boolean {
  return !isNullValue(v) && !isNaNValue(v);
}

function typeMatchedContains(values: readonly Value[], needle: Value): boolean {
  return values.some((e) => equal(e, needle));
}

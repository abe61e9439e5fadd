import type { StoredDocument, Value } from '../model/index.js';
import { comparePathStrings, compareValues, isDocumentIdPath, parseDocumentName } from '../model/index.js';
import { fieldValue } from './filters.js';
import type { Cursor, Order, Query } from './model.js';

/** A document with its order-by values extracted once (sorting touches them often). */
export interface Keyed {
  doc: StoredDocument;
  keys: Value[];
}

/** Order-by values of a document, or undefined when it lacks an ordered field (excluded). */
export function orderKeys(doc: StoredDocument, orderBy: readonly Order[]): Value[] | undefined {
  const keys: Value[] = [];
  for (const o of orderBy) {
    const v = fieldValue(doc, o.path);
    if (v === undefined) return undefined;
    keys.push(v);
  }
  return keys;
}

function compareComponent(o: Order, a: Value, b: Value): number {
  let c: number;
  if (isDocumentIdPath(o.path)) c = comparePathStrings(refPath(a), refPath(b));
  else c = compareValues(a, b);
  return o.desc ? -c : c;
}

function refPath(v: Value): string {
  const ref = 'referenceValue' in v ? v.referenceValue : '';
  if (!ref.startsWith('projects/')) return ref;
  try {
    return parseDocumentName(ref).path;
  } catch {
    return ref;
  }
}

export function compareKeyed(orderBy: readonly Order[], a: Keyed, b: Keyed): number {
  for (let i = 0; i < orderBy.length; i++) {
    const c = compareComponent(orderBy[i]!, a.keys[i]!, b.keys[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** Compares a document's keys against a cursor's (possibly shorter) value list. */
function compareToCursor(orderBy: readonly Order[], keys: readonly Value[], cursor: Cursor): number {
  for (let i = 0; i < cursor.values.length; i++) {
    const c = compareComponent(orderBy[i]!, keys[i]!, cursor.values[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** True when the document comes at or after startAt (after, for startAfter). */
export function afterStart(q: Query, keys: readonly Value[]): boolean {
  if (!q.startAt) return true;
  const c = compareToCursor(q.orderBy, keys, q.startAt);
  return q.startAt.before ? c >= 0 : c > 0;
}

/** True when the document comes before endBefore (at or before, for endAt). */
export function beforeEnd(q: Query, keys: readonly Value[]): boolean {
  if (!q.endAt) return true;
  const c = compareToCursor(q.orderBy, keys, q.endAt);
  return q.endAt.before ? c < 0 : c <= 0;
}

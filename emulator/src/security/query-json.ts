/**
 * The service hands authorizers a validated `Query`; the rules engine reasons about the
 * proto3-JSON `StructuredQuery` a client sent. This turns one back into the other, keeping
 * only what rules can see: the collection selector, the filter, the explicit orders (the
 * implicit inequality and `__name__` orders are Firestore's, not the client's), limit and
 * offset. Cursors only narrow a result set further and are left out, as rules ignore them.
 */
import { formatFieldPath, type FieldPath } from '../model/index.js';
import type { Filter, Query } from '../query/index.js';
import type { FilterJson, StructuredQueryJson } from '../rules/index.js';

const fieldRef = (path: FieldPath): { fieldPath: string } => ({ fieldPath: formatFieldPath(path) });

export function filterToJson(filter: Filter): FilterJson {
  switch (filter.kind) {
    case 'composite':
      return { compositeFilter: { op: filter.op, filters: filter.filters.map(filterToJson) } };
    case 'field':
      return { fieldFilter: { field: fieldRef(filter.path), op: filter.op, value: filter.value } };
    case 'unary':
      return { unaryFilter: { op: filter.op, field: fieldRef(filter.path) } };
  }
}

export function queryToJson(query: Query): StructuredQueryJson {
  const out: StructuredQueryJson = {
    from: [query.allDescendants ? { collectionId: query.collectionId, allDescendants: true } : { collectionId: query.collectionId }],
  };
  if (query.filter) out.where = filterToJson(query.filter);
  const explicit = query.orderBy.slice(0, query.explicitOrderCount);
  if (explicit.length > 0) {
    out.orderBy = explicit.map((o) => ({ field: fieldRef(o.path), direction: o.desc ? 'DESCENDING' : 'ASCENDING' }));
  }
  // A vector search returns at most its own limit: that is the bound rules see.
  const limit = query.findNearest ? Math.min(query.findNearest.limit, query.limit ?? Infinity) : query.limit;
  if (limit !== undefined) out.limit = limit;
  if (query.offset > 0) out.offset = query.offset;
  return out;
}

/** A plain collection listing (ListDocuments) is a query without constraints. */
export function collectionListingJson(collectionId: string): StructuredQueryJson {
  return { from: [{ collectionId }] };
}

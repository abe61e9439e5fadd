import type { StoredDocument } from '../model/index.js';
import { comparePathStrings, distance, doubleJson, getField, setField, vectorOf } from '../model/index.js';
import { matchesFilter } from './filters.js';
import type { Query } from './model.js';
import type { QueryResult } from './evaluate.js';

/**
 * Exact (brute force) nearest-neighbour search. Documents whose vector field is missing,
 * not a vector or of another dimension are skipped. EUCLIDEAN and COSINE rank ascending
 * (a threshold keeps distances <= it); DOT_PRODUCT ranks descending (keeps >= it).
 */
export function runFindNearest(_db: unknown, q: Query, source: Iterable<StoredDocument>): QueryResult {
  const fn = q.findNearest!;
  const stats = { plan: 'vector scan', indexEntriesScanned: 0, documentsScanned: 0 };
  const scored: Array<{ doc: StoredDocument; d: number }> = [];
  for (const doc of source) {
    stats.documentsScanned++;
    if (q.filter && !matchesFilter(doc, q.filter)) continue;
    const vec = vectorOf(getField(doc.fields, fn.path));
    if (!vec || vec.length !== fn.queryVector.length) continue;
    const d = distance(fn.measure, vec, fn.queryVector);
    if (Number.isNaN(d)) continue;
    if (fn.distanceThreshold !== undefined) {
      if (fn.measure === 'DOT_PRODUCT' ? d < fn.distanceThreshold : d > fn.distanceThreshold) continue;
    }
    scored.push({ doc, d });
  }
  const sign = fn.measure === 'DOT_PRODUCT' ? -1 : 1;
  scored.sort((a, b) => sign * (a.d - b.d) || comparePathStrings(a.doc.path, b.doc.path));
  const limit = q.limit === undefined ? fn.limit : Math.min(fn.limit, q.limit);
  const docs = scored.slice(0, limit).map(({ doc, d }) => {
    if (!fn.distanceResultField) return doc;
    const fields = structuredClone(doc.fields);
    setField(fields, fn.distanceResultField, { doubleValue: doubleJson(d) });
    return { ...doc, fields };
  });
  return { docs, stats };
}

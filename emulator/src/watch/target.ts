import type { StoredDocument } from '../model/index.js';
import { parseDocumentName } from '../model/index.js';
import type { DocumentChange as StoreChange, Database } from '../store/index.js';
import type { Query } from '../query/index.js';
import { afterStart, beforeEnd, compareKeyed, joinPath, matchesFilter, orderKeys, runQuery } from '../query/index.js';

/** What a listen target watches: a query, or a fixed set of documents. */
export type TargetSpec = { kind: 'query'; query: Query } | { kind: 'documents'; paths: string[] };

/** The documents currently in a target's result set (path -> update time). */
export type ResultSet = Map<string, StoredDocument>;

export function documentPaths(names: readonly string[]): string[] {
  return names.map((n) => parseDocumentName(n).path);
}

/** The collection id a target reads from: the queried collection (group), or its first document's collection. */
export function targetCollectionId(spec: TargetSpec): string {
  if (spec.kind === 'query') return spec.query.collectionId;
  const path = spec.paths[0] ?? '';
  const segments = path.split('/');
  return segments.length >= 2 ? segments[segments.length - 2]! : '';
}

/** The target's results at `readTime` (latest when undefined). */
export function evaluateTarget(db: Database, spec: TargetSpec, readTime?: bigint): ResultSet {
  const out: ResultSet = new Map();
  if (spec.kind === 'documents') {
    for (const path of spec.paths) {
      const doc = db.get(path, readTime);
      if (doc) out.set(path, doc);
    }
    return out;
  }
  for (const doc of runQuery(db, spec.query, { readTime }).docs) out.set(doc.path, doc);
  return out;
}

/** Whether a committed change can affect the target at all (cheap pre-check). */
export function touches(spec: TargetSpec, change: StoreChange): boolean {
  if (spec.kind === 'documents') return spec.paths.includes(change.path);
  const q = spec.query;
  if (!q.allDescendants) return change.collectionPath === joinPath(q.parentPath, q.collectionId);
  if (q.parentPath !== '' && !change.collectionPath.startsWith(q.parentPath + '/')) return false;
  if (q.collectionId === '') return true;
  const i = change.collectionPath.lastIndexOf('/');
  return change.collectionPath.slice(i + 1) === q.collectionId;
}

/** Whether a document belongs to an unlimited query's results. */
export function matchesQuery(q: Query, doc: StoredDocument): boolean {
  if (q.filter && !matchesFilter(doc, q.filter)) return false;
  const keys = orderKeys(doc, q.orderBy);
  return keys !== undefined && afterStart(q, keys) && beforeEnd(q, keys);
}

/** Queries whose results depend on other documents (a window) need full re-evaluation. */
export function needsRecompute(spec: TargetSpec): boolean {
  return spec.kind === 'query' && (spec.query.limit !== undefined || spec.query.offset > 0 || spec.query.findNearest !== undefined);
}

export interface TargetDiff {
  /** Added or changed documents. */
  changed: StoredDocument[];
  /** Documents that left the results because they were deleted. */
  deleted: string[];
  /** Documents that left the results but still exist. */
  removed: string[];
}

/**
 * Whether changes provably leave a limited query's window (results in query order) as it is,
 * so that re-running the query can be skipped: none of the changed documents is in the
 * window, and none of their new versions matches the query and sorts inside it (before the
 * window's last document, or anywhere while the window has room). Offsets and vector
 * searches are always re-run.
 */
export function windowUnaffected(q: Query, results: ResultSet, relevant: readonly StoreChange[]): boolean {
  if (q.limit === undefined || q.offset > 0 || q.findNearest !== undefined) return false;
  let last: { doc: StoredDocument; keys: ReturnType<typeof orderKeys> } | undefined;
  for (const c of relevant) {
    if (results.has(c.path)) return false;
    if (!c.after || !matchesQuery(q, c.after)) continue;
    if (results.size < q.limit) return false;
    if (!last) {
      let doc: StoredDocument | undefined;
      for (const d of results.values()) doc = d;
      if (!doc) return false;
      last = { doc, keys: orderKeys(doc, q.orderBy) };
    }
    const keys = orderKeys(c.after, q.orderBy);
    if (!keys || !last.keys) return false;
    if (compareKeyed(q.orderBy, { doc: c.after, keys }, { doc: last.doc, keys: last.keys }) <= 0) return false;
  }
  return true;
}

/** Applies committed changes to a result set in place and reports the difference. */
export function applyChanges(db: Database, spec: TargetSpec, results: ResultSet, changes: readonly StoreChange[]): TargetDiff {
  const diff: TargetDiff = { changed: [], deleted: [], removed: [] };
  const relevant = changes.filter((c) => touches(spec, c));
  if (relevant.length === 0) return diff;
  if (needsRecompute(spec)) {
    if (spec.kind === 'query' && windowUnaffected(spec.query, results, relevant)) return diff;
    const next = evaluateTarget(db, spec);
    const deletedPaths = new Set(relevant.filter((c) => !c.after).map((c) => c.path));
    for (const [path, doc] of next) {
      const old = results.get(path);
      if (!old || old.updateTime !== doc.updateTime) diff.changed.push(doc);
    }
    for (const path of results.keys()) {
      if (!next.has(path)) (deletedPaths.has(path) || !db.get(path) ? diff.deleted : diff.removed).push(path);
    }
    results.clear();
    for (const [p, d] of next) results.set(p, d);
    return diff;
  }
  for (const c of relevant) {
    const inResults = results.has(c.path);
    const matches = c.after !== null && (spec.kind === 'documents' || matchesQuery(spec.query, c.after));
    if (matches) {
      results.set(c.path, c.after!);
      diff.changed.push(c.after!);
    } else if (inResults) {
      results.delete(c.path);
      (c.after ? diff.removed : diff.deleted).push(c.path);
    }
  }
  return diff;
}

/** Difference between the results a client had at a resume point and the current ones. */
export function diffResults(before: ResultSet, after: ResultSet, db: Database): TargetDiff {
  const diff: TargetDiff = { changed: [], deleted: [], removed: [] };
  for (const [path, doc] of after) {
    const old = before.get(path);
    if (!old || old.updateTime !== doc.updateTime) diff.changed.push(doc);
  }
  for (const path of before.keys()) {
    if (!after.has(path)) (db.get(path) ? diff.removed : diff.deleted).push(path);
  }
  return diff;
}

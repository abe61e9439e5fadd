import type { StoredDocument, Value } from '../model/index.js';
import { comparePathStrings, fieldPathKey, isDocumentIdPath, isNaNValue } from '../model/index.js';
import type { Collection, Database } from '../store/index.js';
import { matchesFilter } from './filters.js';
import type { Filter, Query } from './model.js';
import { runFindNearest } from './find-nearest.js';
import type { Keyed } from './order.js';
import { afterStart, beforeEnd, compareKeyed, orderKeys } from './order.js';

/** Collections at or above this size answer indexable queries from a sorted index. */
export const INDEX_THRESHOLD = 128;

export interface QueryStats {
  /** Human-readable plan, e.g. `(status ASC, rank ASC, __name__ ASC)` or `collection scan`. */
  plan: string;
  indexEntriesScanned: number;
  documentsScanned: number;
}

export interface QueryResult {
  docs: StoredDocument[];
  stats: QueryStats;
}

export interface RunOptions {
  /** Point-in-time read; undefined reads the latest state. */
  readTime?: bigint;
  /** Monotonic counter used for index eviction (defaults to Date.now()). */
  now?: number;
}

/** Evaluates a validated query against one database. Pure: reads, never writes. */
export function runQuery(db: Database, q: Query, options: RunOptions = {}): QueryResult {
  if (q.findNearest) return runFindNearest(db, q, candidates(db, q, options.readTime));
  const single = !q.allDescendants && options.readTime === undefined ? db.collection(joinPath(q.parentPath, q.collectionId)) : undefined;
  if (single) {
    const byName = q.orderBy.length === 1 && isDocumentIdPath(q.orderBy[0]!.path);
    const plan = indexPlan(single, q);
    // Ordered by name, the collection itself is the index unless equalities narrow it down
    // (`status == x`, e.g. a count of queued jobs, must not read every finished job).
    if (plan && (!byName || plan.equalities.length > 0)) return scanIndex(single, q, plan, options.now ?? Date.now());
    if (byName) return scanInNameOrder(single, q);
  }
  return scanAndSort(q, candidates(db, q, options.readTime));
}

export function joinPath(parent: string, id: string): string {
  return parent === '' ? id : `${parent}/${id}`;
}

/** Every document the query could see (unsorted), honouring the read time. */
export function* candidates(db: Database, q: Query, readTime: bigint | undefined): IterableIterator<StoredDocument> {
  if (!q.allDescendants) {
    const c = db.collection(joinPath(q.parentPath, q.collectionId));
    if (c) yield* c.docsAt(readTime);
    return;
  }
  const cols: Collection[] =
    q.collectionId === ''
      ? [...db.allCollections()].filter((c) => q.parentPath === '' || c.path.startsWith(q.parentPath + '/'))
      : db.collectionGroup(q.collectionId, q.parentPath);
  for (const c of cols) yield* c.docsAt(readTime);
}

function window(q: Query): number {
  return q.limit === undefined ? Number.POSITIVE_INFINITY : q.offset + q.limit;
}

/** Collects ordered docs that pass filters and cursors; stops at offset + limit. */
function collectOrdered(q: Query, ordered: Iterable<StoredDocument>, stats: QueryStats, countEntries: boolean): StoredDocument[] {
  const out: StoredDocument[] = [];
  const want = window(q);
  if (want === 0) return out;
  for (const doc of ordered) {
    stats.documentsScanned++;
    if (countEntries) stats.indexEntriesScanned++;
    if (q.filter && !matchesFilter(doc, q.filter)) continue;
    const keys = orderKeys(doc, q.orderBy);
    if (!keys) continue;
    if (!afterStart(q, keys)) continue;
    if (!beforeEnd(q, keys)) break;
    out.push(doc);
    if (out.length >= want) break;
  }
  return out.slice(q.offset);
}

function scanInNameOrder(c: Collection, q: Query): QueryResult {
  const stats: QueryStats = { plan: `(__name__ ${q.orderBy[0]!.desc ? 'DESC' : 'ASC'})`, indexEntriesScanned: 0, documentsScanned: 0 };
  const chains = q.orderBy[0]!.desc ? c.docs.entriesReversed() : c.docs.entries();
  function* live(): IterableIterator<StoredDocument> {
    for (const [, chain] of chains) {
      const doc = chain.latest();
      if (doc) yield doc;
    }
  }
  return { docs: collectOrdered(q, live(), stats, true), stats };
}

interface IndexPlan {
  equalities: Array<{ path: readonly string[]; value: Value }>;
}

/** A conjunction of equalities + the query's order: served by an (equalities..., orders...) index. */
function indexPlan(c: Collection, q: Query): IndexPlan | undefined {
  if (c.liveCount < INDEX_THRESHOLD) return undefined;
  if (!isDocumentIdPath(q.orderBy[q.orderBy.length - 1]!.path)) return undefined;
  if (q.orderBy.slice(0, -1).some((o) => isDocumentIdPath(o.path))) return undefined;
  const conjuncts = conjunction(q.filter);
  if (!conjuncts) return undefined;
  const equalities: IndexPlan['equalities'] = [];
  for (const f of conjuncts) {
    if (f.kind === 'field' && f.op === 'EQUAL' && !isDocumentIdPath(f.path) && !isNaNValue(f.value)) {
      if (!equalities.some((e) => fieldPathKey(e.path) === fieldPathKey(f.path))) equalities.push({ path: f.path, value: f.value });
    }
  }
  if (equalities.length === 0 && q.limit === undefined) return undefined;
  equalities.sort((a, b) => comparePathStrings(fieldPathKey(a.path), fieldPathKey(b.path)));
  return { equalities };
}

function conjunction(filter: Filter | undefined): Filter[] | undefined {
  if (!filter) return [];
  if (filter.kind !== 'composite') return [filter];
  if (filter.op !== 'AND') return undefined;
  const out: Filter[] = [];
  for (const f of filter.filters) {
    const inner = conjunction(f);
    if (!inner) return undefined;
    out.push(...inner);
  }
  return out;
}

function scanIndex(c: Collection, q: Query, plan: IndexPlan, now: number): QueryResult {
  const eqKeys = new Set(plan.equalities.map((e) => fieldPathKey(e.path)));
  const fields = [
    ...plan.equalities.map((e) => ({ path: e.path, desc: false })),
    ...q.orderBy.slice(0, -1).filter((o) => !eqKeys.has(fieldPathKey(o.path))),
  ];
  const index = c.index(fields, q.orderBy[q.orderBy.length - 1]!.desc, now);
  const plainName = fields.map((f) => `${fieldPathKey(f.path)} ${f.desc ? 'DESC' : 'ASC'}`).join(', ');
  const stats: QueryStats = {
    plan: `(${plainName}, __name__ ${q.orderBy[q.orderBy.length - 1]!.desc ? 'DESC' : 'ASC'})`,
    indexEntriesScanned: 0,
    documentsScanned: 0,
  };
  const docs = collectOrdered(q, index.scan(plan.equalities.map((e) => e.value)), stats, true);
  return { docs, stats };
}

function scanAndSort(q: Query, source: Iterable<StoredDocument>): QueryResult {
  const stats: QueryStats = { plan: 'collection scan', indexEntriesScanned: 0, documentsScanned: 0 };
  const keyed: Keyed[] = [];
  for (const doc of source) {
    stats.documentsScanned++;
    if (q.filter && !matchesFilter(doc, q.filter)) continue;
    const keys = orderKeys(doc, q.orderBy);
    if (!keys) continue;
    if (!afterStart(q, keys) || !beforeEnd(q, keys)) continue;
    keyed.push({ doc, keys });
  }
  keyed.sort((a, b) => compareKeyed(q.orderBy, a, b));
  const end = q.limit === undefined ? undefined : q.offset + q.limit;
  return { docs: keyed.slice(q.offset, end).map((k) => k.doc), stats };
}

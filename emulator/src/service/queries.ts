import { formatNanos, invalidArgument, toDocumentJson } from '../model/index.js';
import type { Query, QueryStats } from '../query/index.js';
import { aggregate, joinPath, parseAggregations, parseStructuredQuery, runQuery } from '../query/index.js';
import type { Database } from '../store/index.js';
import type { CallContext } from './context.js';
import { asObject } from './convert.js';
import type { ReadScope, ServiceCore } from './core.js';
import { NO_COLLECTION, chargesByCollection } from './meter.js';
import { queryRange, recordRangeRead } from './range-reads.js';
import { endStartedTxOnError, queryParent } from './reads.js';

type Json = Record<string, unknown>;

interface ExplainOptions {
  analyze: boolean;
}

function explainOptions(req: Json): ExplainOptions | undefined {
  if (req.explainOptions === undefined || req.explainOptions === null) return undefined;
  return { analyze: asObject(req.explainOptions, 'explain options').analyze === true };
}

function explainMetrics(stats: QueryStats, q: Query, analyze: boolean, results: number, reads: number, startedAt: bigint): Json {
  const scope = q.allDescendants ? 'Collection group' : 'Collection';
  const metrics: Json = { planSummary: { indexesUsed: [{ query_scope: scope, properties: stats.plan }] } };
  if (analyze) {
    const nanos = process.hrtime.bigint() - startedAt;
    metrics.executionStats = {
      resultsReturned: String(results),
      executionDuration: `${(Number(nanos) / 1e9).toFixed(9)}s`,
      readOperations: String(reads),
      debugStats: {
        index_entries_scanned: String(stats.indexEntriesScanned),
        documents_scanned: String(stats.documentsScanned),
        billing_details: { documents_billable: String(results), index_entries_billable: '0', small_ops: '0', min_query_cost: results === 0 ? '1' : '0' },
      },
    };
  }
  return metrics;
}

/**
 * Runs the query in a scope. For a read-write transaction it locks every document read
 * (offset-skipped ones included) and records the range read, so that a concurrent commit
 * inserting into it waits for the transaction, or aborts it if younger (no phantoms).
 */
async function execute(core: ServiceCore, db: Database, q: Query, scope: ReadScope): Promise<{ docs: ReturnType<typeof runQuery>['docs']; stats: QueryStats }> {
  const tx = scope.lockingTx;
  if (!tx) return runQuery(db, q, { readTime: scope.readTime });
  const read: Query = q.offset > 0 ? { ...q, offset: 0, limit: q.limit === undefined ? undefined : q.offset + q.limit } : q;
  let result = runQuery(db, read, { readTime: scope.readTime });
  await core.lockReads(db, scope, result.docs.map((d) => d.path));
  // Re-run under the locks: the documents we return can no longer change under us.
  result = runQuery(db, read, { readTime: scope.readTime });
  recordRangeRead(core.store, tx, queryRange(read, result.docs, read.limit !== undefined && result.docs.length >= read.limit));
  return { docs: result.docs.slice(q.offset), stats: result.stats };
}

export async function runQueryRequest(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json[]> {
  const started = process.hrtime.bigint();
  const { db, parentPath } = queryParent(core, req);
  if (req.structuredQuery === undefined) throw invalidArgument('RunQuery needs a structuredQuery.');
  const q = parseStructuredQuery(req.structuredQuery, parentPath);
  const explain = explainOptions(req);
  const scope = core.readScope(db, req);
  try {
    await core.authorize(ctx, db, { method: 'list', path: joinPath(parentPath, q.collectionId), resource: null, query: q });
    const readTime = formatNanos(scope.readTime ?? core.store.clock.readTime());
    if (explain && !explain.analyze) {
      const stats: QueryStats = { plan: runQuery(db, { ...q, limit: 0 }, { readTime: scope.readTime }).stats.plan, indexEntriesScanned: 0, documentsScanned: 0 };
      const only: Json = { explainMetrics: explainMetrics(stats, q, false, 0, 0, started) };
      if (scope.startedTx) only.transaction = scope.startedTx.id;
      return [only];
    }
    const { docs, stats } = await execute(core, db, q, scope);
    const reads = Math.max(1, docs.length);
    core.charge(ctx, db, { reads }, { call: 'query', collections: chargesByCollection('reads', docs.map((d) => d.path), reads, q.collectionId) });
    const root = core.root(db);
    const out: Json[] = docs.map((doc) => ({ document: toDocumentJson(root, doc, q.select), readTime }));
    if (out.length === 0) out.push({ readTime });
    if (q.offset > 0) out[0]!.skippedResults = q.offset;
    if (scope.startedTx) out[0]!.transaction = scope.startedTx.id;
    if (explain) out[out.length - 1]!.explainMetrics = explainMetrics(stats, q, true, docs.length, reads, started);
    return out;
  } catch (err) {
    return endStartedTxOnError(core, scope, err);
  }
}

export async function runAggregationQueryRequest(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json[]> {
  const started = process.hrtime.bigint();
  const { db, parentPath } = queryParent(core, req);
  const agg = asObject(req.structuredAggregationQuery, 'structured aggregation query');
  const q = parseStructuredQuery(agg.structuredQuery, parentPath);
  if (q.findNearest) throw invalidArgument('Aggregations over a findNearest query are not supported.');
  const aggregations = parseAggregations(agg.aggregations);
  const explain = explainOptions(req);
  const scope = core.readScope(db, req);
  try {
    await core.authorize(ctx, db, { method: 'list', path: joinPath(parentPath, q.collectionId), resource: null, query: q });
    const readTime = formatNanos(scope.readTime ?? core.store.clock.readTime());
    if (explain && !explain.analyze) {
      const stats: QueryStats = { plan: 'aggregation', indexEntriesScanned: 0, documentsScanned: 0 };
      const only: Json = { explainMetrics: explainMetrics(stats, q, false, 0, 0, started) };
      if (scope.startedTx) only.transaction = scope.startedTx.id;
      return [only];
    }
    // count(up_to) only needs to look at up_to entries: cap the scan like Firestore does.
    const upTo = aggregations.every((a) => a.kind === 'count' && a.upTo !== undefined)
      ? Number(aggregations.reduce((m, a) => (a.kind === 'count' && a.upTo! > m ? a.upTo! : m), 0n))
      : undefined;
    const limited = upTo !== undefined && (q.limit === undefined || upTo < q.limit) ? { ...q, limit: upTo } : q;
    const { docs, stats } = await execute(core, db, limited, scope);
    // Aggregations bill one read per batch of up to 1000 index entries (at least one).
    const reads = Math.max(1, Math.ceil(docs.length / 1000));
    core.charge(ctx, db, { reads }, { call: 'aggregation', collections: [[q.collectionId || NO_COLLECTION, { reads }]] });
    const response: Json = { result: { aggregateFields: aggregate(aggregations, docs) }, readTime };
    if (scope.startedTx) response.transaction = scope.startedTx.id;
    if (explain) response.explainMetrics = explainMetrics(stats, q, true, 1, reads, started);
    return [response];
  } catch (err) {
    return endStartedTxOnError(core, scope, err);
  }
}

import { invalidArgument, isDocumentIdPath } from '../model/index.js';
import { joinPath, parseStructuredQuery, runQuery } from '../query/index.js';
import type { CallContext } from './context.js';
import type { ServiceCore } from './core.js';
import { NO_COLLECTION } from './meter.js';
import { queryParent } from './reads.js';

type Json = Record<string, unknown>;

/** Firestore never cuts partitions smaller than this many documents. */
export const MIN_PARTITION_SIZE = 128;

function positiveInt(v: unknown, what: string, required: boolean): number | undefined {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') {
    if (required) throw invalidArgument(`${what} must be positive.`);
    return undefined;
  }
  const n = Number(typeof v === 'object' ? (v as { value?: unknown }).value : v);
  if (!Number.isSafeInteger(n) || n <= 0) throw invalidArgument(`${what} must be positive.`);
  return n;
}

function offsetFromToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  const n = typeof token === 'string' ? Number(Buffer.from(token, 'base64url').toString('utf8')) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument('Invalid page token.');
  return n;
}

/**
 * PartitionQuery: split points (document references) that cut a collection-group query
 * ordered by `__name__` into at most `partitionCount + 1` partitions of at least
 * MIN_PARTITION_SIZE documents each. Like Firestore, only an unfiltered, unlimited
 * collection group query ordered by name ascending can be partitioned.
 */
export async function partitionQuery(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const { db, parentPath } = queryParent(core, req);
  if (req.structuredQuery === undefined) throw invalidArgument('PartitionQuery needs a structuredQuery.');
  const q = parseStructuredQuery(req.structuredQuery, parentPath);
  const byNameAsc = q.orderBy.length === 1 && isDocumentIdPath(q.orderBy[0]!.path) && !q.orderBy[0]!.desc;
  if (!q.allDescendants || q.filter || !byNameAsc || q.startAt || q.endAt || q.limit !== undefined || q.offset > 0 || q.findNearest || q.select) {
    throw invalidArgument(
      'Partition queries must be collection group queries (all descendants) ordered by __name__ ascending, without filters, cursors, limit, offset or projection.',
    );
  }
  const count = positiveInt(req.partitionCount, 'partition_count', true)!;
  const pageSize = positiveInt(req.pageSize, 'page_size', false);
  const from = offsetFromToken(req.pageToken);
  const scope = core.readScope(db, req);
  if (scope.lockingTx || scope.startedTx) throw invalidArgument('Partition queries cannot run in a transaction.');
  await core.authorize(ctx, db, { method: 'list', path: joinPath(parentPath, q.collectionId), resource: null, query: q });

  const docs = runQuery(db, q, { readTime: scope.readTime }).docs;
  const size = Math.max(MIN_PARTITION_SIZE, Math.ceil(docs.length / (count + 1)));
  const root = core.root(db);
  const points: Json[] = [];
  for (let i = size; i < docs.length && points.length < count; i += size) {
    points.push({ values: [{ referenceValue: `${root}/${docs[i]!.path}` }] });
  }
  const reads = Math.max(1, points.length);
  core.charge(ctx, db, { reads }, { call: 'partitionQuery', collections: [[q.collectionId || NO_COLLECTION, { reads }]] });
  const page = pageSize === undefined ? points.slice(from) : points.slice(from, from + pageSize);
  const out: Json = { partitions: page };
  if (pageSize !== undefined && from + pageSize < points.length) out.nextPageToken = Buffer.from(String(from + pageSize), 'utf8').toString('base64url');
  return out;
}

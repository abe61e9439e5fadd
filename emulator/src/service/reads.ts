import type { StoredDocument } from '../model/index.js';
import {
  comparePathStrings,
  formatNanos,
  invalidArgument,
  notFound,
  parseDocumentName,
  parseParentName,
  sameDatabase,
  toDocumentJson,
} from '../model/index.js';
import type { Database } from '../store/index.js';
import type { CallContext } from './context.js';
import { documentPathIn, parseMask } from './convert.js';
import { NO_COLLECTION, chargesByCollection, collectionIdOf } from './meter.js';
import type { ReadScope, ServiceCore } from './core.js';

type Json = Record<string, unknown>;

function readTimeOf(core: ServiceCore, scope: ReadScope): bigint {
  return scope.readTime ?? core.store.clock.readTime();
}

/** Aborted/failed first reads of a lazily started transaction end that transaction. */
export function endStartedTxOnError(core: ServiceCore, scope: ReadScope | undefined, err: unknown): never {
  if (scope?.startedTx && scope.startedTx.state === 'active') core.store.transactions.finish(scope.startedTx, 'rolledBack');
  throw err;
}

export async function getDocument(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  if (typeof req.name !== 'string') throw invalidArgument('Missing document name.');
  const parsed = parseDocumentName(req.name);
  const db = core.databaseOf(parsed);
  const path = parsed.path;
  const mask = parseMask(req.mask);
  const scope = core.readScope(db, req);
  await core.lockReads(db, scope, [path]);
  const doc = core.read(db, scope, path);
  await core.authorize(ctx, db, { method: 'get', path, resource: doc });
  core.charge(ctx, db, { reads: 1 }, { call: 'get', collections: [[collectionIdOf(path), { reads: 1 }]] });
  if (!doc) throw notFound(`Document "${req.name}" not found.`);
  return toDocumentJson(core.root(db), doc, mask) as unknown as Json;
}

export async function batchGetDocuments(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json[]> {
  const db = core.database(req.database);
  const names = req.documents ?? [];
  if (!Array.isArray(names)) throw invalidArgument('Invalid documents list.');
  const paths = names.map((n) => documentPathIn(db.id, n));
  const mask = parseMask(req.mask);
  const scope = core.readScope(db, req);
  try {
    await core.lockReads(db, scope, paths);
    const readTime = formatNanos(readTimeOf(core, scope));
    const out: Json[] = [];
    for (const path of paths) {
      const doc = core.read(db, scope, path);
      await core.authorize(ctx, db, { method: 'get', path, resource: doc });
      const name = `${core.root(db)}/${path}`;
      out.push(doc ? { found: toDocumentJson(core.root(db), doc, mask), readTime } : { missing: name, readTime });
    }
    core.charge(ctx, db, { reads: paths.length }, { call: 'batchGet', collections: chargesByCollection('reads', paths, paths.length, NO_COLLECTION) });
    if (scope.startedTx) {
      if (out.length === 0) out.push({ readTime });
      out[0]!.transaction = scope.startedTx.id;
    }
    return out;
  } catch (err) {
    return endStartedTxOnError(core, scope, err);
  }
}

function pageToken(token: unknown): string | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  if (typeof token !== 'string') throw invalidArgument('Invalid page token.');
  try {
    return Buffer.from(token, 'base64url').toString('utf8');
  } catch {
    throw invalidArgument('Invalid page token.');
  }
}

const encodeToken = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

export async function listDocuments(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const parent = parseParentName(String(req.parent ?? ''));
  const db = core.databaseOf(parent);
  const collectionId = typeof req.collectionId === 'string' ? req.collectionId : '';
  const scope = core.readScope(db, req);
  const mask = parseMask(req.mask);
  const showMissing = req.showMissing === true;
  const pageSize = req.pageSize === undefined ? 0 : Number(req.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 0) throw invalidArgument('Invalid page size.');
  const after = pageToken(req.pageToken);
  const collections = collectionId
    ? [parent.path === '' ? collectionId : `${parent.path}/${collectionId}`]
    : db.collectionIds(parent.path, scope.readTime).map((id) => (parent.path === '' ? id : `${parent.path}/${id}`));
  // Without a collection id every child collection is listed: each must be allowed.
  for (const path of collections.length > 0 ? collections : [parent.path]) await core.authorize(ctx, db, { method: 'list', path, resource: null });

  const entries: Array<{ path: string; doc: StoredDocument | null }> = [];
  for (const c of collections) {
    const col = db.collection(c);
    if (col) for (const doc of col.docsAt(scope.readTime)) entries.push({ path: doc.path, doc });
    if (showMissing) for (const id of db.missingParents(c, scope.readTime)) entries.push({ path: `${c}/${id}`, doc: null });
  }
  entries.sort((a, b) => comparePathStrings(a.path, b.path));
  const start = after === undefined ? 0 : entries.findIndex((e) => comparePathStrings(e.path, after) > 0);
  const from = start < 0 ? entries.length : start;
  const page = pageSize > 0 ? entries.slice(from, from + pageSize) : entries.slice(from);
  await core.lockReads(db, scope, page.map((e) => e.path));
  const root = core.root(db);
  const documents = page.map((e) => (e.doc ? toDocumentJson(root, e.doc, mask) : { name: `${root}/${e.path}` }));
  const reads = Math.max(1, documents.length);
  core.charge(ctx, db, { reads }, { call: 'list', collections: chargesByCollection('reads', page.map((e) => e.path), reads, collectionId || NO_COLLECTION) });
  const out: Json = { documents };
  if (pageSize > 0 && from + pageSize < entries.length) out.nextPageToken = encodeToken(page[page.length - 1]!.path);
  return out;
}

export async function listCollectionIds(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const parent = parseParentName(String(req.parent ?? ''));
  const db = core.databaseOf(parent);
  const scope = core.readScope(db, req);
  const pageSize = req.pageSize === undefined ? 0 : Number(req.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 0) throw invalidArgument('Invalid page size.');
  const after = pageToken(req.pageToken);
  await core.authorize(ctx, db, { method: 'list', path: parent.path, resource: null });
  const ids = db.collectionIds(parent.path, scope.readTime).sort(comparePathStrings);
  const start = after === undefined ? 0 : ids.findIndex((id) => comparePathStrings(id, after) > 0);
  const from = start < 0 ? ids.length : start;
  const page = pageSize > 0 ? ids.slice(from, from + pageSize) : ids.slice(from);
  core.charge(ctx, db, { reads: 1 }, { call: 'listCollectionIds', collections: [[NO_COLLECTION, { reads: 1 }]] });
  const out: Json = { collectionIds: page };
  if (pageSize > 0 && from + pageSize < ids.length) out.nextPageToken = encodeToken(page[page.length - 1]!);
  return out;
}

/** Resolves the `parent` of a query request and checks it against `database` if given. */
export function queryParent(core: ServiceCore, req: Json): { db: Database; parentPath: string } {
  const parent = parseParentName(String(req.parent ?? ''));
  const db = core.databaseOf(parent);
  if (typeof req.database === 'string' && req.database !== '' && !sameDatabase(core.database(req.database).id, parent)) {
    throw invalidArgument('The parent is not in the request database.');
  }
  return { db, parentPath: parent.path };
}


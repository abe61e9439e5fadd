import { randomBytes } from 'node:crypto';
import type { StoredDocument } from '../model/index.js';
import {
  FirestoreError,
  formatNanos,
  invalidArgument,
  normalizeFields,
  parseParentName,
  toDocumentJson,
  toFirestoreError,
  validateSegment,
} from '../model/index.js';
import type { WriteOp } from '../store/index.js';
import { commitWrites } from './commit.js';
import type { CallContext } from './context.js';
import { asObject, documentPathIn, parseFieldTransforms, parseMask, parsePrecondition, parseWrite, parseWriteMask, transactionId, writeResultJson } from './convert.js';
import type { ServiceCore } from './core.js';

type Json = Record<string, unknown>;

const AUTO_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 20-character random id, like the SDKs' `doc()` ids. */
export function autoId(): string {
  const bytes = randomBytes(20);
  let id = '';
  for (const b of bytes) id += AUTO_ID_CHARS[b % AUTO_ID_CHARS.length];
  return id;
}

function writesOf(core: ServiceCore, req: Json, db: ReturnType<ServiceCore['database']>): WriteOp[] {
  const list = req.writes ?? [];
  if (!Array.isArray(list)) throw invalidArgument('Invalid writes.');
  return list.map((w) => parseWrite(db.id, w));
}

export async function commit(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const db = core.database(req.database);
  const writes = writesOf(core, req, db);
  const txId = transactionId(req.transaction);
  const tx = txId ? core.store.transactions.get(db, txId) : undefined;
  const { commitTime, plan } = await commitWrites(core, ctx, db, writes, 'commit', tx);
  return { writeResults: plan.results.map(writeResultJson), commitTime: formatNanos(commitTime) };
}

/**
 * Non-atomic: each write commits on its own and reports its own status. A malformed request
 * (an invalid document name such as a reserved `__doc__` id, a bad value, two writes to one
 * document) fails as a whole with INVALID_ARGUMENT before anything is written, as Firestore
 * answers on gRPC and REST alike (BulkWriter over REST relies on it); only what happens when
 * a write is applied (preconditions, rules) is reported per write.
 */
export async function batchWrite(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const db = core.database(req.database);
  const list = req.writes ?? [];
  if (!Array.isArray(list)) throw invalidArgument('Invalid writes.');
  const ops = list.map((raw) => parseWrite(db.id, raw));
  const seen = new Set<string>();
  for (const op of ops) {
    if (seen.has(op.path)) throw invalidArgument(`A BatchWrite request cannot write document ${op.name} more than once.`);
    seen.add(op.path);
  }
  const writeResults: Json[] = [];
  const status: Json[] = [];
  await Promise.all(
    ops.map(async (op, i) => {
      try {
        const { plan } = await commitWrites(core, ctx, db, [op], 'batchWrite');
        writeResults[i] = writeResultJson(plan.results[0]!);
        status[i] = { code: 0 };
      } catch (err) {
        const e = toFirestoreError(err);
        writeResults[i] = {};
        status[i] = e.toStatus();
      }
    }),
  );
  return { writeResults, status };
}

export async function createDocument(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const parent = parseParentName(String(req.parent ?? ''));
  const db = core.databaseOf(parent);
  const collectionId = String(req.collectionId ?? '');
  validateSegment(collectionId);
  const id = typeof req.documentId === 'string' && req.documentId !== '' ? req.documentId : autoId();
  validateSegment(id);
  const path = parent.path === '' ? `${collectionId}/${id}` : `${parent.path}/${collectionId}/${id}`;
  const doc = asObject(req.document ?? {}, 'document');
  const name = `${core.root(db)}/${path}`;
  const op: WriteOp = { kind: 'update', path, name, fields: normalizeFields(doc.fields ?? {}), transforms: [], precondition: { exists: false } };
  const { plan } = await commitWrites(core, ctx, db, [op], 'create');
  return documentAfter(core, db, path, plan.finalStates.get(path)?.after ?? null, parseMask(req.mask));
}

export async function updateDocument(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const doc = asObject(req.document, 'document');
  const name = String(doc.name ?? '');
  const parent = parseParentName(name.split('/').slice(0, 5).join('/'));
  const db = core.databaseOf(parent);
  const path = documentPathIn(db.id, name);
  const op: WriteOp = {
    kind: 'update',
    path,
    name: `${core.root(db)}/${path}`,
    fields: normalizeFields(doc.fields ?? {}),
    updateMask: parseWriteMask(req.updateMask),
    transforms: parseFieldTransforms(req.updateTransforms),
    precondition: parsePrecondition(req.currentDocument),
  };
  const { plan } = await commitWrites(core, ctx, db, [op], 'update');
  return documentAfter(core, db, path, plan.finalStates.get(path)?.after ?? null, parseMask(req.mask));
}

function documentAfter(core: ServiceCore, db: ReturnType<ServiceCore['database']>, path: string, doc: StoredDocument | null, mask: ReturnType<typeof parseMask>): Json {
  const current = doc ?? db.get(path);
  if (!current) throw new FirestoreError('INTERNAL', 'The written document could not be read back.');
  return toDocumentJson(core.root(db), current, mask) as unknown as Json;
}

export async function deleteDocument(core: ServiceCore, ctx: CallContext, req: Json): Promise<Json> {
  const name = String(req.name ?? '');
  const parent = parseParentName(name.split('/').slice(0, 5).join('/'));
  const db = core.databaseOf(parent);
  const path = documentPathIn(db.id, name);
  const op: WriteOp = { kind: 'delete', path, name: `${core.root(db)}/${path}`, transforms: [], precondition: parsePrecondition(req.currentDocument) };
  await commitWrites(core, ctx, db, [op], 'delete');
  return {};
}

export function beginTransaction(core: ServiceCore, _ctx: CallContext, req: Json): Json {
  const db = core.database(req.database);
  const tx = core.beginTransaction(db, core.parseTransactionOptions(req.options));
  return { transaction: tx.id };
}

export function rollback(core: ServiceCore, _ctx: CallContext, req: Json): Json {
  const db = core.database(req.database);
  const id = transactionId(req.transaction);
  if (!id) throw invalidArgument('Missing transaction.');
  let tx;
  try {
    tx = core.store.transactions.get(db, id);
  } catch (err) {
    // Rolling back a transaction that was already aborted by contention is fine.
    if (err instanceof FirestoreError && err.status === 'ABORTED') {
      const aborted = core.store.transactions.lookup(id);
      if (aborted) core.store.transactions.finish(aborted, 'rolledBack');
      return {};
    }
    throw err;
  }
  core.store.transactions.finish(tx, 'rolledBack');
  return {};
}

import type { DatabaseId, FieldPath, Fields, Value } from '../model/index.js';
import {
  checkWritableFieldPath,
  documentsRoot,
  invalidArgument,
  normalizeFields,
  normalizeValue,
  parseDocumentName,
  parseFieldPath,
  parseToNanos,
  formatNanos,
  sameDatabase,
} from '../model/index.js';
import type { FieldTransformOp, Precondition, WriteOp, WriteOutcome } from '../store/index.js';

type Json = Record<string, unknown>;

export function asObject(v: unknown, what: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(`Invalid ${what}.`);
  return v as Json;
}

/** Parses a document name and checks that it belongs to the request's database. */
export function documentPathIn(db: DatabaseId, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw invalidArgument('Missing document name.');
  const parsed = parseDocumentName(name);
  if (!sameDatabase(parsed, db)) {
    throw invalidArgument(`Document "${name}" is not in the request's database "${documentsRoot(db)}".`);
  }
  return parsed.path;
}

export function parseMask(mask: unknown): FieldPath[] | undefined {
  if (mask === undefined || mask === null) return undefined;
  const paths = asObject(mask, 'document mask').fieldPaths ?? [];
  if (!Array.isArray(paths)) throw invalidArgument('Invalid document mask.');
  return paths.map((p) => parseFieldPath(String(p)));
}

/** An update mask: the field paths a write sets or deletes, none of them reserved. */
export function parseWriteMask(mask: unknown): FieldPath[] | undefined {
  const paths = parseMask(mask);
  for (const p of paths ?? []) checkWritableFieldPath(p);
  return paths;
}

export function parsePrecondition(json: unknown): Precondition | undefined {
  if (json === undefined || json === null) return undefined;
  const p = asObject(json, 'precondition');
  if (p.exists !== undefined && p.updateTime !== undefined) throw invalidArgument('A precondition can set exists or updateTime, not both.');
  if (typeof p.exists === 'boolean') return { exists: p.exists };
  if (p.updateTime !== undefined) return { updateTime: parseToNanos(p.updateTime) };
  return undefined;
}

function numberOperand(v: unknown, what: string): { integerValue: string } | { doubleValue: number | string } {
  const value = normalizeValue(v);
  if (!('integerValue' in value) && !('doubleValue' in value)) throw invalidArgument(`The ${what} transform needs a number operand.`);
  return value;
}

function arrayOperand(v: unknown): Value[] {
  const arr = asObject(v ?? {}, 'array transform operand');
  const values = arr.values ?? [];
  if (!Array.isArray(values)) throw invalidArgument('Invalid array transform operand.');
  return values.map((e) => normalizeValue(e, 1, true));
}

export function parseFieldTransforms(list: unknown): FieldTransformOp[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalidArgument('Invalid field transforms.');
  const seen = new Set<string>();
  return list.map((raw) => {
    const t = asObject(raw, 'field transform');
    if (typeof t.fieldPath !== 'string') throw invalidArgument('A field transform needs a field path.');
    const path = parseFieldPath(t.fieldPath);
    checkWritableFieldPath(path);
    const key = path.join('\u0000');
    if (seen.has(key)) throw invalidArgument(`Field path "${t.fieldPath}" is transformed more than once in one write.`);
    seen.add(key);
    if (t.setToServerValue !== undefined) {
      if (t.setToServerValue !== 'REQUEST_TIME' && t.setToServerValue !== 1) throw invalidArgument('Invalid server value transform.');
      return { path, kind: 'serverTime' as const };
    }
    if (t.increment !== undefined) return { path, kind: 'increment' as const, operand: numberOperand(t.increment, 'increment') };
    if (t.maximum !== undefined) return { path, kind: 'maximum' as const, operand: numberOperand(t.maximum, 'maximum') };
    if (t.minimum !== undefined) return { path, kind: 'minimum' as const, operand: numberOperand(t.minimum, 'minimum') };
    if (t.appendMissingElements !== undefined) return { path, kind: 'arrayUnion' as const, elements: arrayOperand(t.appendMissingElements) };
    if (t.removeAllFromArray !== undefined) return { path, kind: 'arrayRemove' as const, elements: arrayOperand(t.removeAllFromArray) };
    throw invalidArgument(`The field transform on "${t.fieldPath}" sets no transformation.`);
  });
}

/** `google.firestore.v1.Write` (proto3 JSON) -> validated WriteOp. */
export function parseWrite(db: DatabaseId, raw: unknown): WriteOp {
  const w = asObject(raw, 'write');
  const ops = ['update', 'delete', 'transform', 'verify'].filter((k) => w[k] !== undefined && w[k] !== null);
  if (ops.length !== 1) throw invalidArgument(ops.length === 0 ? 'A write must set update, delete, transform or verify.' : 'A write can only set one operation.');
  const precondition = parsePrecondition(w.currentDocument);
  const root = documentsRoot(db);
  switch (ops[0]) {
    case 'update': {
      const doc = asObject(w.update, 'document');
      const path = documentPathIn(db, doc.name);
      const fields: Fields = normalizeFields(doc.fields ?? {});
      const updateMask = parseWriteMask(w.updateMask);
      return { kind: 'update', path, name: `${root}/${path}`, fields, updateMask, transforms: parseFieldTransforms(w.updateTransforms), precondition };
    }
    case 'delete': {
      if (w.updateMask || w.updateTransforms) throw invalidArgument('A delete cannot have an update mask or transforms.');
      const path = documentPathIn(db, w.delete);
      return { kind: 'delete', path, name: `${root}/${path}`, transforms: [], precondition };
    }
    case 'transform': {
      const t = asObject(w.transform, 'document transform');
      const path = documentPathIn(db, t.document);
      return { kind: 'transform', path, name: `${root}/${path}`, transforms: parseFieldTransforms(t.fieldTransforms), precondition };
    }
    default: {
      const path = documentPathIn(db, w.verify);
      return { kind: 'verify', path, name: `${root}/${path}`, transforms: [], precondition };
    }
  }
}

export function writeResultJson(r: WriteOutcome): Json {
  const out: Json = {};
  if (r.updateTime !== undefined) out.updateTime = formatNanos(r.updateTime);
  if (r.transformResults.length) out.transformResults = r.transformResults;
  return out;
}

/** Base64 transaction ids travel as bytes on gRPC and as base64 strings in JSON. */
export function transactionId(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return Buffer.from(v, 'base64').toString('base64');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  throw invalidArgument('Invalid transaction id.');
}

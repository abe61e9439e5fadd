import type { FieldPath, Fields, StoredDocument, Value } from '../model/index.js';
import {
  MAX_DOCUMENT_BYTES,
  NULL_VALUE,
  alreadyExists,
  arrayRemove,
  arrayUnion,
  clonePlain,
  collectionOf,
  deleteField,
  documentSize,
  failedPrecondition,
  formatNanos,
  getField,
  increment,
  invalidArgument,
  maximum,
  minimum,
  notFound,
  samePlain,
  setField,
} from '../model/index.js';
import type { Database, DocumentChange } from './database.js';

export interface Precondition {
  exists?: boolean;
  updateTime?: bigint;
}

type NumberValue = { integerValue: string } | { doubleValue: number | string };

export type FieldTransformOp =
  | { path: FieldPath; kind: 'serverTime' }
  | { path: FieldPath; kind: 'increment' | 'maximum' | 'minimum'; operand: NumberValue }
  | { path: FieldPath; kind: 'arrayUnion' | 'arrayRemove'; elements: Value[] };

/** A validated write (the service layer turns `google.firestore.v1.Write` into this). */
export interface WriteOp {
  kind: 'update' | 'delete' | 'transform' | 'verify';
  path: string;
  /** Full name, for error messages. */
  name: string;
  fields?: Fields;
  updateMask?: FieldPath[];
  transforms: FieldTransformOp[];
  precondition?: Precondition;
}

export interface WriteOutcome {
  /** Undefined for deletes (the proto leaves update_time unset). */
  updateTime?: bigint;
  transformResults: Value[];
}

export interface PlannedCommit {
  results: WriteOutcome[];
  /** Documents whose stored state changes (no-op writes excluded). */
  changes: DocumentChange[];
  /** Every written (not just verified) path: state before the commit and after it. */
  finalStates: Map<string, { before: StoredDocument | null; after: StoredDocument | null }>;
}

/**
 * Computes the effect of `writes` applied in order at `commitTime` without touching the
 * database. Throws (and so changes nothing) when a precondition fails: the commit is atomic.
 */
export function planWrites(db: Database, writes: readonly WriteOp[], commitTime: bigint): PlannedCommit {
  const staged = new Map<string, { before: StoredDocument | null; after: StoredDocument | null }>();
  const current = (path: string): StoredDocument | null => (staged.has(path) ? staged.get(path)!.after : db.get(path));
  const results: WriteOutcome[] = [];
  const touched = new Map<string, StoredDocument | null>();

  for (const w of writes) {
    const existing = current(w.path);
    checkPrecondition(w, existing, staged.has(w.path));
    if (w.kind !== 'verify' && !touched.has(w.path)) touched.set(w.path, existing);
    if (w.kind === 'verify') {
      results.push({ updateTime: existing?.updateTime ?? commitTime, transformResults: [] });
      continue;
    }
    const before = staged.has(w.path) ? staged.get(w.path)!.before : existing;
    if (w.kind === 'delete') {
      staged.set(w.path, { before, after: null });
      results.push({ transformResults: [] });
      continue;
    }
    let fields: Fields;
    if (w.kind === 'update' && !w.updateMask) fields = clonePlain(w.fields ?? {});
    else {
      fields = clonePlain(existing?.fields ?? {});
      if (w.kind === 'update') {
        for (const path of w.updateMask!) {
          const v = getField(w.fields, path);
          if (v === undefined) deleteField(fields, path);
          else setField(fields, path, clonePlain(v));
        }
      }
    }
    const transformResults = w.transforms.map((t) => applyTransform(fields, t, commitTime));
    const size = documentSize(w.path, fields);
    if (size > MAX_DOCUMENT_BYTES) {
      throw invalidArgument(`Document "${w.name}" cannot be written because its size (${size} bytes) exceeds the maximum allowed size of ${MAX_DOCUMENT_BYTES} bytes.`);
    }
    if (existing && samePlain(existing.fields, fields)) {
      // Firestore keeps the previous update_time when a write does not change the document.
      results.push({ updateTime: existing.updateTime, transformResults });
      continue;
    }
    const after: StoredDocument = {
      path: w.path,
      fields,
      createTime: existing?.createTime ?? commitTime,
      updateTime: commitTime,
    };
    staged.set(w.path, { before, after });
    results.push({ updateTime: commitTime, transformResults });
  }

  const changes: DocumentChange[] = [];
  for (const [path, { before, after }] of staged) {
    if (before === after || (!before && !after)) continue;
    changes.push({ path, collectionPath: collectionOf(path), before, after });
  }
  const finalStates: PlannedCommit['finalStates'] = new Map();
  for (const [path, before] of touched) finalStates.set(path, { before, after: current(path) });
  return { results, changes, finalStates };
}

/**
 * `writtenEarlier`: an earlier write of the same commit produced `existing`. A precondition
 * that this very request makes fail is a malformed request for Firestore: INVALID_ARGUMENT
 * (a client transaction's delete-then-update), not NOT_FOUND / ALREADY_EXISTS.
 */
function checkPrecondition(w: WriteOp, existing: StoredDocument | null, writtenEarlier: boolean): void {
  const p = w.precondition;
  if (!p) return;
  if (p.exists === true && !existing) {
    if (writtenEarlier) throw invalidArgument(`No document to update: ${w.name} is deleted by an earlier write of the same commit.`);
    throw notFound(`No document to update: ${w.name}`);
  }
  if (p.exists === false && existing) {
    if (writtenEarlier) throw invalidArgument(`Document already exists: ${w.name} is written by an earlier write of the same commit.`);
    throw alreadyExists(`Document already exists: ${w.name}`);
  }
  if (p.updateTime !== undefined) {
    if (!existing) throw failedPrecondition(`The document ${w.name} does not exist, but the precondition required update time ${formatNanos(p.updateTime)}.`);
    if (existing.updateTime !== p.updateTime) {
      throw failedPrecondition(
        `The document ${w.name} was modified: its update time is ${formatNanos(existing.updateTime)}, the precondition required ${formatNanos(p.updateTime)}.`,
      );
    }
  }
}

function applyTransform(fields: Fields, t: FieldTransformOp, commitTime: bigint): Value {
  const current = getField(fields, t.path);
  let next: Value;
  let result: Value;
  switch (t.kind) {
    case 'serverTime':
      next = result = { timestampValue: formatNanos(commitTime) };
      break;
    case 'increment':
      next = result = increment(current, t.operand);
      break;
    case 'maximum':
      next = result = maximum(current, t.operand);
      break;
    case 'minimum':
      next = result = minimum(current, t.operand);
      break;
    case 'arrayUnion':
      next = arrayUnion(current, t.elements);
      result = NULL_VALUE;
      break;
    case 'arrayRemove':
      next = arrayRemove(current, t.elements);
      result = NULL_VALUE;
      break;
  }
  setField(fields, t.path, clonePlain(next));
  return result;
}

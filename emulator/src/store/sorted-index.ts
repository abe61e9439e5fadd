import type { FieldPath, StoredDocument, Value } from '../model/index.js';
import type { TypeOrder } from '../model/index.js';
import { compareSegments, compareUtf8, compareValues, fieldPathKey, getField, lastSegment, parsedTimestamp, typeOrder } from '../model/index.js';
import { BTree } from './btree.js';

export interface IndexField {
  readonly path: FieldPath;
  readonly desc: boolean;
}

export interface IndexKey {
  readonly values: readonly Value[];
  /** Pre-computed sort forms of `values` (type order + number or string), for fast compares. */
  readonly sort?: readonly SortForm[];
  /** Document id inside the collection; '' in a range sentinel. */
  readonly id: string;
}

/** A value reduced to what ordering needs most often; `full` falls back to compareValues. */
export interface SortForm {
  readonly type: TypeOrder;
  readonly num?: number;
  /** Tie-breaker after `num` (a timestamp's nanoseconds after its seconds). */
  readonly sub?: number;
  readonly str?: string;
}

function sortForm(v: Value): SortForm {
  const type = typeOrder(v);
  if ('stringValue' in v) return { type, str: v.stringValue };
  if ('timestampValue' in v) {
    const ts = parsedTimestamp(v.timestampValue);
    return { type, num: ts.seconds, sub: ts.nanos };
  }
  if ('integerValue' in v) {
    // Integers beyond 2^53 lose precision as numbers: leave them to the exact comparison.
    return v.integerValue.length < 16 ? { type, num: Number(v.integerValue) } : { type };
  }
  if ('doubleValue' in v) {
    const n = typeof v.doubleValue === 'number' ? v.doubleValue : Number.NaN;
    return Number.isNaN(n) ? { type } : { type, num: n };
  }
  return { type };
}

function compareComponent(a: Value, b: Value, fa: SortForm | undefined, fb: SortForm | undefined): number {
  if (fa && fb) {
    if (fa.type !== fb.type) return fa.type < fb.type ? -1 : 1;
    if (fa.num !== undefined && fb.num !== undefined) {
      if (fa.num !== fb.num) return fa.num < fb.num ? -1 : 1;
      const sa = fa.sub ?? 0;
      const sb = fb.sub ?? 0;
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
    if (fa.str !== undefined && fb.str !== undefined) return compareUtf8(fa.str, fb.str);
  }
  return compareValues(a, b);
}

export function indexName(fields: readonly IndexField[], nameDesc: boolean): string {
  return fields.map((f) => `${fieldPathKey(f.path)} ${f.desc ? 'desc' : 'asc'}`).join(', ') + `, __name__ ${nameDesc ? 'desc' : 'asc'}`;
}

/**
 * An in-memory composite index over one collection: documents that have every indexed
 * field, ordered by those fields (each ascending or descending) and then by document id.
 * Like a Firestore index it lets `a == x AND b == y ORDER BY c` read only the matching
 * range in order instead of scanning and sorting the collection.
 */
export class SortedIndex {
  readonly name: string;
  private readonly tree: BTree<IndexKey, StoredDocument>;
  /** Each indexed document's key (by id), so a later write finds it without recomputing it. */
  private readonly keys = new Map<string, IndexKey>();
  /** Last time a query used this index (for eviction of unused indexes). */
  lastUsed = 0;

  constructor(
    readonly fields: readonly IndexField[],
    readonly nameDesc: boolean,
  ) {
    this.name = indexName(fields, nameDesc);
    this.tree = new BTree<IndexKey, StoredDocument>(undefined, (a, b) => this.compareKeys(a, b));
  }

  get size(): number {
    return this.tree.size;
  }

  private compareKeys(a: IndexKey, b: IndexKey): number {
    const n = Math.min(a.values.length, b.values.length);
    for (let i = 0; i < n; i++) {
      const c = compareComponent(a.values[i]!, b.values[i]!, a.sort?.[i], b.sort?.[i]);
      if (c !== 0) return this.fields[i]!.desc ? -c : c;
    }
    // A shorter key is a range sentinel that sorts before every key it prefixes.
    if (a.values.length !== b.values.length) return a.values.length < b.values.length ? -1 : 1;
    if (a.id === b.id) return 0;
    if (a.id === '') return -1;
    if (b.id === '') return 1;
    const c = compareSegments(a.id, b.id);
    return this.nameDesc ? -c : c;
  }

  keyFor(doc: StoredDocument): IndexKey | undefined {
    const values: Value[] = [];
    for (const f of this.fields) {
      const v = getField(doc.fields, f.path);
      if (v === undefined) return undefined;
      values.push(v);
    }
    return { values, sort: values.map(sortForm), id: lastSegment(doc.path) };
  }

  add(doc: StoredDocument): void {
    const key = this.keyFor(doc);
    if (key) {
      this.tree.set(key, doc);
      this.keys.set(key.id, key);
    }
  }

  remove(doc: StoredDocument): void {
    const id = lastSegment(doc.path);
    const key = this.keys.get(id);
    if (key) {
      this.tree.delete(key);
      this.keys.delete(id);
    }
  }

  /**
   * Moves a document from its previous version's place to its new one's. A write that leaves
   * the indexed fields as they were (a heartbeat, a counter) only swaps the stored version.
   */
  update(before: StoredDocument | null, after: StoredDocument | null): void {
    if (!after) {
      if (before) this.remove(before);
      return;
    }
    const next = this.keyFor(after);
    const old = this.keys.get(lastSegment(after.path));
    if (old && next && this.compareKeys(old, next) === 0) {
      this.tree.set(old, after);
      return;
    }
    if (before) this.remove(before);
    if (next) {
      this.tree.set(next, after);
      this.keys.set(next.id, next);
    }
  }

  /** Documents whose leading index values equal `prefix`, in index order. */
  *scan(prefix: readonly Value[]): IterableIterator<StoredDocument> {
    const low: IndexKey = { values: prefix, sort: prefix.map(sortForm), id: '' };
    for (const [key, doc] of this.tree.entries(low)) {
      for (let i = 0; i < prefix.length; i++) {
        if (compareValues(key.values[i]!, prefix[i]!) !== 0) return;
      }
      yield doc;
    }
  }
}

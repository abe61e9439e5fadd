import type { FieldPath, StoredDocument, Value } from '../model/index.js';
import { compareSegments, compareValues, fieldPathKey, getField, lastSegment } from '../model/index.js';
import { BTree } from './btree.js';

export interface IndexField {
  readonly path: FieldPath;
  readonly desc: boolean;
}

export interface IndexKey {
  readonly values: readonly Value[];
  /** Document id inside the collection; '' in a range sentinel. */
  readonly id: string;
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
      const c = compareValues(a.values[i]!, b.values[i]!);
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
    return { values, id: lastSegment(doc.path) };
  }

  add(doc: StoredDocument): void {
    const key = this.keyFor(doc);
    if (key) this.tree.set(key, doc);
  }

  remove(doc: StoredDocument): void {
    const key = this.keyFor(doc);
    if (key) this.tree.delete(key);
  }

  /** Documents whose leading index values equal `prefix`, in index order. */
  *scan(prefix: readonly Value[]): IterableIterator<StoredDocument> {
    const low: IndexKey = { values: prefix, id: '' };
    for (const [key, doc] of this.tree.entries(low)) {
      for (let i = 0; i < prefix.length; i++) {
        if (compareValues(key.values[i]!, prefix[i]!) !== 0) return;
      }
      yield doc;
    }
  }
}

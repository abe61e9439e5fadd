import type { StoredDocument } from '../model/index.js';
import { compareSegments, lastSegment, parentOfCollection } from '../model/index.js';
import { BTree } from './btree.js';
import type { IndexField } from './sorted-index.js';
import { SortedIndex, indexName } from './sorted-index.js';
import { VersionChain } from './version-chain.js';

/** At most this many lazily built indexes per collection; the least recently used goes. */
const MAX_INDEXES = 16;

/**
 * The documents of one collection (all versions), sorted by document id in Firestore order,
 * plus the indexes queries asked for.
 */
export class Collection {
  readonly id: string;
  readonly parentPath: string;
  readonly docs = new BTree<string, VersionChain>(undefined, compareSegments);
  private readonly indexes = new Map<string, SortedIndex>();
  liveCount = 0;

  constructor(readonly path: string) {
    this.id = lastSegment(path);
    this.parentPath = parentOfCollection(path);
  }

  chain(id: string): VersionChain | undefined {
    return this.docs.get(id);
  }

  chainFor(id: string): VersionChain {
    let chain = this.docs.get(id);
    if (!chain) {
      chain = new VersionChain();
      this.docs.set(id, chain);
    }
    return chain;
  }

  /** Keeps counters and indexes in step with a committed change of one document. */
  onWrite(before: StoredDocument | null, after: StoredDocument | null): void {
    if (!before && after) this.liveCount++;
    if (before && !after) this.liveCount--;
    for (const index of this.indexes.values()) index.update(before, after);
  }

  /** Live documents in id order. */
  *liveDocs(): IterableIterator<StoredDocument> {
    for (const chain of this.docs.values()) {
      const doc = chain.latest();
      if (doc) yield doc;
    }
  }

  /** Documents as of `readTime` (undefined: latest) in id order. */
  *docsAt(readTime: bigint | undefined): IterableIterator<StoredDocument> {
    if (readTime === undefined) {
      yield* this.liveDocs();
      return;
    }
    for (const chain of this.docs.values()) {
      const doc = chain.at(readTime);
      if (doc) yield doc;
    }
  }

  index(fields: readonly IndexField[], nameDesc: boolean, now: number): SortedIndex {
    const name = indexName(fields, nameDesc);
    let index = this.indexes.get(name);
    if (!index) {
      index = new SortedIndex(fields, nameDesc);
      for (const doc of this.liveDocs()) index.add(doc);
      if (this.indexes.size >= MAX_INDEXES) this.evictIndex();
      this.indexes.set(name, index);
    }
    index.lastUsed = now;
    return index;
  }

  private evictIndex(): void {
    let oldest: SortedIndex | undefined;
    for (const idx of this.indexes.values()) if (!oldest || idx.lastUsed < oldest.lastUsed) oldest = idx;
    if (oldest) this.indexes.delete(oldest.name);
  }

  indexNames(): string[] {
    return [...this.indexes.keys()];
  }
}

import type { CollectionKey } from '../schema/names.js';
import type { DocOf } from '../schema/documents.js';

/** A document address: collection key (resolved to a prefixed name by the adapter) and id. */
export interface DocRef<K extends CollectionKey = CollectionKey> {
  collection: K;
  id: string;
}

/**
 * A planned write in domain shape. `set` replaces the whole document: planners only emit it
 * for documents they read in the same transaction, so no concurrent field is lost.
 */
export type DocMutation = {
  [K in CollectionKey]:
    | { op: 'set'; collection: K; id: string; data: DocOf<K> }
    | { op: 'delete'; collection: K; id: string };
}[CollectionKey];

export function refKey(ref: DocRef): string {
  return `${ref.collection}/${ref.id}`;
}

/** Documents read for a planner, looked up by reference; `null` = read and absent. */
export interface ReadDocs {
  get<K extends CollectionKey>(collection: K, id: string): DocOf<K> | null;
}

/** Builds a `ReadDocs` from what an adapter read. Asking for an unread document is a bug. */
export function readDocsFrom(entries: Iterable<{ ref: DocRef; doc: unknown }>): ReadDocs {
  const map = new Map<string, unknown>();
  for (const { ref, doc } of entries) map.set(refKey(ref), doc);
  return {
    get<K extends CollectionKey>(collection: K, id: string): DocOf<K> | null {
      const key = refKey({ collection, id });
      if (!map.has(key)) throw new Error(`planner asked for ${key}, which was not read`);
      return (map.get(key) ?? null) as DocOf<K> | null;
    },
  };
}

import { hashKey } from '@tanstack/query-core';
import type { CollectionKey } from '@fq/worker/schema';
import { queryKeys } from '../live/keys';
import type { LiveSource } from '../live/types';
import type { DataPort } from './port';
import type { Row } from './rows';
import type { DocOf } from './schemas';
import type { DocSpec, QuerySpec } from './specs';

export interface Sources {
  readonly prefix: string;
  doc<K extends CollectionKey>(spec: DocSpec<K>): LiveSource<Row<DocOf<K>> | null>;
  query<K extends CollectionKey>(spec: QuerySpec<K>): LiveSource<Row<DocOf<K>>[]>;
}

/**
 * Live sources over a DataPort, memoised by key: asking twice for the same spec returns the
 * same object, which lets React effects depend on it without re-subscribing each render.
 */
export function createSources(port: DataPort, prefix: string, maxCached = 500): Sources {
  const cache = new Map<string, LiveSource<unknown>>();
  const remember = <T>(source: LiveSource<T>): LiveSource<T> => {
    const hash = hashKey(source.key);
    const hit = cache.get(hash);
    if (hit) return hit as LiveSource<T>;
    cache.set(hash, source as LiveSource<unknown>);
    if (cache.size > maxCached) cache.delete(cache.keys().next().value as string);
    return source;
  };
  return {
    prefix,
    doc: (spec) => remember({ key: queryKeys.doc(prefix, spec), subscribe: (sink) => port.watchDoc(spec, sink) }),
    query: (spec) => remember({ key: queryKeys.query(prefix, spec), subscribe: (sink) => port.watchQuery(spec, sink) }),
  };
}

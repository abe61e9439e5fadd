import type { DocSpec, QuerySpec } from '../data/specs';

/**
 * Query-key factory. Every key starts with ['fq', prefix] so one tenant's cache never mixes
 * with another's and `invalidateQueries({ queryKey: queryKeys.all(prefix) })` resets all.
 * Specs are plain JSON, so TanStack's stable hashing treats equal specs as one key.
 */
export const queryKeys = {
  all: (prefix: string) => ['fq', prefix] as const,
  doc: (prefix: string, spec: DocSpec) => ['fq', prefix, 'doc', spec.collection, spec.id] as const,
  query: (prefix: string, spec: QuerySpec) =>
    ['fq', prefix, 'query', spec.collection, { where: spec.where, orderBy: spec.orderBy, limit: spec.limit }] as const,
  /** One fetched page of a paged table: the spec plus the cursor it starts after. */
  page: (prefix: string, spec: QuerySpec, cursor: string | null) =>
    [
      'fq',
      prefix,
      'page',
      spec.collection,
      { where: spec.where, orderBy: spec.orderBy, limit: spec.limit },
      cursor,
    ] as const,
  pagesOf: (prefix: string, collection: string) => ['fq', prefix, 'page', collection] as const,
};

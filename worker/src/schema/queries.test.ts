import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COLLECTION_BASE_NAMES, type CollectionKey } from './names.js';
import { QUERIES, assertRegisteredQuery, registeredIndexRequirements, registeredQueryName, UnregisteredQueryError } from './queries.js';
import { buildQuery, indexFields, indexServes, requiredIndex, type IndexField, type QueryFootprint } from './query-shape.js';

interface DeclaredIndex {
  collectionGroup: string;
  queryScope: string;
  fields: IndexField[];
}

/** The file `firebase deploy --only firestore:indexes` reads, with the default (unprefixed) names. */
const declared = (
  JSON.parse(readFileSync(new URL('../../../firestore.indexes.json', import.meta.url), 'utf8')) as { indexes: DeclaredIndex[] }
).indexes;

const collectionOf = (group: string): CollectionKey | undefined =>
  (Object.keys(COLLECTION_BASE_NAMES) as CollectionKey[]).find((k) => COLLECTION_BASE_NAMES[k] === group);

const q = (collection: CollectionKey, where: [string, QueryFootprint['where'][number]['op']][], orderBy: [string, ('asc' | 'desc')?][] = []): QueryFootprint => ({
  collection,
  where: where.map(([field, op]) => ({ field, op })),
  orderBy: orderBy.map(([field, direction]) => ({ field, ...(direction ? { direction } : {}) })),
});

describe('firestore.indexes.json against every registered query', () => {
  it('declares a composite index for every query shape (and optional-filter variant) that needs one', () => {
    const missing = registeredIndexRequirements()
      .filter(({ requirement }) => !declared.some((d) => d.queryScope === 'COLLECTION' && collectionOf(d.collectionGroup) === requirement.collection && indexServes(d.fields, requirement)))
      .map(({ name, requirement }) => `${name}: ${JSON.stringify({ collectionGroup: COLLECTION_BASE_NAMES[requirement.collection], queryScope: 'COLLECTION', fields: indexFields(requirement) })}`)
      .filter((line, i, all) => all.indexOf(line) === i);
    expect(missing, `add to firestore.indexes.json:\n${missing.join('\n')}`).toEqual([]);
  });

  it('declares no index that no registered query uses (each one costs a write per indexed document)', () => {
    const needed = registeredIndexRequirements().map((r) => r.requirement);
    const unused = declared.filter((d) => !needed.some((r) => collectionOf(d.collectionGroup) === r.collection && indexServes(d.fields, r)));
    expect(unused.map((d) => `${d.collectionGroup}(${d.fields.map((f) => f.fieldPath).join(', ')})`)).toEqual([]);
  });

  it('uses only Firequeue collections with their default names', () => {
    for (const d of declared) expect(collectionOf(d.collectionGroup), d.collectionGroup).toBeDefined();
  });

  it('covers the indexes the dashboard and the end-user hook are known to need', () => {
    const has = (group: string, fields: [string, 'ASCENDING' | 'DESCENDING'][]) =>
      declared.some((d) => d.collectionGroup === group && JSON.stringify(d.fields.map((f) => [f.fieldPath, 'order' in f ? f.order : ''])) === JSON.stringify(fields));
    expect(has('transcription_queue', [['userId', 'ASCENDING'], ['createdAt', 'DESCENDING']])).toBe(true);
    expect(has('transcription_queue', [['status', 'ASCENDING'], ['createdAt', 'DESCENDING']])).toBe(true);
    expect(has('transcription_queue', [['userId', 'ASCENDING'], ['status', 'ASCENDING'], ['createdAt', 'DESCENDING']])).toBe(true);
    expect(has('transcription_enterprise_analytics', [['granularity', 'ASCENDING'], ['periodStart', 'DESCENDING']])).toBe(true);
  });
});

describe('requiredIndex (Firestore index rules)', () => {
  it('needs no composite index for one field: a filter, an order, or an inequality ordered on itself', () => {
    expect(requiredIndex(q('jobs', [['status', '==']]))).toBeNull();
    expect(requiredIndex(q('jobs', [['status', 'in']]))).toBeNull();
    expect(requiredIndex(q('jobs', [], [['createdAt', 'desc']]))).toBeNull();
    expect(requiredIndex(q('jobs', [['expireAt', '<='], ['expireAt', '>']], [['expireAt']]))).toBeNull();
    expect(requiredIndex(q('jobs', [['createdAt', '>='], ['createdAt', '<']], [['createdAt', 'desc']]))).toBeNull();
  });

  it('puts equality fields first, then the order, then unnamed inequality fields', () => {
    expect(requiredIndex(q('jobs', [['status', '=='], ['priority', 'in']], [['rank']]))).toEqual({
      collection: 'jobs',
      equality: ['priority', 'status'],
      contains: [],
      sort: [{ fieldPath: 'rank', order: 'ASCENDING' }],
    });
    expect(requiredIndex(q('jobs', [['lease.owner', '=='], ['cancelRequest', '!=']]))?.sort).toEqual([{ fieldPath: 'cancelRequest', order: 'ASCENDING' }]);
    expect(requiredIndex(q('jobs', [['userId', '=='], ['createdAt', '>=']], [['createdAt', 'desc']]))?.sort).toEqual([
      { fieldPath: 'createdAt', order: 'DESCENDING' },
    ]);
    // A range on one field ordered by another: both, order first.
    expect(requiredIndex(q('jobs', [['rank', '<']], [['createdAt', 'desc']]))?.sort.map((s) => s.fieldPath)).toEqual(['createdAt', 'rank']);
    expect(requiredIndex(q('jobs', [['tags', 'array-contains'], ['userId', '==']]))).toMatchObject({ equality: ['userId'], contains: ['tags'] });
  });

  it('matches declared indexes by equality set, then exact order and direction', () => {
    const req = requiredIndex(q('jobs', [['status', '=='], ['userId', '==']], [['createdAt', 'desc']]))!;
    const f = (fieldPath: string, order: 'ASCENDING' | 'DESCENDING' = 'ASCENDING'): IndexField => ({ fieldPath, order });
    expect(indexServes([f('userId'), f('status'), f('createdAt', 'DESCENDING')], req)).toBe(true);
    expect(indexServes([f('status'), f('userId'), f('createdAt', 'DESCENDING'), f('__name__', 'DESCENDING')], req)).toBe(true);
    expect(indexServes([f('userId'), f('status'), f('createdAt')], req)).toBe(false);
    expect(indexServes([f('createdAt', 'DESCENDING'), f('userId'), f('status')], req)).toBe(false);
    expect(indexServes([f('userId'), f('createdAt', 'DESCENDING')], req)).toBe(false);
  });
});

describe('the registry', () => {
  it('builds queries from shapes, leaving out optional filters without a value', () => {
    expect(buildQuery(QUERIES.jobSearch, { status: 'queued', from: 5 }, { limit: 10 })).toEqual({
      collection: 'jobs',
      where: [
        { field: 'status', op: '==', value: 'queued' },
        { field: 'createdAt', op: '>=', value: 5 },
      ],
      orderBy: [{ field: 'createdAt', direction: 'desc' }],
      limit: 10,
    });
    // @ts-expect-error a required value is missing
    expect(() => buildQuery(QUERIES.claimableHead, {})).toThrow(/no value for status/);
  });

  it('recognises instances of registered shapes and refuses unregistered queries that need a composite index', () => {
    expect(registeredQueryName(buildQuery(QUERIES.claimableHead, { status: 'queued', priority: ['low'] }))).toBe('claimableHead');
    // The flow's queue head: same shape, order without an explicit direction.
    expect(registeredQueryName(q('jobs', [['status', '==']], [['rank']]))).toBe('claimableHead');
    expect(() => assertRegisteredQuery(q('jobs', [['status', '==']], [['updatedAt', 'desc']]))).toThrow(UnregisteredQueryError);
    expect(() => assertRegisteredQuery(q('jobs', [['userId', '==']]))).not.toThrow(); // single field: any query may
  });
});

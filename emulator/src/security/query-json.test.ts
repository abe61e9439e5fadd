import { describe, expect, it } from 'vitest';
import { parseStructuredQuery } from '../query/index.js';
import { collectionListingJson, queryToJson } from './query-json.js';

const field = (fieldPath: string) => ({ fieldPath });

describe('queryToJson', () => {
  it('gives rules the client query: selector, filters, explicit orders, limit, offset', () => {
    const where = {
      compositeFilter: {
        op: 'AND',
        filters: [
          { fieldFilter: { field: field('userId'), op: 'EQUAL', value: { stringValue: 'u1' } } },
          { fieldFilter: { field: field('status'), op: 'IN', value: { arrayValue: { values: [{ stringValue: 'queued' }, { stringValue: 'running' }] } } } },
          { unaryFilter: { op: 'IS_NOT_NULL', field: field('`odd.name`') } },
        ],
      },
    };
    const q = parseStructuredQuery(
      { from: [{ collectionId: 'jobs' }], where, orderBy: [{ field: field('createdAt'), direction: 'DESCENDING' }], limit: { value: 20 }, offset: 5 },
      'tenants/t1',
    );
    expect(queryToJson(q)).toEqual({
      from: [{ collectionId: 'jobs' }],
      where,
      orderBy: [{ field: field('createdAt'), direction: 'DESCENDING' }],
      limit: 20,
      offset: 5,
    });
  });

  it('leaves out the orders Firestore adds (inequality fields, __name__) and keeps collection groups', () => {
    const q = parseStructuredQuery(
      { from: [{ collectionId: 'jobs', allDescendants: true }], where: { fieldFilter: { field: field('rank'), op: 'GREATER_THAN', value: { integerValue: '3' } } } },
      '',
    );
    expect(q.orderBy.length).toBeGreaterThan(0);
    expect(queryToJson(q)).toEqual({
      from: [{ collectionId: 'jobs', allDescendants: true }],
      where: { fieldFilter: { field: field('rank'), op: 'GREATER_THAN', value: { integerValue: '3' } } },
    });
  });

  it('a vector search is bounded by its own limit', () => {
    const q = parseStructuredQuery(
      {
        from: [{ collectionId: 'docs' }],
        findNearest: { vectorField: field('v'), queryVector: { mapValue: { fields: { __type__: { stringValue: '__vector__' }, value: { arrayValue: { values: [{ doubleValue: 1 }] } } } } }, distanceMeasure: 'EUCLIDEAN', limit: 7 },
      },
      '',
    );
    expect(queryToJson(q).limit).toBe(7);
  });

  it('a plain collection listing is an unconstrained query', () => {
    expect(collectionListingJson('items')).toEqual({ from: [{ collectionId: 'items' }] });
  });
});

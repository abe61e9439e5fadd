import { describe, expect, it } from 'vitest';
import { QUERIES, UnregisteredQueryError } from '../../schema/queries.js';
import { queryOf } from '../../ports/store.js';
import { describeStoreContract } from '../store.contract.js';
import { MemoryDatabase, MemoryStore } from './memory-store.js';

// The contract exercises query semantics with arbitrary shapes, not the product's queries.
describeStoreContract('memory', async () => {
  const shared = new MemoryDatabase();
  const store = new MemoryStore({ shared, prefix: 't_', checkQueryIndexes: false });
  const other = new MemoryStore({ shared, prefix: 't_', checkQueryIndexes: false });
  return {
    store,
    other,
    writeRaw: async (collection, id, data) => store.writeRaw(collection, id, data),
    cleanup: async () => void (await Promise.all([store.close(), other.close()])),
  };
});

describe('MemoryStore index check', () => {
  it('refuses a query that needs a composite index unless it is built from a registered shape', async () => {
    const store = new MemoryStore();
    const unregistered = { collection: 'jobs' as const, where: [{ field: 'status', op: '==' as const, value: 'queued' }], orderBy: [{ field: 'updatedAt' }] };
    await expect(store.query(unregistered)).rejects.toBeInstanceOf(UnregisteredQueryError);
    await expect(store.count(unregistered)).rejects.toBeInstanceOf(UnregisteredQueryError);
    const failure = await new Promise<Error>((resolve) => store.listen(unregistered, () => undefined, resolve));
    expect(failure).toBeInstanceOf(UnregisteredQueryError);
    // Registered shapes and single-field queries run.
    await expect(store.query(queryOf(QUERIES.claimableHead, { status: 'queued', priority: ['low'] }, { limit: 5 }))).resolves.toMatchObject({ docs: [] });
    await expect(store.count({ collection: 'jobs', where: [{ field: 'userId', op: '==', value: 'u' }] })).resolves.toBe(0);
    await store.close();
  });
});

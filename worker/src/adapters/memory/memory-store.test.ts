import { describeStoreContract } from '../store.contract.js';
import { MemoryDatabase, MemoryStore } from './memory-store.js';

describeStoreContract('memory', async () => {
  const shared = new MemoryDatabase();
  const store = new MemoryStore({ shared, prefix: 't_' });
  const other = new MemoryStore({ shared, prefix: 't_' });
  return { store, other, cleanup: async () => void (await Promise.all([store.close(), other.close()])) };
});

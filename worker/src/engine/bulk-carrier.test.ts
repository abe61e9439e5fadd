import { MemoryDatabase, MemoryStore } from '../adapters/memory/memory-store.js';
import { FakeClock } from '../testing/fake-clock.js';
import type { EngineFixtureFactory } from '../testing/engine-fixture.js';
import { describeBulkCarrierContract } from './bulk-carrier.contract.js';

const memoryFixture: EngineFixtureFactory = async (prefix) => {
  const clock = new FakeClock();
  const shared = new MemoryDatabase();
  const a = new MemoryStore({ shared, prefix, clock });
  const b = new MemoryStore({ shared, prefix, clock });
  return {
    stores: [a, b],
    clock,
    passTime: (ms) => clock.advance(ms),
    writeRaw: async (collection, id, data) => a.writeRaw(collection, id, data),
    cleanup: async () => void (await Promise.all([a.close(), b.close()])),
  };
};

describeBulkCarrierContract('memory', memoryFixture, { jobs: 3_000, leaseMs: 20_000 });

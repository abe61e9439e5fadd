import { describe, expect, it } from 'vitest';
import { createQueueClient } from './index.js';
import { makeWav } from './test/audio.js';
import { T0, memoryStorage } from './test/factories.js';
import { FakeStore } from './test/fakeStore.js';

describe("the submitter's e-mail on a browser submission", () => {
  const submitAs = async (userEmail: string | null | undefined) => {
    const store = new FakeStore();
    store.serverNow = () => T0;
    const client = createQueueClient({
      store,
      userId: 'u-1',
      ...(userEmail === undefined ? {} : { userEmail }),
      storage: memoryStorage(),
      clock: { now: () => T0 },
      tickMs: 0,
    });
    const id = await client.submit(makeWav(0.1), { mimeType: 'audio/wav' });
    return store.doc('jobs', id) as Record<string, unknown>;
  };

  it('writes the signed-in e-mail and its lowercased copy (the rules compare both with the token)', async () => {
    expect(await submitAs('Ann@Example.com')).toMatchObject({ userEmail: 'Ann@Example.com', userEmailLower: 'ann@example.com' });
  });

  it('writes null for an account without an e-mail, and nothing when the app does not say', async () => {
    expect(await submitAs(null)).toMatchObject({ userEmail: null, userEmailLower: null });
    const silent = await submitAs(undefined);
    expect(silent).not.toHaveProperty('userEmail');
    expect(silent).not.toHaveProperty('userEmailLower');
  });
});

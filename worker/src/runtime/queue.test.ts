import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { FakeClock } from '../testing/fake-clock.js';
import { createQueue } from './queue.js';

describe('createQueue job lookups', () => {
  it('refuses a job id that cannot name a document with ValidationError, and reads nothing', async () => {
    const store = new MemoryStore({ clock: new FakeClock() });
    const queue = createQueue({ store, clock: new FakeClock() });
    for (const jobId of ['a/b', '..', '__x__', 'j\ud800', '']) {
      await expect(queue.getJob(jobId), JSON.stringify(jobId)).rejects.toBeInstanceOf(ValidationError);
      await expect(queue.waitForJob(jobId), JSON.stringify(jobId)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(store.meter.reads).toBe(0);
    await expect(queue.getJob('no-such-job')).resolves.toBeNull();
    await store.close();
  });
});

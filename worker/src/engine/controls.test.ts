import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../adapters/memory/index.js';
import { jobDocSchema, type JobDoc } from '../schema/job.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext } from '../testing/engine-fixture.js';
import { RollupMerger } from './analytics/merger.js';
import { applyControl } from './controls.js';

const admin = { kind: 'admin' as const, id: 'ops', email: null };

function job(status: JobDoc['status'], now: number): JobDoc {
  return jobDocSchema.parse({
    status,
    priority: 'normal',
    userId: 'u',
    audio: { mimeType: 'audio/wav', bytes: 100, chunkCount: 0 },
    source: 'server',
    createdAt: now - 10_000,
    updatedAt: now - 5_000,
    maxAttempts: 3,
    completedAt: status === 'dead_lettered' ? now - 5_000 : null,
  });
}

describe("the worker's control API", () => {
  it("counts redrives and cancels in the rollups through the control's own partial, the one a console's control writes too", async () => {
    const clock = new FakeClock();
    const store = createMemoryStore({ clock });
    const now = clock.now();
    await store.commit([
      { op: 'set', collection: 'jobs', id: 'd1', data: job('dead_lettered', now) },
      { op: 'set', collection: 'jobs', id: 'd2', data: job('dead_lettered', now) },
      { op: 'set', collection: 'jobs', id: 'q1', data: job('queued', now) },
    ]);
    // No analytics recorder: the counts travel in the plan, not in this process's memory.
    const api = engineContext(store, { serverId: 'api', clock });
    await applyControl(api, { type: 'job.redrive', jobIds: ['d1', 'd2'] }, admin);
    await applyControl(api, { type: 'job.cancel', jobIds: ['q1'] }, admin);
    await applyControl(api, { type: 'job.retry', jobIds: ['d1'] }, admin).catch(() => null);
    await new RollupMerger(engineContext(store, { serverId: 'leader', clock })).run();
    const minutes = await store.query({ collection: 'analytics', where: [{ field: 'granularity', op: '==', value: 'minute' }] });
    const total = (key: 'redriven' | 'cancelled' | 'retried') => minutes.docs.reduce((n, d) => n + d.data.counters[key], 0);
    expect([total('redriven'), total('cancelled'), total('retried')]).toEqual([2, 1, 0]);
  });
});

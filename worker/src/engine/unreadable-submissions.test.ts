import { describe, expect, it } from 'vitest';
import { clientSubmissionSchema } from '../schema/job.js';
import { QUERIES } from '../schema/queries.js';
import { planSubmission } from '../core/submission.js';
import { queryOf } from '../ports/store.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { StraySubmissionSweep } from './unreadable-submissions.js';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, prefix: uniquePrefix('stray') });
  return { store, sweep: new StraySubmissionSweep(engineContext(store, { serverId: 'leader', clock })) };
}

/** A stored submission with id `jobId` (raw fields, `patch` applied; `undefined` removes a field) and its chunks. */
async function submission(store: MemoryStore, jobId: string, patch: Record<string, unknown> = {}): Promise<void> {
  const plan = await planSubmission({ audio: makeWav(0.1), mimeType: 'audio/wav', userId: 'u' }, { now: store.now(), source: 'client', jobId });
  await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  const raw: Record<string, unknown> = { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete raw[k];
  store.writeRaw('jobs', jobId, raw);
}

const statusOf = async (store: MemoryStore, id: string) => {
  const read = await store.runTransaction((tx) => tx.getLenient('jobs', id));
  return read.kind === 'decoded' ? read.doc.status : read.kind === 'undecodable' ? read.raw.status : null;
};

describe('StraySubmissionSweep', () => {
  it('rejects a submission without createdAt, which the admitters\u2019 ordered query never returns', async () => {
    const { store, sweep } = setup();
    await submission(store, 'no-created-at', { createdAt: undefined });
    const head = await store.query(queryOf(QUERIES.submittedJobs, { status: 'submitted' }, { limit: 50 }));
    expect([...head.docs, ...head.undecodable]).toEqual([]);
    expect(await sweep.run()).toBe(1);
    expect(await statusOf(store, 'no-created-at')).toBe('rejected');
    expect(await store.count({ collection: 'payloads' })).toBe(0);
    expect(await sweep.run()).toBe(0);
  });

  it('pages through every submitted job across passes, leaving readable ones to the admitters', async () => {
    const { store, sweep } = setup();
    for (let i = 0; i < 7; i++) await submission(store, `a-readable-${i}`);
    for (let i = 0; i < 3; i++) await submission(store, `z-stray-${i}`, { createdAt: undefined, metadata: { x: { y: 1 } } });
    const rejected: number[] = [];
    for (let pass = 0; pass < 3; pass++) rejected.push(await sweep.run(4));
    expect(rejected.reduce((a, b) => a + b, 0)).toBe(3);
    for (let i = 0; i < 3; i++) expect(await statusOf(store, `z-stray-${i}`)).toBe('rejected');
    for (let i = 0; i < 7; i++) expect(await statusOf(store, `a-readable-${i}`)).toBe('submitted');
    // The page after the last was short, so the next pass starts over; a newcomer is found in turn.
    expect(await sweep.run(4)).toBe(0);
    await submission(store, 'z-late-stray', { createdAt: undefined });
    expect(await sweep.run(4)).toBe(1);
  });
});

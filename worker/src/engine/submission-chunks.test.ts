import { describe, expect, it } from 'vitest';
import { clientSubmissionSchema, decodeDoc } from '../schema/index.js';
import { planSubmission } from '../core/submission.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { Admission } from './admission.js';
import { missingChunksProblem } from './submission-chunks.js';

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, prefix: uniquePrefix('chunks') });
  return { store, admission: new Admission(engineContext(store, { serverId: 'w1', clock })) };
}

/** A browser submission of `seconds` of audio (120 s: 5 chunks), written without the chunks `skip` names. */
async function submission(store: MemoryStore, jobId: string, seconds: number, skip: number[] = []) {
  const plan = await planSubmission({ audio: makeWav(seconds), mimeType: 'audio/wav', userId: 'u' }, { now: store.now(), source: 'client', jobId });
  await store.commit(plan.chunks.filter((c) => !skip.includes(c.doc.index)).map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  store.writeRaw('jobs', jobId, clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }));
  return plan;
}

describe('every chunk of a browser submission is checked before admission', () => {
  it('a complete submission passes with one count', async () => {
    const { store } = setup();
    const plan = await submission(store, 'whole', 120);
    expect(plan.chunks.length).toBe(5);
    expect(await missingChunksProblem(store, 'whole', plan.submission)).toBeNull();
  });

  it('names the missing middle chunks', async () => {
    const { store } = setup();
    const plan = await submission(store, 'holes', 120, [1, 2]);
    expect(await missingChunksProblem(store, 'holes', plan.submission)).toBe('audio is incomplete: chunks 1, 2 of 5 missing');
  });

  it('admission rejects a job missing a middle chunk (PAYLOAD_INVALID), and admits a complete one', async () => {
    const { store, admission } = setup();
    await submission(store, 'missing-middle', 120, [2]);
    await submission(store, 'complete', 120);
    expect(await admission.admitSubmitted('missing-middle')).toBe('rejected');
    expect(await admission.admitSubmitted('complete')).toBe('admitted');
    const rejected = decodeDoc('jobs', (await store.get('jobs', 'missing-middle')).doc);
    expect(rejected.rejection).toMatchObject({ code: 'PAYLOAD_INVALID', message: 'audio is incomplete: chunk 2 of 5 missing' });
  });
});

import { describe, expect, it } from 'vitest';
import { clientSubmissionSchema, jobDocSchema } from '../schema/index.js';
import { planSubmission } from '../core/submission.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { pcmWav } from '../testing/audio-files.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { Admission } from './admission.js';

const audio = pcmWav({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 0.2 });

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, prefix: uniquePrefix('email') });
  return { store, admission: new Admission(engineContext(store, { serverId: 'w1', clock })) };
}

describe("the submitter's e-mail on the job (the console searches by its lowercased copy)", () => {
  it('a server enqueue records the e-mail it is given, with the lowercased copy', async () => {
    const { store, admission } = setup();
    const { requestId } = await admission.enqueue({ audio, mimeType: 'audio/wav', userId: 'u-1', userEmail: 'Ann.Lee@Example.com' });
    expect((await store.get('jobs', requestId)).doc).toMatchObject({ userEmail: 'Ann.Lee@Example.com', userEmailLower: 'ann.lee@example.com' });
    const none = await admission.enqueue({ audio, mimeType: 'audio/wav', userId: 'u-2', userEmail: null });
    expect((await store.get('jobs', none.requestId)).doc).toMatchObject({ userEmail: null, userEmailLower: null });
  });

  it('an enqueue without one leaves both fields out (the document keeps its old shape)', async () => {
    const { store, admission } = setup();
    const { requestId } = await admission.enqueue({ audio, mimeType: 'audio/wav', userId: 'u-1' });
    const job = (await store.get('jobs', requestId)).doc!;
    expect(job).not.toHaveProperty('userEmail');
    expect(job).not.toHaveProperty('userEmailLower');
  });

  it('admission keeps the e-mail a browser wrote on its submission', async () => {
    const { store, admission } = setup();
    const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u-3', userEmail: 'Zoe@Example.com' }, { now: store.now(), source: 'client', jobId: 'browser' });
    await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
    store.writeRaw('jobs', 'browser', clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }) as Record<string, unknown>);
    expect(await admission.admitSubmitted('browser')).toBe('admitted');
    expect((await store.get('jobs', 'browser')).doc).toMatchObject({ status: 'queued', userEmail: 'Zoe@Example.com', userEmailLower: 'zoe@example.com' });
  });

  it('refuses an e-mail over 320 characters, and a submission whose lowercased copy disagrees', async () => {
    await expect(planSubmission({ audio, mimeType: 'audio/wav', userId: 'u', userEmail: `${'a'.repeat(320)}@x.io` }, { now: 0, source: 'server' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u', userEmail: 'A@B.c' }, { now: 0, source: 'client' });
    const doc = { ...plan.submission, source: 'client' as const };
    expect(clientSubmissionSchema.safeParse(doc).success).toBe(true);
    expect(clientSubmissionSchema.safeParse({ ...doc, userEmailLower: 'x@b.c' }).success).toBe(false);
    // Old documents (no e-mail) still parse.
    expect(jobDocSchema.shape.userEmail.safeParse(undefined).success).toBe(true);
  });
});

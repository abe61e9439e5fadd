import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { ValidationError } from '../core/errors.js';
import { pcmWav } from '../testing/audio-files.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { Admission } from './admission.js';

describe('enqueue with a job id the caller chose', () => {
  it('refuses an id that already names a job with a typed VALIDATION error, writing nothing', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock, prefix: uniquePrefix('jobid') });
    const admission = new Admission(engineContext(store, { serverId: 'w1', clock }));
    const audio = pcmWav({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 0.2 });
    await admission.enqueue({ audio, mimeType: 'audio/wav', userId: 'a' }, { jobId: 'constructor' });
    const second = admission.enqueue({ audio, mimeType: 'audio/wav', userId: 'b' }, { jobId: 'constructor' });
    await expect(second).rejects.toBeInstanceOf(ValidationError);
    await expect(second).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: 'jobId', message: 'constructor already names a job' }] });
    expect((await store.get('jobs', 'constructor')).doc?.userId).toBe('a');
    expect((await store.get('rateLimits', 'b')).doc).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { clientSubmissionSchema, decodeDoc } from '../schema/index.js';
import { planSubmission } from '../core/submission.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { cbrMp3, MP3_FRAME_SEC, pcmWav } from '../testing/audio-files.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { Admission } from './admission.js';
import type { AudioDurationReader } from './audio-duration.js';

const wav = (seconds: number) => pcmWav({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds });

function setup(readDuration?: AudioDurationReader) {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, prefix: uniquePrefix('duration') });
  const admission = new Admission(engineContext(store, { serverId: 'w1', clock }), readDuration ? { readDuration } : {});
  return { store, admission };
}

/** A browser submission (job + chunks as the rules let a client write them). */
async function clientSubmission(store: MemoryStore, jobId: string, audio: Uint8Array, durationSec: number | null, tamper?: (doc: Record<string, unknown>) => void) {
  const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: `user-${jobId}`, durationSec }, { now: store.now(), source: 'client', jobId });
  await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  const doc = clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }) as Record<string, unknown>;
  tamper?.(doc);
  store.writeRaw('jobs', jobId, doc);
}

describe('admission measures the audio instead of trusting the declared duration', () => {
  it('a server enqueue declaring 100 s for 2 s of audio is queued, ranked and budgeted as 2 s, and says so', async () => {
    const { store, admission } = setup();
    const lying = await admission.enqueue({ audio: wav(2), mimeType: 'audio/wav', userId: 'liar', durationSec: 100 });
    const honest = await admission.enqueue({ audio: wav(2), mimeType: 'audio/wav', userId: 'honest', durationSec: 2 });
    const long = await admission.enqueue({ audio: wav(100), mimeType: 'audio/wav', userId: 'long', durationSec: 2 });
    const job = (id: string) => store.get('jobs', id).then((r) => r.doc!);

    const liar = await job(lying.requestId);
    expect(liar.audio.durationSec).toBe(2);
    expect(liar.durationCheck).toEqual({ declaredSec: 100, measuredSec: 2, method: 'parsed', corrected: true, note: null });
    expect((await job(honest.requestId)).durationCheck).toMatchObject({ declaredSec: 2, measuredSec: 2, corrected: false });
    const understated = await job(long.requestId);
    expect(understated.audio.durationSec).toBe(100);
    expect(understated.durationCheck).toMatchObject({ declaredSec: 2, measuredSec: 100, corrected: true });

    // Fair share charges the measured length: the liar's virtual clock advanced exactly as
    // far as the honest user's, and less than the one whose 100 s were declared as 2.
    const vt = async (u: string) => (await store.get('rateLimits', u)).doc!.virtualTime!;
    expect(await vt('liar')).toBe(await vt('honest'));
    expect(await vt('long')).toBeGreaterThan(await vt('honest'));
  });

  it('measures formats other than WAV (an MP3 of 300 frames, nothing declared)', async () => {
    const { store, admission } = setup();
    const { requestId } = await admission.enqueue({ audio: cbrMp3(300), mimeType: 'audio/mpeg', userId: 'mp3' });
    const job = (await store.get('jobs', requestId)).doc!;
    expect(job.audio.durationSec).toBeCloseTo(300 * MP3_FRAME_SEC, 2);
    expect(job.durationCheck).toMatchObject({ declaredSec: null, method: 'parsed', corrected: false });
  });

  it('audio no parser can read gets the longest duration its size allows, recorded as an estimate', async () => {
    const { store, admission } = setup(async () => ({ kind: 'unparseable', reason: 'no parser for this' }));
    const audio = wav(4); // 128,044 bytes: 0.22 .. 8 s of WAV
    const { requestId } = await admission.enqueue({ audio, mimeType: 'audio/wav', userId: 'odd', durationSec: 60 });
    const job = (await store.get('jobs', requestId)).doc!;
    expect(job.audio.durationSec).toBe(Math.round((audio.length / 16_000) * 1000) / 1000);
    expect(job.durationCheck).toMatchObject({ declaredSec: 60, method: 'estimated', corrected: true });
    expect(job.durationCheck?.note).toMatch(/not parseable \(no parser for this\); 128044 bytes of audio\/wav hold 0\.222-8\.003 s/);
  });

  it('a browser submission is measured from its chunks: 3 s declared as 0.1 s is admitted as 3 s', async () => {
    const { store, admission } = setup();
    await clientSubmission(store, 'browser', wav(3), 0.1);
    expect(await admission.admitSubmitted('browser')).toBe('admitted');
    const job = decodeDoc('jobs', (await store.get('jobs', 'browser')).doc);
    expect(job.audio.durationSec).toBe(3);
    expect(job.durationCheck).toMatchObject({ declaredSec: 0.1, measuredSec: 3, method: 'parsed', corrected: true });
  });

  it('a browser submission whose chunks do not match its hash is rejected at admission, not when claimed', async () => {
    const { store, admission } = setup();
    await clientSubmission(store, 'corrupt', wav(1), 1, (doc) => {
      (doc.audio as Record<string, unknown>).sha256 = '0'.repeat(64);
    });
    expect(await admission.admitSubmitted('corrupt')).toBe('rejected');
    const job = decodeDoc('jobs', (await store.get('jobs', 'corrupt')).doc);
    expect(job.rejection).toMatchObject({ code: 'PAYLOAD_INVALID', message: expect.stringMatching(/sha256 does not match/) });
  });
});

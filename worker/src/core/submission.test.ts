import { describe, expect, it } from 'vitest';
import { PAYLOAD_LIMITS } from '../schema/payload.js';
import { clientSubmissionSchema } from '../schema/job.js';
import { decodeDoc, encodeDoc } from '../schema/documents.js';
import { makeWav } from '../testing/audio.js';
import { PayloadInvalidError, PayloadTooLargeError, ValidationError } from './errors.js';
import { seededRandom } from './ids.js';
import { assemblePayload, inlinePayload, planSubmission } from './submission.js';

const now = 1_700_000_000_000;

describe('planSubmission', () => {
  it('plans a client submission that satisfies the client schema, with a WAV duration', async () => {
    const audio = makeWav(2.5);
    const plan = await planSubmission(
      { audio, mimeType: 'audio/wav', userId: 'u1', priority: 'high', idempotencyKey: 'k1', metadata: { lang: 'en' } },
      { now, source: 'client', random: seededRandom(1) },
    );
    expect(plan.jobId).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(plan.submission.audio).toMatchObject({ bytes: audio.length, chunkCount: 1, durationSec: 2.5 });
    expect(plan.submission.audio.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The browser writes exactly this shape; security rules check the same fields.
    expect(() => clientSubmissionSchema.encode({ ...plan.submission, source: 'client' })).not.toThrow();
    const decoded = decodeDoc('jobs', clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }));
    expect(decoded).toMatchObject({ status: 'submitted', updatedAt: now, userId: 'u1' });
    expect(plan.chunks).toHaveLength(1);
    expect(plan.chunks[0]!.id).toBe(`${plan.jobId}_0000`);
  });

  it('splits large audio into chunks that reassemble to the same bytes', async () => {
    const audio = makeWav(60, { seed: 3 }); // ~1.9 MB
    const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', jobId: 'job-1' });
    expect(plan.chunks.length).toBe(Math.ceil(audio.length / PAYLOAD_LIMITS.chunkBytes));
    for (const c of plan.chunks) expect(c.doc.data.length).toBeLessThanOrEqual(PAYLOAD_LIMITS.chunkBytes);
    // Round trip through the stored shape, in reverse order.
    const stored = plan.chunks.map((c) => decodeDoc('payloads', encodeDoc('payloads', c.doc))).reverse();
    const back = await assemblePayload('job-1', plan.submission.audio, stored);
    expect(back.length).toBe(audio.length);
    expect(Buffer.compare(back, audio)).toBe(0); // toEqual on megabytes is slow
  });

  it('refuses oversize, empty, mislabelled and malformed input with typed errors', async () => {
    const big = new Uint8Array(PAYLOAD_LIMITS.maxAudioBytes + 1);
    big.set(makeWav(0.1).subarray(0, 44));
    await expect(planSubmission({ audio: big, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'client' })).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    await expect(
      planSubmission({ audio: new Uint8Array(), mimeType: 'audio/wav', userId: 'u' }, { now, source: 'client' }),
    ).rejects.toBeInstanceOf(PayloadInvalidError);
    await expect(
      planSubmission({ audio: makeWav(1), mimeType: 'audio/ogg', userId: 'u' }, { now, source: 'client' }),
    ).rejects.toThrow(/does not start with an Ogg page header/);
    const err = await planSubmission(
      { audio: makeWav(1), mimeType: 'audio/opus' as 'audio/ogg', userId: '', priority: 'asap' as 'low' },
      { now, source: 'client' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual(['mimeType', 'priority', 'userId']);
  });

  it('refuses a user id that cannot name its rate-limit document, with one issue per id', async () => {
    const bad = ['a/b', '/', 'trailing/', '.', '..', ' .. ', '__x__', '__name__', 'u\ud800', 'x'.repeat(129)];
    for (const userId of bad) {
      const err = await planSubmission({ audio: makeWav(0.1), mimeType: 'audio/wav', userId }, { now, source: 'server' }).catch((e: unknown) => e);
      expect(err, JSON.stringify(userId)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues, JSON.stringify(userId)).toHaveLength(1);
      expect((err as ValidationError).issues[0]!.path).toBe('userId');
    }
    // Legal document ids that look odd are fine (and the id is trimmed).
    for (const userId of ['__x', 'x__', 'a.b', '...', '%2e%2e%2f', 'é漢🎧', 'a\\b', ' padded ']) {
      const plan = await planSubmission({ audio: makeWav(0.1), mimeType: 'audio/wav', userId }, { now, source: 'server' });
      expect(plan.submission.userId).toBe(userId.trim());
    }
  });

  it('refuses lone UTF-16 surrogates in every string that would be stored', async () => {
    const base = { audio: makeWav(0.1), mimeType: 'audio/wav' as const, userId: 'u' };
    const cases: [string, Record<string, unknown>][] = [
      ['userId', { userId: 'u\ud800' }],
      ['sessionId', { sessionId: 's\udc00' }],
      ['idempotencyKey', { idempotencyKey: '\ud800k' }],
      ['model', { model: 'm\udbff' }],
      ['tier', { tier: 't\ud800' }],
      ['metadata.note', { metadata: { note: 'a\udc00b' } }],
    ];
    for (const [path, patch] of cases) {
      const err = await planSubmission({ ...base, ...patch }, { now, source: 'server' }).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path), path).toEqual([path]);
      expect((err as ValidationError).message).toMatch(/well-formed unicode/);
    }
    // Paired surrogates (emoji, the last code point) are well-formed.
    const plan = await planSubmission(
      { ...base, sessionId: '🧑‍🤝‍🧑', idempotencyKey: '\u{10FFFF}', metadata: { note: '🎧 é' } },
      { now, source: 'server' },
    );
    expect(plan.submission).toMatchObject({ sessionId: '🧑‍🤝‍🧑', idempotencyKey: '\u{10FFFF}', metadata: { note: '🎧 é' } });
  });

  it('refuses job ids Firestore reserves (__.*__) or that are not plain ids', async () => {
    for (const jobId of ['__x__', '____', '__name__', 'a/b', '..', '', 'x'.repeat(129), 5 as unknown as string]) {
      const err = await planSubmission({ audio: makeWav(0.1), mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', jobId }).catch(
        (e: unknown) => e,
      );
      expect(err, String(jobId)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]!.path).toBe('jobId');
    }
    for (const jobId of ['__x', 'x__', '__', '___', 'job-1_a']) {
      await expect(planSubmission({ audio: makeWav(0.1), mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', jobId })).resolves.toMatchObject({ jobId });
    }
  });

  it('lets only server callers pick a model or tier', async () => {
    await expect(
      planSubmission({ audio: makeWav(1), mimeType: 'audio/wav', userId: 'u', tier: 'gold' }, { now, source: 'client' }),
    ).rejects.toThrow(/only server callers/);
    const plan = await planSubmission(
      { audio: makeWav(1), mimeType: 'audio/wav', userId: 'u', tier: 'gold', model: 'm2' },
      { now, source: 'server' },
    );
    expect(plan).toMatchObject({ tier: 'gold', model: 'm2' });
  });
});

describe('planSubmission with inlineMaxBytes', () => {
  it('keeps audio of at most inlineMaxBytes for the job document (a copy, no chunks) and chunks one byte more', async () => {
    const audio = makeWav(0.5, { seed: 4 });
    const at = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', inlineMaxBytes: audio.length });
    expect(at.chunks).toEqual([]);
    expect(at.submission.audio).toMatchObject({ bytes: audio.length, chunkCount: 0 });
    expect(at.inlineAudio).toEqual(audio);
    expect(at.inlineAudio).not.toBe(audio);
    const over = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', inlineMaxBytes: audio.length - 1 });
    expect(over.inlineAudio).toBeNull();
    expect(over.submission.audio.chunkCount).toBe(1);
    expect(over.chunks).toHaveLength(1);
  });

  it('never inlines a client submission, off by default, and caps the threshold at maxInlineBytes', async () => {
    const small = makeWav(0.1);
    const client = await planSubmission({ audio: small, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'client', inlineMaxBytes: 65_536 });
    expect(client).toMatchObject({ inlineAudio: null, submission: { audio: { chunkCount: 1 } } });
    const unset = await planSubmission({ audio: small, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server' });
    expect(unset.inlineAudio).toBeNull();
    // 10 s of WAV (320,044 bytes) is over the 256 KiB ceiling whatever the option says.
    const big = makeWav(10);
    expect(big.length).toBeGreaterThan(PAYLOAD_LIMITS.maxInlineBytes);
    const capped = await planSubmission({ audio: big, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', inlineMaxBytes: 10_000_000 });
    expect(capped.inlineAudio).toBeNull();
    expect(capped.chunks).toHaveLength(1);
  });
});

describe('inlinePayload', () => {
  it('returns the inline audio, and refuses it missing, of another size or corrupt', async () => {
    const audio = makeWav(0.2, { seed: 5 });
    const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', jobId: 'j', inlineMaxBytes: 65_536 });
    const descriptor = plan.submission.audio;
    await expect(inlinePayload('j', descriptor, plan.inlineAudio)).resolves.toEqual(audio);
    await expect(inlinePayload('j', descriptor, null)).rejects.toBeInstanceOf(PayloadInvalidError);
    await expect(inlinePayload('j', descriptor, undefined)).rejects.toThrow(/inline .* missing/);
    await expect(inlinePayload('j', descriptor, audio.subarray(1))).rejects.toThrow(/holds \d+ bytes, expected/);
    await expect(inlinePayload('j', descriptor, audio.map((b, i) => (i === 100 ? b ^ 1 : b)))).rejects.toThrow(/sha256 does not match/);
  });
});

describe('assemblePayload', () => {
  it('detects missing chunks and corrupted bytes', async () => {
    const audio = makeWav(60);
    const plan = await planSubmission({ audio, mimeType: 'audio/wav', userId: 'u' }, { now, source: 'server', jobId: 'j' });
    const docs = plan.chunks.map((c) => c.doc);
    await expect(assemblePayload('j', plan.submission.audio, docs.slice(1))).rejects.toThrow(/expected 3 audio chunks, found 2/);
    const corrupt = docs.map((d, i) => (i === 1 ? { ...d, data: d.data.map((b) => b ^ 1) } : d));
    await expect(assemblePayload('j', plan.submission.audio, corrupt)).rejects.toThrow(/sha256 does not match/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseAudioDataUri, toAudioDataUri } from './data-uri.js';
import { planSubmission } from './submission.js';
import { PayloadTooLargeError, ValidationError } from './errors.js';
import { makeWav } from '../testing/audio.js';

describe('audio data URIs', () => {
  const wav = makeWav(0.25, { seed: 3 });

  it('round-trips audio through a base64 data URI', () => {
    const uri = toAudioDataUri(wav, 'audio/wav');
    expect(uri.startsWith('data:audio/wav;base64,UklGR')).toBe(true);
    const decoded = parseAudioDataUri(uri);
    expect(decoded.mimeType).toBe('audio/wav');
    expect(Buffer.from(decoded.audio).equals(Buffer.from(wav))).toBe(true);
  });

  it("ignores media type parameters and case (MediaRecorder's audio/webm;codecs=opus)", () => {
    const decoded = parseAudioDataUri(`data:Audio/WebM;codecs=opus;base64,${Buffer.from([1, 2, 3]).toString('base64')}`);
    expect(decoded.mimeType).toBe('audio/webm');
    expect([...decoded.audio]).toEqual([1, 2, 3]);
  });

  it('decodes percent-encoded data as bytes', () => {
    expect([...parseAudioDataUri('data:audio/ogg,%00%FFab').audio]).toEqual([0, 255, 97, 98]);
  });

  it.each([
    ['not a string', 42],
    ['no data: scheme', 'audio/wav;base64,AAAA'],
    ['no comma', 'data:audio/wav;base64'],
    ['no media type', 'data:;base64,AAAA'],
    ['a type that is not audio', 'data:text/plain;base64,AAAA'],
    ['invalid base64', 'data:audio/wav;base64,@@@@'],
    ['no audio', 'data:audio/wav;base64,'],
    ['a bad percent-escape', 'data:audio/wav,%G1'],
  ])('refuses %s with a ValidationError on audioDataUri', (_, uri) => {
    try {
      parseAudioDataUri(uri);
      expect.unreachable('parsed');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toBe('audioDataUri');
    }
  });

  it('refuses audio over the limit before decoding it', () => {
    const uri = `data:audio/wav;base64,${'A'.repeat(4 * 1000)}`;
    expect(() => parseAudioDataUri(uri, 2_000)).toThrow(PayloadTooLargeError);
    expect(parseAudioDataUri(uri, 3_000).audio.length).toBe(3_000);
  });

  it('planSubmission takes audioDataUri in place of audio and mimeType, never both', async () => {
    const plan = await planSubmission({ audioDataUri: toAudioDataUri(wav, 'audio/wav'), userId: 'u1' }, { now: 1, source: 'server', inlineMaxBytes: 65_536 });
    expect(plan.submission.audio).toMatchObject({ mimeType: 'audio/wav', bytes: wav.length });
    expect(Buffer.from(plan.inlineAudio!).equals(Buffer.from(wav))).toBe(true);
    await expect(
      planSubmission(
        // @ts-expect-error: both forms at once is a type error too
        { audioDataUri: toAudioDataUri(wav, 'audio/wav'), audio: wav, mimeType: 'audio/wav', userId: 'u1' },
        { now: 1, source: 'server' },
      ),
    ).rejects.toThrow(ValidationError);
  });
});

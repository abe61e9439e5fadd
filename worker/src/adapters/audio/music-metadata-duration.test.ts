import { describe, expect, it } from 'vitest';
import { cbrMp3, flacHeader, MP3_FRAME_SEC, pcmAiff, pcmWav } from '../../testing/audio-files.js';
import { readAudioDuration } from './music-metadata-duration.js';

const seconds = (r: Awaited<ReturnType<typeof readAudioDuration>>) => (r.kind === 'parsed' ? r.seconds : `unparseable: ${r.reason}`);

describe('music-metadata reads the duration from the bytes', () => {
  it.each([
    { sampleRate: 8_000, channels: 1, bitsPerSample: 16, seconds: 1.5 },
    { sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 3 },
    { sampleRate: 44_100, channels: 2, bitsPerSample: 16, seconds: 0.5 },
    { sampleRate: 48_000, channels: 2, bitsPerSample: 24, seconds: 0.25 },
    { sampleRate: 22_050, channels: 1, bitsPerSample: 8, seconds: 2 },
  ] as const)('a PCM WAV of $seconds s at $sampleRate Hz, $channels ch, $bitsPerSample bit', async (o) => {
    expect(seconds(await readAudioDuration(pcmWav(o), 'audio/wav'))).toBeCloseTo(o.seconds, 3);
  });

  it('a WAV whose data size claims 100 times the bytes it holds measures what it holds', async () => {
    const wav = pcmWav({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 2, declaredDataBytes: 64_000 * 100 });
    expect(seconds(await readAudioDuration(wav, 'audio/x-wav'))).toBeCloseTo(2, 3);
  });

  it('a constant-bitrate MP3, an AIFF and a FLAC header', async () => {
    expect(seconds(await readAudioDuration(cbrMp3(100), 'audio/mpeg'))).toBeCloseTo(100 * MP3_FRAME_SEC, 3);
    expect(seconds(await readAudioDuration(pcmAiff({ sampleRate: 8_000, channels: 1, seconds: 1.5 }), 'audio/aiff'))).toBeCloseTo(1.5, 3);
    expect(seconds(await readAudioDuration(flacHeader({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, totalSamples: 48_000 }), 'audio/flac'))).toBeCloseTo(3, 3);
  });

  it('mislabelled bytes are measured as what they are', async () => {
    const wav = pcmWav({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 1.25 });
    expect(seconds(await readAudioDuration(wav, 'audio/mpeg'))).toBeCloseTo(1.25, 3);
  });

  it('what no parser can read is unparseable, with the reason, never an exception', async () => {
    const garbage = Uint8Array.from({ length: 2_000 }, (_, i) => (i * 7919) & 0xff);
    const results = await Promise.all([
      readAudioDuration(garbage, 'audio/ogg'),
      readAudioDuration(new Uint8Array(0), 'audio/wav'),
      readAudioDuration(pcmWav({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, seconds: 1 }).slice(0, 30), 'audio/wav'),
      readAudioDuration(new TextEncoder().encode('<html>not audio</html>'), 'audio/webm'),
    ]);
    for (const r of results) {
      expect(r.kind).toBe('unparseable');
      if (r.kind === 'unparseable') expect(r.reason.length).toBeGreaterThan(0);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { durationCheckSchema, MAX_AUDIO_DURATION_SEC } from '../schema/audio-duration.js';
import { BYTE_RATES, decideDuration, durationBounds, withinTolerance } from './audio-duration.js';

const wav = (bytes: number) => ({ bytes, mimeType: 'audio/wav' as const });
const parsed = (seconds: number) => ({ kind: 'parsed' as const, seconds, format: 'WAVE' });
const unparseable = { kind: 'unparseable' as const, reason: 'format not recognised' };

describe('the duration the queue uses is measured, not declared', () => {
  it('keeps a declared value within max(1 s, 5 %) of the reading, and corrects one beyond it', () => {
    expect(withinTolerance(10.9, 10)).toBe(true);
    expect(withinTolerance(11.1, 10)).toBe(false);
    expect(withinTolerance(104, 100)).toBe(true);
    expect(withinTolerance(106, 100)).toBe(false);
    const bytes = 64_044; // 2 s of 16 kHz 16-bit mono

    const agreed = decideDuration(2.4, parsed(2), wav(bytes));
    expect(agreed).toEqual({ durationSec: 2.4, check: { declaredSec: 2.4, measuredSec: 2, method: 'parsed', corrected: false, note: null } });

    const understated = decideDuration(0.1, parsed(2), wav(bytes));
    expect(understated.durationSec).toBe(2);
    expect(understated.check).toMatchObject({ declaredSec: 0.1, measuredSec: 2, corrected: true });

    const overstated = decideDuration(3_600, parsed(2), wav(bytes));
    expect(overstated.durationSec).toBe(2);
    expect(overstated.check.corrected).toBe(true);

    // Nothing declared: the reading is used, and nothing was corrected.
    expect(decideDuration(null, parsed(2), wav(bytes))).toMatchObject({ durationSec: 2, check: { declaredSec: null, corrected: false } });
  });

  it('does not believe a header that claims less audio than the bytes must hold', () => {
    // 7 MB of MP3 is at least 175 s even at 320 kbit/s; a header saying 1 s is raised to that.
    const d = decideDuration(1, { kind: 'parsed', seconds: 1, format: 'MPEG' }, { bytes: 7_000_000, mimeType: 'audio/mpeg' });
    expect(d.durationSec).toBe(175);
    expect(d.check).toMatchObject({ measuredSec: 175, corrected: true });
    expect(d.check.note).toMatch(/MPEG header says 1 s/);
  });

  it('caps a reading at the longest a job may be', () => {
    const d = decideDuration(null, parsed(1e9), wav(1_000));
    expect(d.durationSec).toBe(MAX_AUDIO_DURATION_SEC);
  });

  it('unparseable bytes: a declared value the size allows stands; one it contradicts goes to the nearest bound; none: the longest', () => {
    const bytes = 960_000; // webm: 15 s at 512 kbit/s .. 480 s at 16 kbit/s
    const webm = { bytes, mimeType: 'audio/webm' as const };
    expect(durationBounds(bytes, 'audio/webm')).toEqual({ min: bytes / BYTE_RATES['audio/webm'].high, max: bytes / BYTE_RATES['audio/webm'].low });

    const plausible = decideDuration(60, unparseable, webm);
    expect(plausible).toMatchObject({ durationSec: 60, check: { measuredSec: 60, method: 'estimated', corrected: false } });
    expect(plausible.check.note).toMatch(/not parseable \(format not recognised\); 960000 bytes of audio\/webm hold 15-480 s/);

    expect(decideDuration(1, unparseable, webm)).toMatchObject({ durationSec: 15, check: { measuredSec: 15, corrected: true } });
    expect(decideDuration(5_000, unparseable, webm)).toMatchObject({ durationSec: 480, check: { measuredSec: 480, corrected: true } });
    expect(decideDuration(null, unparseable, webm)).toMatchObject({ durationSec: 480, check: { declaredSec: null, corrected: false } });
  });

  it('every check fits the schema the job document declares', () => {
    const readings = [parsed(0), parsed(2), parsed(Number.NaN), parsed(1e12), unparseable, { kind: 'unparseable' as const, reason: 'x'.repeat(5_000) }];
    for (const declared of [null, 0, 1, 86_400])
      for (const reading of readings)
        for (const audio of [wav(44), wav(7_340_032), { bytes: 7_340_032, mimeType: 'audio/ogg' as const }]) {
          const d = decideDuration(declared, reading, audio);
          expect(durationCheckSchema.safeParse(d.check).success).toBe(true);
          expect(d.durationSec).toBeGreaterThanOrEqual(0);
          expect(d.durationSec).toBeLessThanOrEqual(MAX_AUDIO_DURATION_SEC);
        }
  });
});

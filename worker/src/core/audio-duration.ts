/**
 * Deciding an audio's duration from what the worker measured, never from what the submitter
 * declared. Pure: the bytes are read by a parser adapter (`adapters/audio`), which hands in a
 * `DurationReading`; this module turns it and the declared value into the duration the queue
 * uses (fair share, token reservations) and the `durationCheck` the job records.
 */
import { MAX_AUDIO_DURATION_SEC, type DurationCheck } from '../schema/audio-duration.js';
import type { AudioMimeType } from './audio.js';

/** What a parser made of the bytes. */
export type DurationReading =
  | { kind: 'parsed'; seconds: number; format: string | null }
  | { kind: 'unparseable'; reason: string };

/**
 * Byte rates (bytes per second of audio) that bound a file of each type: `low` is about the
 * least a real recording of that type uses (speech at a low bitrate), `high` about the most
 * (lossless or the codec's top bitrate). The duration of `n` bytes therefore lies within
 * n / high .. n / low. Deliberately wide: they bound, they do not guess.
 */
export const BYTE_RATES: Readonly<Record<AudioMimeType, { low: number; high: number }>> = {
  // PCM: 8 kHz 16-bit mono .. 96 kHz 24-bit stereo.
  'audio/wav': { low: 16_000, high: 576_000 },
  'audio/x-wav': { low: 16_000, high: 576_000 },
  'audio/aiff': { low: 16_000, high: 576_000 },
  // Lossless: about half of 8 kHz PCM .. PCM itself.
  'audio/flac': { low: 8_000, high: 576_000 },
  // MP3 / AAC: 32 kbit/s speech .. 320 kbit/s.
  'audio/mpeg': { low: 4_000, high: 40_000 },
  'audio/mp3': { low: 4_000, high: 40_000 },
  'audio/aac': { low: 4_000, high: 40_000 },
  'audio/mp4': { low: 4_000, high: 40_000 },
  // Opus / Vorbis: 16 kbit/s speech .. 510 kbit/s.
  'audio/ogg': { low: 2_000, high: 64_000 },
  'audio/webm': { low: 2_000, high: 64_000 },
};

/**
 * A declared duration agrees with a measured one within max(1 s, 5 %): recorders and
 * encoders round, pad or trim a frame, and a second of audio is ~32 tokens, so a closer
 * check would only churn corrections without changing a budget.
 */
export const DURATION_TOLERANCE = { absSec: 1, rel: 0.05 } as const;

export function withinTolerance(declared: number, measured: number): boolean {
  return Math.abs(declared - measured) <= Math.max(DURATION_TOLERANCE.absSec, DURATION_TOLERANCE.rel * measured);
}

/** The durations `bytes` of `mimeType` can hold: [shortest, longest], capped at the job limit. */
export function durationBounds(bytes: number, mimeType: AudioMimeType): { min: number; max: number } {
  const rates = BYTE_RATES[mimeType];
  return { min: Math.min(bytes / rates.high, MAX_AUDIO_DURATION_SEC), max: Math.min(bytes / rates.low, MAX_AUDIO_DURATION_SEC) };
}

export interface DurationDecision {
  /** The duration the queue uses (the job's `audio.durationSec`). */
  durationSec: number;
  check: DurationCheck;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/**
 * The duration to use, from the reading and the declared value:
 * - parsed: the reading, raised to the shortest duration the byte size allows for the type
 *   (a header that claims far less audio than the bytes hold is not believed) and capped at
 *   MAX_AUDIO_DURATION_SEC. A declared value within the tolerance of it is kept; any other
 *   is corrected.
 * - unparseable: the size bounds the duration. A declared value inside the bounds cannot be
 *   disproved and is kept; one outside is corrected to the nearest bound; with none declared
 *   the longest bound is used (budgets then err towards too many tokens, not too few).
 */
export function decideDuration(
  declared: number | null,
  reading: DurationReading,
  audio: { bytes: number; mimeType: AudioMimeType },
): DurationDecision {
  const bounds = durationBounds(audio.bytes, audio.mimeType);
  const range = `${round3(bounds.min)}-${round3(bounds.max)} s`;
  if (reading.kind === 'parsed') {
    const raw = Number.isFinite(reading.seconds) && reading.seconds >= 0 ? reading.seconds : 0;
    const measured = round3(clamp(raw, bounds.min, MAX_AUDIO_DURATION_SEC));
    const raised = measured > round3(raw);
    const agrees = declared !== null && withinTolerance(declared, measured);
    const note = raised
      ? `the ${(reading.format ?? 'parsed').slice(0, 40)} header says ${round3(raw)} s, less than ${audio.bytes} bytes of ${audio.mimeType} can hold (at least ${round3(bounds.min)} s)`
      : null;
    return {
      durationSec: agrees ? declared : measured,
      check: { declaredSec: declared, measuredSec: measured, method: 'parsed', corrected: declared !== null && !agrees, note },
    };
  }
  const why = `not parseable (${reading.reason.slice(0, 300)}); ${audio.bytes} bytes of ${audio.mimeType} hold ${range}`;
  if (declared !== null && declared >= bounds.min && declared <= bounds.max) {
    return { durationSec: declared, check: { declaredSec: declared, measuredSec: declared, method: 'estimated', corrected: false, note: why } };
  }
  const measured = round3(declared === null ? bounds.max : clamp(declared, bounds.min, bounds.max));
  return {
    durationSec: measured,
    check: { declaredSec: declared, measuredSec: measured, method: 'estimated', corrected: declared !== null, note: why },
  };
}

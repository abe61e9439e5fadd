/**
 * Audio duration from the bytes, read by music-metadata (a maintained parser of WAV, AIFF,
 * FLAC, MP3, AAC/ADTS, MP4, Ogg and Matroska/WebM), for `core/audio-duration`. Node only:
 * the worker measures at admission; the browser bundle never imports this.
 */
import { parseBuffer } from 'music-metadata';
import type { AudioMimeType } from '../../core/audio.js';
import type { DurationReading } from '../../core/audio-duration.js';

/**
 * Reads the duration of `bytes`. The declared MIME type picks the parser first; when that
 * finds no duration, the container is detected from the bytes (a mislabelled file still
 * has a length). Never throws: what no parser can read is `unparseable`, with the reason.
 */
export async function readAudioDuration(bytes: Uint8Array, mimeType: AudioMimeType): Promise<DurationReading> {
  const reasons: string[] = [];
  for (const hint of [mimeType, null] as const) {
    try {
      const meta = await parseBuffer(bytes, { ...(hint ? { mimeType: hint } : {}), size: bytes.length }, { duration: true, skipCovers: true });
      const seconds = meta.format.duration;
      if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
        return { kind: 'parsed', seconds, format: meta.format.container ?? null };
      }
      reasons.push(`${hint ?? 'detected'}: ${meta.format.container ? `${meta.format.container} without a duration` : 'format not recognised'}`);
    } catch (error) {
      reasons.push(`${hint ?? 'detected'}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { kind: 'unparseable', reason: reasons.join('; ') };
}

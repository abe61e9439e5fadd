/**
 * Test audio for the fake Gemini: real 16-bit PCM WAV files whose expected transcript travels
 * inside the file, in a private RIFF chunk (`fqtx`). RIFF readers skip chunks they do not
 * know, so the files stay valid audio for any player (and for the real Gemini).
 */

export const TRANSCRIPT_CHUNK_ID = 'fqtx';

export interface TestWavOptions {
  durationSec: number;
  sampleRate?: number;
  /** Transcript the fake Gemini answers for this file. */
  text?: string | null;
  /** Tone frequency in Hz; 0 writes silence. A tone makes each file's bytes differ by length. */
  toneHz?: number;
}

function writeAscii(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
}

/** A mono 16-bit PCM WAV of `durationSec`, optionally carrying its transcript. */
export function makeTestWav(options: TestWavOptions): Uint8Array {
  const sampleRate = options.sampleRate ?? 16_000;
  if (!(options.durationSec >= 0) || !Number.isFinite(options.durationSec)) {
    throw new RangeError(`durationSec must be a non-negative number, got ${options.durationSec}`);
  }
  const samples = Math.round(options.durationSec * sampleRate);
  const dataBytes = samples * 2;
  const text = options.text ? new TextEncoder().encode(options.text) : null;
  const textChunk = text ? 8 + text.length + (text.length % 2) : 0;
  const total = 12 + 24 + textChunk + 8 + dataBytes;
  const buffer = new ArrayBuffer(total);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  writeAscii(view, 0, 'RIFF');
  view.setUint32(4, total - 8, true);
  writeAscii(view, 8, 'WAVE');
  writeAscii(view, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  let offset = 36;
  if (text) {
    writeAscii(view, offset, TRANSCRIPT_CHUNK_ID);
    view.setUint32(offset + 4, text.length, true);
    bytes.set(text, offset + 8);
    offset += textChunk;
  }
  writeAscii(view, offset, 'data');
  view.setUint32(offset + 4, dataBytes, true);
  offset += 8;
  const tone = options.toneHz ?? 440;
  if (tone > 0) {
    for (let i = 0; i < samples; i++) {
      view.setInt16(offset + i * 2, Math.round(8_000 * Math.sin((2 * Math.PI * tone * i) / sampleRate)), true);
    }
  }
  return bytes;
}

/** The transcript embedded by `makeTestWav`, or null when the file has none. */
export function embeddedTranscript(bytes: Uint8Array): string | null {
  const ascii = (o: number) => String.fromCharCode(bytes[o] ?? 0, bytes[o + 1] ?? 0, bytes[o + 2] ?? 0, bytes[o + 3] ?? 0);
  if (bytes.length < 12 || ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === TRANSCRIPT_CHUNK_ID) {
      const end = Math.min(bytes.length, offset + 8 + size);
      return new TextDecoder().decode(bytes.subarray(offset + 8, end));
    }
    if (id === 'data') return null; // the transcript chunk always precedes the samples
    offset += 8 + size + (size % 2);
  }
  return null;
}

import type { ALLOWED_AUDIO_MIME_TYPES } from '../schema/job.js';

export type AudioMimeType = (typeof ALLOWED_AUDIO_MIME_TYPES)[number];

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

const hasId3 = (b: Uint8Array) => ascii(b, 0, 3) === 'ID3';
const mpegSync = (b: Uint8Array) => b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0;
const adtsSync = (b: Uint8Array) => b[0] === 0xff && ((b[1] ?? 0) & 0xf6) === 0xf0;

const CHECKS: Record<AudioMimeType, { test: (b: Uint8Array) => boolean; expected: string }> = {
  'audio/wav': { test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE', expected: 'a RIFF/WAVE header' },
  'audio/x-wav': { test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE', expected: 'a RIFF/WAVE header' },
  'audio/mpeg': { test: (b) => hasId3(b) || mpegSync(b), expected: 'an ID3 tag or an MPEG frame sync' },
  'audio/mp3': { test: (b) => hasId3(b) || mpegSync(b), expected: 'an ID3 tag or an MPEG frame sync' },
  'audio/aac': { test: (b) => hasId3(b) || adtsSync(b) || ascii(b, 0, 4) === 'ADIF', expected: 'an ADTS or ADIF header' },
  'audio/ogg': { test: (b) => ascii(b, 0, 4) === 'OggS', expected: 'an Ogg page header ("OggS")' },
  'audio/flac': { test: (b) => hasId3(b) || ascii(b, 0, 4) === 'fLaC', expected: 'a FLAC stream marker ("fLaC")' },
  'audio/webm': {
    test: (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3,
    expected: 'an EBML (WebM) header',
  },
  'audio/mp4': { test: (b) => ascii(b, 4, 4) === 'ftyp', expected: 'an MP4 "ftyp" box' },
  'audio/aiff': {
    test: (b) => ascii(b, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(b, 8, 4)),
    expected: 'a FORM/AIFF header',
  },
};

/**
 * Checks that the bytes look like the declared container, so a mislabelled or truncated file
 * is refused at submission instead of burning upstream attempts. Returns a reason or null.
 */
export function audioFormatProblem(bytes: Uint8Array, mimeType: AudioMimeType): string | null {
  if (bytes.length < 12) return `audio is only ${bytes.length} bytes; too short to be ${mimeType}`;
  const check = CHECKS[mimeType];
  return check.test(bytes) ? null : `audio declared as ${mimeType} does not start with ${check.expected}`;
}

function u32le(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}

/** Duration of a PCM WAV file from its header (fmt byte rate and data size), or null. */
export function wavDurationSec(bytes: Uint8Array): number | null {
  if (ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') return null;
  let offset = 12;
  let byteRate: number | null = null;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset, 4);
    const size = u32le(bytes, offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && size >= 12) byteRate = u32le(bytes, body + 8);
    if (id === 'data') {
      if (!byteRate) return null;
      // Streaming writers leave the size at 0 or 0xFFFFFFFF: use what is actually there.
      const available = bytes.length - body;
      const dataBytes = size === 0 || size === 0xffffffff || size > available ? available : size;
      return dataBytes / byteRate;
    }
    offset = body + size + (size % 2);
  }
  return null;
}

/** Hex sha256 through Web Crypto (present in browsers and in Node 20 as `globalThis.crypto`). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

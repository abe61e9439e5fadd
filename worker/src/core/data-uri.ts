import { ALLOWED_AUDIO_MIME_TYPES } from '../schema/job.js';
import { PAYLOAD_LIMITS } from '../schema/payload.js';
import { PayloadTooLargeError, ValidationError } from './errors.js';

/**
 * Audio as the design document hands it over: a data URI (RFC 2397),
 * `data:audio/wav;base64,UklGR...`, what `FileReader.readAsDataURL` and most recorders give.
 * Pure and browser-safe (atob is global in Node 16+ and every browser).
 */
export interface DecodedAudio {
  audio: Uint8Array;
  mimeType: AllowedAudioMimeType;
}

/** An accepted audio media type. */
export type AllowedAudioMimeType = (typeof ALLOWED_AUDIO_MIME_TYPES)[number];

const PATH = 'audioDataUri';

function invalid(message: string): ValidationError {
  return new ValidationError([{ path: PATH, message }], 'submission');
}

/** Percent-decoding to bytes: each %XX is one byte, every other character its UTF-8 bytes. */
function percentDecode(text: string): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw invalid(`bad percent-escape at character ${i}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of encoder.encode(c)) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

function base64Decode(text: string): Uint8Array {
  // atob ignores ASCII whitespace and refuses anything outside the alphabet; URL-safe
  // base64 (-, _) is not what data URIs carry, so it is refused too.
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw invalid('the data is not valid base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes an audio data URI. Throws `ValidationError` (path `audioDataUri`) for anything that is
 * not a data URI of an accepted audio type, and `PayloadTooLargeError` before decoding audio
 * larger than `maxBytes` (the payload limit by default), so a huge string costs no decode.
 */
export function parseAudioDataUri(uri: unknown, maxBytes: number = PAYLOAD_LIMITS.maxAudioBytes): DecodedAudio {
  if (typeof uri !== 'string') throw invalid('must be a string (data:audio/...;base64,...)');
  const comma = uri.indexOf(',');
  if (!/^data:/i.test(uri) || comma < 0) throw invalid('must be a data URI: data:<audio type>[;base64],<data>');
  const header = uri.slice(5, comma).split(';').map((p) => p.trim());
  const type = (header[0] ?? '').toLowerCase();
  const isBase64 = header.slice(1).some((p) => p.toLowerCase() === 'base64');
  if (type === '') throw invalid('names no media type; expected one of ' + ALLOWED_AUDIO_MIME_TYPES.join(', '));
  // Parameters such as `codecs=opus` (MediaRecorder's `audio/webm;codecs=opus`) say nothing the
  // worker needs: the media type alone decides.
  if (!(ALLOWED_AUDIO_MIME_TYPES as readonly string[]).includes(type)) {
    throw invalid(`media type "${type}" is not an accepted audio type (${ALLOWED_AUDIO_MIME_TYPES.join(', ')})`);
  }
  const data = uri.slice(comma + 1);
  // Base64 holds 3 bytes in every 4 characters: refuse what cannot fit before decoding it.
  const upperBound = isBase64 ? Math.floor((data.replace(/\s+/g, '').length * 3) / 4) : data.length;
  const lowerBound = isBase64 ? upperBound - 2 : Math.ceil(data.length / 3);
  if (lowerBound > maxBytes) throw new PayloadTooLargeError(lowerBound, maxBytes);
  const audio = isBase64 ? base64Decode(data) : percentDecode(data);
  if (audio.length > maxBytes) throw new PayloadTooLargeError(audio.length, maxBytes);
  if (audio.length === 0) throw invalid('holds no audio');
  return { audio, mimeType: type as AllowedAudioMimeType };
}

/** Encodes audio as a base64 data URI (the inverse of `parseAudioDataUri`). */
export function toAudioDataUri(audio: Uint8Array, mimeType: AllowedAudioMimeType): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list short for large audio.
  for (let i = 0; i < audio.length; i += 0x8000) binary += String.fromCharCode(...audio.subarray(i, i + 0x8000));
  return `data:${mimeType};base64,${btoa(binary)}`;
}

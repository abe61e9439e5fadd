/**
 * Small but real audio files built from parameters, for tests of duration measuring: each
 * is a valid container of its format whose length follows from the parameters, so a test
 * knows the true duration without a fixture file. The parsing itself is the parser's.
 */

function ascii(out: Uint8Array, offset: number, s: string): void {
  for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
}

export interface PcmWavOptions {
  sampleRate: number;
  channels: number;
  bitsPerSample: 8 | 16 | 24 | 32;
  seconds: number;
  /** Write this in the data chunk's size field instead of the true size (a lying header). */
  declaredDataBytes?: number;
}

/** A PCM WAV (RIFF/WAVE, `fmt ` then `data`) of silence plus a small pattern. */
export function pcmWav(o: PcmWavOptions): Uint8Array {
  const blockAlign = (o.channels * o.bitsPerSample) / 8;
  const dataBytes = Math.round(o.seconds * o.sampleRate) * blockAlign;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  ascii(out, 0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(out, 8, 'WAVE');
  ascii(out, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, o.channels, true);
  view.setUint32(24, o.sampleRate, true);
  view.setUint32(28, o.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, o.bitsPerSample, true);
  ascii(out, 36, 'data');
  view.setUint32(40, o.declaredDataBytes ?? dataBytes, true);
  for (let i = 44; i < Math.min(out.length, 44 + 256); i++) out[i] = (i * 37) & 0xff;
  return out;
}

/**
 * A constant-bitrate MP3 stream: `frames` MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz,
 * joint stereo (header FF FB 90 64, 417 bytes, 1,152 samples each; bodies of silence).
 * Duration: frames * 1152 / 44100 s.
 */
export function cbrMp3(frames: number): Uint8Array {
  const frameBytes = 417;
  const out = new Uint8Array(frameBytes * frames);
  for (let i = 0; i < frames; i++) out.set([0xff, 0xfb, 0x90, 0x64], i * frameBytes);
  return out;
}
export const MP3_FRAME_SEC = 1152 / 44_100;

/** IEEE 754 80-bit extended (big-endian) of a positive integer, as AIFF stores its sample rate. */
function extended80(n: number): Uint8Array {
  const out = new Uint8Array(10);
  const e = Math.floor(Math.log2(n));
  const exponent = 16_383 + e;
  out[0] = (exponent >> 8) & 0x7f;
  out[1] = exponent & 0xff;
  let mantissa = BigInt(n) << BigInt(63 - e);
  for (let i = 9; i >= 2; i--) {
    out[i] = Number(mantissa & 0xffn);
    mantissa >>= 8n;
  }
  return out;
}

/** An AIFF (FORM/AIFF with COMM and SSND) of 16-bit PCM silence. */
export function pcmAiff(o: { sampleRate: number; channels: number; seconds: number }): Uint8Array {
  const frames = Math.round(o.seconds * o.sampleRate);
  const dataBytes = frames * o.channels * 2;
  const total = 12 + 26 + 16 + dataBytes;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  ascii(out, 0, 'FORM');
  view.setUint32(4, total - 8);
  ascii(out, 8, 'AIFF');
  ascii(out, 12, 'COMM');
  view.setUint32(16, 18);
  view.setUint16(20, o.channels);
  view.setUint32(22, frames);
  view.setUint16(26, 16);
  out.set(extended80(o.sampleRate), 28);
  ascii(out, 38, 'SSND');
  view.setUint32(42, 8 + dataBytes);
  return out;
}

/**
 * A FLAC stream header: the `fLaC` marker and a STREAMINFO block saying `totalSamples` at
 * `sampleRate` (no audio frames follow: what a header claims is all a parser has to go on).
 */
export function flacHeader(o: { sampleRate: number; channels: number; bitsPerSample: number; totalSamples: number }): Uint8Array {
  const out = new Uint8Array(4 + 4 + 34);
  ascii(out, 0, 'fLaC');
  out.set([0x80, 0, 0, 34], 4); // last metadata block, type 0 (STREAMINFO), 34 bytes
  out.set([0x10, 0x00, 0x10, 0x00], 8); // min and max block size 4096; frame sizes 0 (unknown)
  let packed =
    (BigInt(o.sampleRate) << 44n) | (BigInt(o.channels - 1) << 41n) | (BigInt(o.bitsPerSample - 1) << 36n) | BigInt(o.totalSamples);
  for (let i = 7; i >= 0; i--) {
    out[18 + i] = Number(packed & 0xffn);
    packed >>= 8n;
  }
  return out;
}

/**
 * A valid 16-bit mono PCM WAV of `seconds` (silence plus a deterministic pattern so hashes
 * differ per seed). For tests, the demo and the bench.
 */
export function makeWav(seconds: number, options: { sampleRate?: number; seed?: number } = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 16_000;
  const samples = Math.round(seconds * sampleRate);
  const dataBytes = samples * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  const seed = options.seed ?? 0;
  for (let i = 0; i < Math.min(samples, 64); i++) view.setInt16(44 + i * 2, ((i + 1) * (seed + 7)) % 1000, true);
  return out;
}

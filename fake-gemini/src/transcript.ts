import { createHash } from 'node:crypto';
import { embeddedTranscript } from './test-audio.js';

/**
 * Deterministic transcripts: the same audio always yields the same text, so tests can assert
 * on results without a speech model. Files made by `makeTestWav({ text })` answer their own
 * text; any other audio answers a sentence chosen by its sha256, about 2.5 words per second.
 */
const WORDS = [
  'queue', 'fleet', 'model', 'window', 'budget', 'breaker', 'probe', 'lease', 'token', 'server',
  'audio', 'signal', 'river', 'morning', 'yellow', 'quiet', 'harbor', 'garden', 'paper', 'engine',
  'silver', 'orange', 'winter', 'forest', 'candle', 'bridge', 'market', 'letter', 'planet', 'violet',
  'thunder', 'pocket', 'ladder', 'mirror', 'copper', 'meadow', 'anchor', 'basket', 'feather', 'lantern',
  'the', 'a', 'of', 'and', 'to', 'in', 'is', 'was', 'for', 'on',
] as const;

export function transcriptFor(audio: Uint8Array, durationSec: number): string {
  const embedded = embeddedTranscript(audio);
  if (embedded !== null) return embedded;
  const count = Math.max(3, Math.min(400, Math.round(durationSec * 2.5)));
  const words: string[] = [];
  let digest = createHash('sha256').update(audio).digest();
  let i = 0;
  while (words.length < count) {
    if (i + 2 > digest.length) {
      digest = createHash('sha256').update(digest).digest();
      i = 0;
    }
    words.push(WORDS[digest.readUInt16BE(i) % WORDS.length] as string);
    i += 2;
  }
  const sentence = words.join(' ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

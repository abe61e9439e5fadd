// The design document's Migration Path "From Direct API Calls", as written. `transcribeAudio`
// is the app's OLD direct call the document replaces (not ours): here it calls the (fake)
// Gemini straight through @fq/worker's Gemini adapter, with no queue, no retry, no breaker.
import { GeminiTranscriber, parseAudioDataUri } from '@fq/worker';
import { enterpriseQueue } from './01-initialize';
import { AUDIO_DATA_URI } from './audio';

const audioDataUri = AUDIO_DATA_URI;
async function transcribeAudio(input: { audioDataUri: string }): Promise<string> {
  const { audio, mimeType } = parseAudioDataUri(input.audioDataUri);
  const gemini = new GeminiTranscriber({ baseUrl: process.env.FAKE_GEMINI_URL ?? null });
  const output = await gemini.transcribe({ jobId: 'direct', model: 'gemini-2.5-flash', audio, mimeType, durationSec: null, signal: AbortSignal.timeout(30_000), timeoutMs: 30_000 });
  return output.text;
}

// ---- snippet (verbatim) ----
// OLD: Direct API call (prone to overload)
const result = await transcribeAudio({ audioDataUri });

// NEW: Enterprise queue (fault-tolerant)
const requestId = await enterpriseQueue.queueEnterpriseTranscription(
  { audioDataUri },
  { priority: 'normal', userId: 'user123' }
);
// ---- end of snippet ----

console.log('Direct transcript:', result);
console.log('Migrated request:', requestId.requestId);
export { requestId };

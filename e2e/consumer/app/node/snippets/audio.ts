// Not a snippet: the audio the snippets send. The document writes 'data:audio/wav;base64,...';
// here it is a real WAV from the installed fake Gemini's test-audio maker, whose text the fake
// returns as the transcript.
import { makeTestWav } from '@fq/fake-gemini';
import { toAudioDataUri } from '@fq/worker';

export const TRANSCRIPT = 'Spoken through the enterprise queue.';
export const AUDIO_DATA_URI = toAudioDataUri(makeTestWav({ durationSec: 1, text: TRANSCRIPT, sampleRate: 8_000 }), 'audio/wav');

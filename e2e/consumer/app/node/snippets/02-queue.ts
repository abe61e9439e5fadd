// The design document's Quick Start "2. Queue Transcriptions with Enterprise Features", as
// written but for the audio: the document's placeholder 'data:audio/wav;base64,...' is a
// real data URI (AUDIO_DATA_URI).
import { AUDIO_DATA_URI } from './audio';
import { enterpriseQueue } from './01-initialize';

// ---- snippet (verbatim but for the placeholder) ----
// Queue with enterprise metadata
const result = await enterpriseQueue.queueEnterpriseTranscription(
  { audioDataUri: AUDIO_DATA_URI },
  {
    priority: 'urgent',
    userId: 'user123',
    sessionId: 'interview456',
    metadata: {
      audioSize: 1024000,
      estimatedDuration: 60
    }
  }
);

console.log('Request ID:', result.requestId);
console.log('Queue Position:', result.position);
console.log('Estimated Wait:', result.estimatedWait, 'seconds');
console.log('Rate Limit Remaining:', result.rateLimitInfo.remaining);
// ---- end of snippet ----

export { result };

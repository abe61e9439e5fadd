// The design document's Migration Path "From Phase 1/2 Queues". `transcriptionQueue` is the
// phase 1 queue: in memory, one process, a real worker loop (createInMemoryTranscriptionQueue),
// calling the fake Gemini. One difference, named in worker/README.md's mapping table: our
// `queueTranscription` takes the user too (`{ userId }`): rate limits and fair share are per user.
import { createInMemoryTranscriptionQueue } from '@/lib/enterprise-transcription-queue';
import { enterpriseQueue } from './01-initialize';
import { AUDIO_DATA_URI } from './audio';

const transcriptionQueue = createInMemoryTranscriptionQueue({ config: { upstream: { baseUrl: process.env.FAKE_GEMINI_URL ?? null } } });
const input = { audioDataUri: AUDIO_DATA_URI };

// ---- snippet (the mapped call marked) ----
// Phase 1/2: Basic queuing
const requestId = await transcriptionQueue.queueTranscription(input, { userId: 'user123' }); // document: queueTranscription(input)

// Phase 3: Enterprise with monitoring
const result = await enterpriseQueue.queueEnterpriseTranscription(input, {
  priority: 'high',
  userId: 'user123',
  metadata: { audioSize: 1024 }
});
// ---- end of snippet ----

console.log('Phase 1 transcript:', await transcriptionQueue.waitForTranscription(requestId));
await transcriptionQueue.close();
export { result };

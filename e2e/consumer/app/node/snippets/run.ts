// Runs the design document's Node snippets in order against the queue the consumer test
// started (Firestore emulator + one worker + the fake Gemini), then waits for the queued
// requests' transcripts, prints the key metrics again, and closes the singleton.
//   FIRESTORE_EMULATOR_HOST=... GCLOUD_PROJECT=... FAKE_GEMINI_URL=... GEMINI_API_KEY=x node node_modules/tsx/dist/cli.mjs node/snippets/run.ts
import { resetEnterpriseTranscriptionQueue } from '@/lib/enterprise-transcription-queue';
import { enterpriseQueue } from './01-initialize';
import { result } from './02-queue';
import { stats } from './03-key-metrics';
import { requestId as migrated } from './04-migration-direct';
import { result as phase3 } from './05-migration-phases';

for (const id of [result.requestId, migrated.requestId, phase3.requestId]) {
  console.log(`Transcript of ${id}:`, await enterpriseQueue.waitForTranscription(id));
}
const after = await enterpriseQueue.getEnterpriseStats();
console.log(`SUMMARY ${JSON.stringify({ servers: stats.servers.length, serversAfter: after.servers.length, successRateAfter: after.performance.successRate })}`);
await resetEnterpriseTranscriptionQueue();

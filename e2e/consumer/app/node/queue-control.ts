// An app's operator script (not a document snippet): pauses or resumes the whole queue through
// the enterprise singleton's full API (`enterpriseQueue.queue.control`, audited like the
// console's controls). The consumer test pauses so a submitted job stays queued while the
// monitor shows it, then resumes.
//   FIRESTORE_EMULATOR_HOST=... GCLOUD_PROJECT=... node node_modules/tsx/dist/cli.mjs node/queue-control.ts pause|resume
import { getEnterpriseTranscriptionQueue, resetEnterpriseTranscriptionQueue } from '@/lib/enterprise-transcription-queue';

const action = process.argv[2];
if (action !== 'pause' && action !== 'resume') {
  console.error('usage: queue-control.ts pause|resume');
  process.exit(2);
}
const { queue } = getEnterpriseTranscriptionQueue();
await queue.control({ type: action === 'pause' ? 'queue.pause' : 'queue.resume', reason: 'consumer test' }, { kind: 'admin', id: 'consumer-test', email: null });
console.log(`queue ${action}d`);
await resetEnterpriseTranscriptionQueue();

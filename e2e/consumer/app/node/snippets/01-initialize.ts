// The design document's Quick Start "1. Initialize Enterprise Queue", as written (plus the
// export). Firestore through firebase-admin: GCLOUD_PROJECT and FIRESTORE_EMULATOR_HOST.

// ---- snippet (verbatim) ----
import { getEnterpriseTranscriptionQueue } from '@/lib/enterprise-transcription-queue';

// Get singleton instance with custom config
const enterpriseQueue = getEnterpriseTranscriptionQueue({
  maxConcurrentRequests: 10,
  circuitBreaker: {
    failureThreshold: 5,
    recoveryTimeMs: 30000
  },
  rateLimiting: {
    requestsPerMinute: 120,
    burstLimit: 20
  }
});
// ---- end of snippet ----

export { enterpriseQueue };

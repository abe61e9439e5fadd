// The design document's `@/lib/enterprise-transcription-queue`: in an app that installs the
// packages, the module is @fq/worker (Node only: firebase-admin). One line keeps the
// document's import path working (tsconfig "paths" maps `@/*` to `src/*`).
export { getEnterpriseTranscriptionQueue, resetEnterpriseTranscriptionQueue, createInMemoryTranscriptionQueue } from '@fq/worker';

// The design document's `@/hooks/use-enterprise-transcription-queue`: the hook is @fq/client/react's.
export { useEnterpriseTranscriptionQueue } from '@fq/client/react';

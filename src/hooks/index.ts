/** The end-user side for app developers: the hook, its provider and its types. */
export { useTranscriptionQueue, SubmissionError, CancelError } from './useTranscriptionQueue';
export type {
  AudioInput,
  CancelErrorCode,
  QueueStatsView,
  QueueTranscriptionOptions,
  TranscriptionRequest,
  UseTranscriptionQueueOptions,
} from './useTranscriptionQueue';
export { TranscriptionQueueProvider } from './TranscriptionQueueProvider';
export { createFirestoreData } from '../data/firestoreData';

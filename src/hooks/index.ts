/** The end-user side for app developers: the hook, its provider and its types. */
export { useTranscriptionQueue, SubmissionError } from './useTranscriptionQueue';
export type {
  AudioInput,
  QueueStatsView,
  QueueTranscriptionOptions,
  TranscriptionRequest,
  UseTranscriptionQueueOptions,
} from './useTranscriptionQueue';
export { TranscriptionQueueProvider } from './TranscriptionQueueProvider';
export { createFirestoreData } from '../data/firestoreData';

import type { AudioInput, QueueClient, SubmitOptions, TranscriptionRequest } from '@fq/client';
import type { Priority } from '@fq/worker/schema';
import { useMemo } from 'react';
import { useTranscriptionQueue } from './useTranscriptionQueue.js';
import { useQueueClient } from './context.js';

/** What the design document's `onComplete` receives. */
export interface EnterpriseTranscriptionResult {
  requestId: string;
  transcript: string;
  request: TranscriptionRequest;
}

/** What the design document's `onError` receives: an Error, with the request it is about. */
export class TranscriptionRequestError extends Error {
  override readonly name = 'TranscriptionRequestError';
  readonly code: string;
  constructor(readonly request: TranscriptionRequest) {
    super(request.error?.message ?? `request ${request.requestId} ended ${request.status}`);
    this.code = request.error?.code ?? request.status.toUpperCase();
  }
}

/** The hook's user is not the client's (the client is bound to the signed-in user). */
export class EnterpriseHookUserError extends Error {
  override readonly name = 'EnterpriseHookUserError';
}

export interface UseEnterpriseTranscriptionQueueOptions {
  /**
   * The user the document passes in. Requests belong to the signed-in user the queue client
   * was created for (the security rules allow nothing else); a different id is a programming
   * error and throws `EnterpriseHookUserError` rather than queueing under someone else.
   */
  userId?: string;
  onComplete?: (result: EnterpriseTranscriptionResult) => void;
  onError?: (error: TranscriptionRequestError) => void;
  /** Default: the one of the nearest `TranscriptionQueueProvider`. */
  client?: QueueClient;
  historyLimit?: number;
}

/** The audio as the document hands it over (`{ audioDataUri }`), or a Blob/bytes/data URI. */
export type EnterpriseAudioInput = { audioDataUri: string } | AudioInput;

export interface EnterpriseQueueStatsView {
  /** Jobs waiting in the queue (all users). */
  currentQueueSize: number;
  /**
   * Succeeded / finished over the leader's recent window (0..1). A number, as the document
   * uses it (`Math.round(stats.successRate * 100)`): 1 while no job has finished in the window
   * (nothing failed); `useTranscriptionQueue().stats.successRate` is null then.
   */
  successRate: number;
  userRateLimit: { remaining: number | null; resetInMs: number | null };
  activeServers: number;
  paused: boolean;
}

export interface EnterpriseTranscriptionQueueHook {
  /** Resolves with the request id once the submission is written; throws `SubmissionError`. */
  queueTranscription(input: EnterpriseAudioInput, options?: { priority?: Priority } & Omit<SubmitOptions, 'priority'>): Promise<string>;
  requests: TranscriptionRequest[];
  /** Null until the queue's stats document has been read. */
  stats: EnterpriseQueueStatsView | null;
  isLoading: boolean;
  hasActiveRequests: boolean;
  cancel(requestId: string, reason?: string | null): Promise<void>;
  error: Error | null;
}

/**
 * The design document's `useEnterpriseTranscriptionQueue({ userId, onComplete, onError })`, over
 * `useTranscriptionQueue`: `onComplete` gets `{ requestId, transcript, request }`, `onError`
 * an Error (`TranscriptionRequestError`, with `.request`), and `stats` the document's
 * `currentQueueSize`, `successRate` and `userRateLimit.remaining`.
 */
export function useEnterpriseTranscriptionQueue(options: UseEnterpriseTranscriptionQueueOptions = {}): EnterpriseTranscriptionQueueHook {
  const client = useQueueClient(options.client);
  assertHookUser(client, options.userId);
  const queue = useTranscriptionQueue({
    client,
    ...(options.historyLimit !== undefined ? { historyLimit: options.historyLimit } : {}),
    onComplete: (request) => options.onComplete?.({ requestId: request.requestId, transcript: request.transcript ?? '', request }),
    onError: (request) => options.onError?.(new TranscriptionRequestError(request)),
  });
  const { stats, rateLimit } = queue;
  const view = useMemo<EnterpriseQueueStatsView | null>(
    () =>
      stats
        ? {
            currentQueueSize: stats.queued,
            successRate: stats.successRate ?? 1,
            userRateLimit: { remaining: rateLimit ? rateLimit.remaining : null, resetInMs: rateLimit ? rateLimit.resetInMs : null },
            activeServers: stats.activeServers,
            paused: stats.paused,
          }
        : null,
    [stats, rateLimit],
  );
  const { queueTranscription: submit } = queue;
  const queueTranscription = useMemo(
    () => (input: EnterpriseAudioInput, submitOptions?: SubmitOptions) =>
      submit(typeof input === 'object' && input !== null && 'audioDataUri' in input ? input.audioDataUri : input, submitOptions),
    [submit],
  );
  return {
    queueTranscription,
    requests: queue.requests,
    stats: view,
    isLoading: queue.isLoading,
    hasActiveRequests: queue.hasActiveRequests,
    cancel: queue.cancel,
    error: queue.error,
  };
}

/** Throws when the document's `userId` names someone other than the client's user. */
export function assertHookUser(client: QueueClient, userId: string | undefined): void {
  if (userId !== undefined && userId !== client.userId) {
    throw new EnterpriseHookUserError(`useEnterpriseTranscriptionQueue({ userId: "${userId}" }) but the queue client is signed in as "${client.userId}"`);
  }
}

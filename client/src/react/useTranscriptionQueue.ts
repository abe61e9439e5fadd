import type { AudioInput, MyRequestsSnapshot, QueueClient, SubmitOptions, TranscriptionRequest } from '@fq/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useQueueClient } from './context.js';

export interface UseTranscriptionQueueOptions {
  /** Default: the one of the nearest `TranscriptionQueueProvider`. */
  client?: QueueClient;
  /** Called once per job this browser submitted or saw unfinished that then succeeded (also across a reload). */
  onComplete?: (request: TranscriptionRequest) => void;
  /** Likewise for one that failed, was cancelled or rejected, and for a failed upload. */
  onError?: (request: TranscriptionRequest) => void;
  /** Recent jobs to show (newest first); active jobs are always watched. Default 20. */
  historyLimit?: number;
}

export interface TranscriptionQueue extends MyRequestsSnapshot {
  /** Submits audio; resolves with the request id, throws `SubmissionError`. */
  queueTranscription(input: AudioInput, options?: SubmitOptions): Promise<string>;
  /** Asks the engine to cancel; throws `CancelError` (check `request.canCancel` first). */
  cancel(requestId: string, reason?: string | null): Promise<void>;
}

const LOADING: MyRequestsSnapshot = { requests: [], stats: null, rateLimit: null, isLoading: true, hasActiveRequests: false, error: null };

/**
 * The signed-in user's transcription requests, live: submit audio, cancel, and per request
 * the status, `position` (jobs ahead) and `etaMs`, counted down between the leader's
 * bucketed writes; the queue's stats with the pause switches; the user's rate-limit
 * allowance. Reloading the page re-attaches to the user's unfinished jobs.
 */
export function useTranscriptionQueue(options: UseTranscriptionQueueOptions = {}): TranscriptionQueue {
  const client = useQueueClient(options.client);
  const historyLimit = options.historyLimit ?? 20;
  const [snapshot, setSnapshot] = useState<MyRequestsSnapshot>(LOADING);
  // The latest callbacks, without re-subscribing when an inline function changes identity.
  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });
  useEffect(
    () =>
      client.watchMine(setSnapshot, {
        historyLimit,
        onComplete: (r) => callbacks.current.onComplete?.(r),
        onError: (r) => callbacks.current.onError?.(r),
      }),
    [client, historyLimit],
  );
  const queueTranscription = useCallback((input: AudioInput, submitOptions?: SubmitOptions) => client.submit(input, submitOptions), [client]);
  const cancel = useCallback((requestId: string, reason?: string | null) => client.cancel(requestId, reason), [client]);
  return { ...snapshot, queueTranscription, cancel };
}

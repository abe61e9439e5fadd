import { isQueueError, planSubmission, rateLimitUsage, SubmissionThrottledError, type RateLimitUsage, type SubmissionInput } from '@fq/worker/core';
import { PRIORITIES, SUBMISSION_QUOTA_DEFAULTS, type Priority, type QueueStatsDoc } from '@fq/worker/schema';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useData } from '../data/context';
import { useClock, useNow } from '../lib/clock';
import { describeError } from '../data/errors';
import { useLiveDoc, useLiveQuery } from '../data/hooks';
import { SERVER_TIME } from '../data/port';
import { specs } from '../data/queries';
import { commitSubmission } from '../data/submissions';
import { okRows } from '../data/rows';
import { CancelError, SubmissionError } from './errors';
import { createLedger } from './notifications';
import { cancelProblem, isTerminal, mergeRequests, toRequest, withPendingCancels, type TranscriptionRequest } from './requests';

export type { TranscriptionRequest } from './requests';
export { CancelError, SubmissionError } from './errors';
export type { CancelErrorCode } from './errors';

export type AudioInput = Blob | Uint8Array | ArrayBuffer;

export interface QueueTranscriptionOptions {
  priority?: Priority;
  /** Required for byte input; taken from `Blob.type` otherwise (parameters like ";codecs=opus" are dropped). */
  mimeType?: string;
  sessionId?: string;
  /** Same key twice = one job (the engine deduplicates). */
  idempotencyKey?: string;
  metadata?: Record<string, string | number | boolean | null>;
  durationSec?: number;
}

export interface UseTranscriptionQueueOptions {
  /** The signed-in user's uid (jobs are written and watched for this user only). */
  userId: string;
  onComplete?: (request: TranscriptionRequest) => void;
  onError?: (request: TranscriptionRequest) => void;
  /** Recent jobs to show (newest first); active jobs are always watched. Default 20. */
  historyLimit?: number;
  /** Where "already reported" ids survive a reload; default localStorage, null = memory only. */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /**
   * The priorities the user's tier allows (`SessionUser.priorities`): another one is refused
   * here with `PRIORITY_NOT_ALLOWED` before anything is written (the rules would refuse it
   * with a bare permission error). Absent: not checked here.
   */
  allowedPriorities?: readonly Priority[];
}

export interface QueueStatsView {
  queued: number;
  inFlight: number;
  throughputPerMin: number;
  avgServiceMs: number | null;
  activeServers: number;
  /** An operator paused the whole queue: nothing starts until it resumes. */
  paused: boolean;
  /** Priorities whose jobs do not start now (every priority while `paused`). */
  pausedPriorities: Priority[];
}

const MAX_ACTIVE_WATCHED = 50;

/**
 * The stats document carries the pause switches (mirrored by the leader from the controls
 * document, which end users may not read), so one listener answers everything here.
 */
function statsView(doc: QueueStatsDoc | null): QueueStatsView | null {
  if (!doc) return null;
  return {
    queued: Object.values(doc.queuedByPriority).reduce((a, b) => a + b, 0),
    inFlight: doc.inFlight,
    throughputPerMin: doc.throughputPerMin,
    avgServiceMs: doc.avgServiceMs,
    activeServers: doc.activeServers,
    paused: doc.paused,
    pausedPriorities: doc.paused ? [...PRIORITIES] : PRIORITIES.filter((p) => doc.pausedPriorities.includes(p)),
  };
}

function defaultStorage(): Pick<Storage, 'getItem' | 'setItem'> | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

async function toBytes(input: AudioInput): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(await input.arrayBuffer());
}

/**
 * The end-user side of the queue: submit audio as a `submitted` job (validated and chunked by
 * the engine's own `planSubmission`, written with its payload and a step of the user's
 * submission gate in ONE transaction; over the quota the stats document publishes, it is
 * refused with SUBMISSION_THROTTLED before anything is written), watch the
 * user's jobs live with bounded queries, and report position/ETA, rate-limit allowance and
 * completion. Reloading the page re-attaches to the user's in-flight jobs.
 */
export function useTranscriptionQueue(options: UseTranscriptionQueueOptions) {
  const { userId, historyLimit = 20 } = options;
  const { port, serverClock } = useData();
  const recent = useLiveQuery(specs.userJobs(userId, historyLimit));
  const active = useLiveQuery(specs.userActiveJobs(userId, MAX_ACTIVE_WATCHED));
  const statsDoc = useLiveDoc(specs.queueStats());
  const limitDoc = useLiveDoc(specs.rateLimit(userId));
  // Requests the server does not show yet (uploading / failed uploads); server rows win in the merge.
  const [local, setLocal] = useState<TranscriptionRequest[]>([]);
  const clock = useClock();
  const now = useNow();

  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const ledger = useMemo(() => createLedger(`firequeue.notified.${userId}`, storage), [userId, storage]);

  const stats = statsDoc.data?.ok ? statsDoc.data.data : null;
  // Read at submit time, so a new stats document does not rebuild queueTranscription.
  const statsRef = useRef(stats);
  useEffect(() => {
    statsRef.current = stats;
  });

  // Positions and ETAs count down with the clock between the leader's (bucketed) writes.
  const serverNow = serverClock.serverNow(now);
  const fromServer = useMemo(() => {
    const byId = new Map<string, TranscriptionRequest>();
    for (const r of okRows(recent.data ?? [])) byId.set(r.id, toRequest(r.id, r.data, stats, serverNow));
    for (const r of okRows(active.data ?? [])) byId.set(r.id, toRequest(r.id, r.data, stats, serverNow));
    return [...byId.values()];
  }, [recent.data, active.data, stats, serverNow]);

  // Cancels being written: shown as cancelling, and no second request in that window. The
  // ref answers a double click synchronously; the state re-renders.
  const pendingCancels = useRef(new Set<string>());
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const requests = useMemo(() => withPendingCancels(mergeRequests(fromServer, local), pending), [fromServer, local, pending]);
  const requestsRef = useRef(requests);
  useEffect(() => {
    requestsRef.current = requests;
  });

  // Fire callbacks once per job: jobs seen active (now or before a reload) and now terminal.
  useEffect(() => {
    for (const r of fromServer) {
      if (!isTerminal(r.status)) {
        ledger.await(r.requestId);
        continue;
      }
      if (!ledger.isAwaited(r.requestId) || !ledger.claimNotification(r.requestId)) continue;
      if (r.status === 'succeeded') callbacks.current.onComplete?.(r);
      else callbacks.current.onError?.(r);
    }
  }, [fromServer, ledger]);

  const queueTranscription = useCallback(
    async (input: AudioInput, opts: QueueTranscriptionOptions = {}): Promise<string> => {
      const requestId = port.newId('jobs');
      const now = serverClock.serverNow(clock.now());
      const mimeType = (opts.mimeType ?? (input instanceof Blob ? input.type : '')).split(';')[0]!.trim();
      const fail = (code: string, message: string, retryAfterMs: number | null = null): never => {
        const failed: TranscriptionRequest = {
          requestId,
          status: 'upload_failed',
          priority: opts.priority ?? 'normal',
          createdAt: now,
          position: null,
          etaMs: null,
          progress: null,
          attempts: 0,
          transcript: null,
          error: { code, message },
          cancelRequested: false,
          canCancel: false,
          metadata: opts.metadata ?? {},
        };
        setLocal((prev) => [...prev.filter((r) => r.requestId !== requestId), failed]);
        callbacks.current.onError?.(failed);
        throw new SubmissionError(code, message, requestId, retryAfterMs);
      };

      const allowed = callbacks.current.allowedPriorities;
      if (allowed && !allowed.includes(opts.priority ?? 'normal')) {
        return fail(
          'PRIORITY_NOT_ALLOWED',
          `Your account may submit ${allowed.join(' or ')} priority jobs; ${opts.priority ?? 'normal'} needs the priority tier.`,
        );
      }
      let plan;
      try {
        const audio = await toBytes(input);
        plan = await planSubmission(
          {
            audio,
            mimeType: mimeType as SubmissionInput['mimeType'],
            userId,
            priority: opts.priority,
            sessionId: opts.sessionId,
            idempotencyKey: opts.idempotencyKey,
            metadata: opts.metadata,
            durationSec: opts.durationSec,
          },
          { now, source: 'client', jobId: requestId },
        );
      } catch (error) {
        if (isQueueError(error)) return fail(error.code, error.message);
        return fail('VALIDATION', describeError(error));
      }

      setLocal((prev) => [
        ...prev,
        {
          requestId,
          status: 'uploading',
          priority: plan.submission.priority,
          createdAt: now,
          position: null,
          etaMs: null,
          progress: null,
          attempts: 0,
          transcript: null,
          error: null,
          cancelRequested: false,
          canCancel: false,
          metadata: plan.submission.metadata,
        },
      ]);
      ledger.await(requestId);
      try {
        // The quota the rules apply; a stats document without one (or none yet) means the defaults.
        const quota = statsRef.current?.submissionQuota ?? SUBMISSION_QUOTA_DEFAULTS;
        await commitSubmission(port, plan, { quota, serverNow: () => serverClock.serverNow(clock.now()) });
      } catch (error) {
        if (error instanceof SubmissionThrottledError) return fail(error.code, error.message, error.retryAfterMs);
        return fail('UPLOAD_FAILED', `the audio could not be uploaded: ${describeError(error)}`);
      }
      return requestId;
    },
    [port, serverClock, userId, ledger, clock],
  );

  const cancel = useCallback(
    async (requestId: string, reason: string | null = null): Promise<void> => {
      // Only the cancel request is written; the engine performs the cancellation (and aborts
      // an in-flight upstream call), so a client can never finish a job itself. The rules
      // accept one request per job: a second one is refused here, before any write.
      const request = requestsRef.current.find((r) => r.requestId === requestId);
      const problem = cancelProblem(request, pendingCancels.current.has(requestId));
      if (problem) throw new CancelError(problem.code, problem.message, requestId);
      pendingCancels.current.add(requestId);
      setPending(new Set(pendingCancels.current));
      try {
        await port.commitBatch([
          { op: 'update', collection: 'jobs', id: requestId, data: { cancelRequest: { at: SERVER_TIME, by: userId, reason } } },
        ]);
      } catch (error) {
        throw new CancelError('CANCEL_FAILED', `the cancel request could not be saved: ${describeError(error)}`, requestId);
      } finally {
        pendingCancels.current.delete(requestId);
        setPending(new Set(pendingCancels.current));
      }
    },
    [port, userId],
  );

  const rateLimit: RateLimitUsage | null = limitDoc.data?.ok ? rateLimitUsage(limitDoc.data.data, serverClock.serverNow(now)) : null;

  return {
    queueTranscription,
    cancel,
    requests,
    stats: statsView(stats),
    rateLimit,
    isLoading: recent.isPending || active.isPending,
    hasActiveRequests: requests.some((r) => !isTerminal(r.status)),
    error: recent.error ?? active.error ?? null,
  };
}

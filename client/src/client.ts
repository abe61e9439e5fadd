import { createServerClock, rateLimitUsage, type RateLimitUsage, type ServerClock } from '@fq/worker/core';
import { SUBMISSION_QUOTA_DEFAULTS, type CollectionKey, type DocOf, type JobDoc, type Priority, type QueueStatsDoc, type RateLimitDoc } from '@fq/worker/schema';
import { requestCancel } from './cancel.js';
import { CancelError, SubmissionError } from './errors.js';
import { liveSource, type LiveSource, type LiveState } from './live.js';
import { createLedger, type NotificationLedger } from './notifications.js';
import type { Firestore } from 'firebase/firestore';
import { firestoreQueueStore } from './firestoreStore.js';
import { refs } from './refs.js';
import { cancelProblem, isTerminal, mergeRequests, toRequest, withPendingCancels, type TranscriptionRequest } from './requests.js';
import { statsView, type QueueStatsView } from './stats.js';
import type { DocRef, DocRow, QueryRef, QueueStore, Unsubscribe } from './store.js';
import { planClientSubmission, priorityProblem, uploadSubmission, type AudioInput, type SubmitOptions } from './submission.js';

export type NotificationStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Where the queue lives: a Firestore instance (web SDK) and the queue's collection prefix, or any `QueueStore`. */
export type QueueLocation = { firestore: Firestore; prefix?: string } | { store: QueueStore };

export type QueueClientOptions = QueueLocation & ClientSettings;

export interface ClientSettings {
  /** The signed-in user's uid (Firebase Auth): jobs are written and watched for this user only. */
  userId: string;
  /**
   * The signed-in user's e-mail as their token states it (Firebase Auth's `user.email`; null
   * when the account has none). Recorded on every job so operators find the user's jobs by it;
   * the rules refuse any value but the token's. Absent: no e-mail is recorded.
   */
  userEmail?: string | null;
  /**
   * The priorities the user's tier allows: another one is refused with PRIORITY_NOT_ALLOWED
   * before anything is written (the rules would refuse it with a bare permission error).
   * Absent: not checked here.
   */
  allowedPriorities?: readonly Priority[];
  /** Where "already reported" ids survive a reload; default localStorage, null = memory only. */
  storage?: NotificationStorage | null;
  /** The browser's clock (ms); default `Date.now`. */
  clock?: { now(): number };
  /** Firestore-time estimate; default one fed by the stats document's writes. */
  serverClock?: ServerClock;
  /** How often watched positions and ETAs count down between the leader's writes; 0 = only on changes. Default 1000. */
  tickMs?: number;
}

/** A user's requests as `watchMine` reports them, newest first. */
export interface MyRequestsSnapshot {
  requests: TranscriptionRequest[];
  stats: QueueStatsView | null;
  /** The user's admission allowance (null until the engine has admitted one of their jobs). */
  rateLimit: RateLimitUsage | null;
  isLoading: boolean;
  hasActiveRequests: boolean;
  /** A listener failed (e.g. permission denied, a missing index); it is retried on the next subscription. */
  error: Error | null;
}

export interface WatchMineOptions {
  /** Recent jobs to show (newest first); active jobs are always watched (up to 50). Default 20. */
  historyLimit?: number;
  /**
   * Called once per job that this browser saw unfinished (or submitted) and that then
   * succeeded, also across a reload; old history is never reported.
   */
  onComplete?: (request: TranscriptionRequest) => void;
  /** Likewise for a job that failed, was cancelled or rejected, or an upload that failed. */
  onError?: (request: TranscriptionRequest) => void;
}

/** One request as `watch` reports it: null while unknown (or not this user's). */
export interface RequestSnapshot {
  request: TranscriptionRequest | null;
  isLoading: boolean;
  error: Error | null;
}

export interface QueueClient {
  readonly userId: string;
  /** The queue's store this client reads and writes (the admin monitor can reuse it). */
  readonly store: QueueStore;
  /**
   * Submits audio as a `submitted` job: validated and chunked by the engine's own
   * `planSubmission`, written with its chunks and a step of the user's submission gate in
   * ONE transaction. Resolves with the request (job) id; throws `SubmissionError`
   * (PRIORITY_NOT_ALLOWED, VALIDATION, PAYLOAD_INVALID, PAYLOAD_TOO_LARGE, SUBMISSION_THROTTLED
   * with `retryAfterMs`, UPLOAD_FAILED), after which the request shows as `upload_failed`.
   */
  submit(input: AudioInput, options?: SubmitOptions): Promise<string>;
  /** Asks the engine to cancel a job (only the request is written); throws `CancelError`. */
  cancel(requestId: string, reason?: string | null): Promise<void>;
  /** One request, live: status, position and ETA (counted down), transcript or error. */
  watch(requestId: string, listener: (snapshot: RequestSnapshot) => void): Unsubscribe;
  /** The user's requests, live, with the queue's stats and the user's rate-limit allowance. */
  watchMine(listener: (snapshot: MyRequestsSnapshot) => void, options?: WatchMineOptions): Unsubscribe;
  watchStats(listener: (stats: QueueStatsView | null) => void): Unsubscribe;
  watchRateLimit(listener: (usage: RateLimitUsage | null) => void): Unsubscribe;
  /** Firestore time now, by the client's estimate. */
  serverNow(): number;
}

/** Unfinished jobs watched beyond the history limit. */
const MAX_ACTIVE_WATCHED = 50;

function defaultStorage(): NotificationStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

const okData = <T>(state: LiveState<DocRow<T> | null>): T | null => (state.status === 'ready' && state.value?.ok ? state.value.data : null);
const okRows = <T>(state: LiveState<DocRow<T>[]>): { id: string; data: T }[] =>
  state.status === 'ready' ? state.value.flatMap((r) => (r.ok ? [{ id: r.id, data: r.data }] : [])) : [];
const errorOf = (state: LiveState<unknown>): Error | null => (state.status === 'error' ? state.error : null);

/** A view that re-derives on every change of its sources, and on a tick while something counts down. */
function subscribeAll(sources: LiveSource<unknown>[], onChange: () => void, extra: Set<() => void>): Unsubscribe {
  extra.add(onChange);
  const stops = sources.map((s) => s.subscribe(onChange));
  return () => {
    extra.delete(onChange);
    for (const stop of stops) stop();
  };
}

export function createQueueClient(options: QueueClientOptions): QueueClient {
  const { userId } = options;
  const store = 'store' in options ? options.store : firestoreQueueStore(options.firestore, { prefix: options.prefix ?? '' });
  const clock = options.clock ?? { now: () => Date.now() };
  const serverClock = options.serverClock ?? createServerClock();
  const tickMs = options.tickMs ?? 1_000;
  const serverNow = () => serverClock.serverNow(clock.now());
  let ledger: NotificationLedger | null = null;
  const notifications = () => (ledger ??= createLedger(`firequeue.notified.${userId}`, options.storage === undefined ? defaultStorage() : options.storage));

  // Requests the server does not show yet (uploading, failed uploads); server rows win in the merge.
  const local = new Map<string, TranscriptionRequest>();
  // Cancels being written: shown as cancelling, and no second request in that window.
  const pendingCancels = new Set<string>();
  // Views to re-derive when local state changes.
  const localWatchers = new Set<() => void>();
  const localFailureHandlers = new Set<(request: TranscriptionRequest) => void>();
  const localChanged = () => {
    for (const w of [...localWatchers]) w();
  };

  const docSource = <K extends CollectionKey>(ref: DocRef<K>, onValue?: (v: DocRow<DocOf<K>> | null, first: boolean) => void) =>
    liveSource<DocRow<DocOf<K>> | null>((l) => store.watchDoc(ref, l), onValue);
  const querySource = <K extends CollectionKey>(ref: QueryRef<K>) => liveSource<DocRow<DocOf<K>>[]>((l) => store.watchQuery(ref, l));

  // Only CHANGES of the stats document's time are samples for the server clock (the leader
  // rewrites it every few seconds): a first snapshot may be an old document (or the cache's)
  // and would skew the estimate.
  let lastStatsAt: number | null = null;
  const stats = docSource(refs.queueStats(), (row, first) => {
    const at = row?.ok ? row.data.at : null;
    if (!first && at !== null && lastStatsAt !== null && at > lastStatsAt) serverClock.observe(at, clock.now());
    lastStatsAt = at;
  });
  const rateLimit = docSource(refs.rateLimit(userId));
  const jobs = new Map<string, LiveSource<DocRow<JobDoc> | null>>();
  const jobSource = (id: string) => {
    let s = jobs.get(id);
    if (!s) jobs.set(id, (s = docSource(refs.job(id))));
    return s;
  };
  const mine = new Map<number, { recent: LiveSource<DocRow<JobDoc>[]>; active: LiveSource<DocRow<JobDoc>[]> }>();
  const mineSources = (historyLimit: number) => {
    let m = mine.get(historyLimit);
    if (!m) {
      m = { recent: querySource(refs.userJobs(userId, historyLimit)), active: querySource(refs.userActiveJobs(userId, MAX_ACTIVE_WATCHED)) };
      mine.set(historyLimit, m);
    }
    return m;
  };

  const statsDoc = (): QueueStatsDoc | null => okData(stats.state());
  const usage = (): RateLimitUsage | null => {
    const doc: RateLimitDoc | null = okData(rateLimit.state());
    return doc ? rateLimitUsage(doc, serverNow()) : null;
  };
  const overlay = (requests: TranscriptionRequest[]) => withPendingCancels(requests, pendingCancels);
  const serverRequest = (id: string, job: JobDoc) => {
    // The server shows it now: a local "uploading" entry has served its purpose.
    local.delete(id);
    return toRequest(id, job, statsDoc(), serverNow());
  };

  /**
   * Re-derives on a timer while the last derivation counts down (a position, an ETA or a
   * rate-limit window): `derive` emits and says whether it still does.
   */
  const ticking = (derive: () => boolean): { emit: () => void; stop: Unsubscribe } => {
    let counting = false;
    const emit = () => {
      counting = derive();
    };
    if (tickMs <= 0) return { emit, stop: () => undefined };
    const id = setInterval(() => counting && emit(), tickMs);
    return { emit, stop: () => clearInterval(id) };
  };
  const countsDown = (requests: readonly TranscriptionRequest[], limit: RateLimitUsage | null) =>
    requests.some((r) => r.etaMs !== null) || (limit !== null && !limit.windowEnded);

  /** The request as this client knows it now (local state or a running listener), if it does. */
  const knownRequest = (id: string): TranscriptionRequest | undefined => {
    const job = jobs.get(id)?.state();
    if (job?.status === 'ready' && job.value?.ok && job.value.data.userId === userId) return toRequest(id, job.value.data, statsDoc(), serverNow());
    for (const m of mine.values()) {
      for (const rows of [m.recent.state(), m.active.state()]) {
        const row = okRows(rows).find((r) => r.id === id);
        if (row) return toRequest(id, row.data, statsDoc(), serverNow());
      }
    }
    return local.get(id);
  };

  const failLocally = (request: TranscriptionRequest, error: SubmissionError): never => {
    local.set(request.requestId, request);
    localChanged();
    for (const handler of [...localFailureHandlers]) handler(request);
    throw error;
  };

  const client: QueueClient = {
    userId,
    store,
    serverNow,

    async submit(input, submitOptions = {}) {
      const requestId = store.newId('jobs');
      const now = serverNow();
      const priority = submitOptions.priority ?? 'normal';
      const base: TranscriptionRequest = {
        requestId,
        status: 'uploading',
        priority,
        createdAt: now,
        position: null,
        etaMs: null,
        scheduledFor: null,
        progress: null,
        attempts: 0,
        transcript: null,
        error: null,
        cancelRequested: false,
        canCancel: false,
        metadata: submitOptions.metadata ?? {},
      };
      const fail = (error: SubmissionError): never =>
        failLocally({ ...base, status: 'upload_failed', error: { code: error.code, message: error.message } }, error);

      const refused = priorityProblem(priority, options.allowedPriorities);
      if (refused) return fail(new SubmissionError(refused.code, refused.message, requestId));
      let plan;
      try {
        plan = await planClientSubmission(input, submitOptions, {
          userId,
          requestId,
          now,
          ...(options.userEmail === undefined ? {} : { userEmail: options.userEmail }),
        });
      } catch (error) {
        return fail(error as SubmissionError);
      }
      local.set(requestId, { ...base, priority: plan.submission.priority, metadata: plan.submission.metadata });
      notifications().await(requestId);
      localChanged();
      try {
        // The quota the rules apply: the stats document's (read once when nothing watches it);
        // none published (or no stats document yet) means the defaults.
        const doc = stats.state().status === 'ready' ? statsDoc() : await stats.first().then((row) => (row?.ok ? row.data : null), () => null);
        await uploadSubmission(store, plan, { quota: doc?.submissionQuota ?? SUBMISSION_QUOTA_DEFAULTS, serverNow });
      } catch (error) {
        return fail(error as SubmissionError);
      }
      return requestId;
    },

    async cancel(requestId, reason = null) {
      // The pending set answers a double click synchronously, before any await.
      const known = knownRequest(requestId);
      const pending = pendingCancels.has(requestId);
      const problem = known || pending ? cancelProblem(known, pending) : null;
      if (problem) throw new CancelError(problem.code, problem.message, requestId);
      pendingCancels.add(requestId);
      localChanged();
      try {
        let request = known;
        if (!request) {
          // Not watched here: read the job once (another user's job reads as unknown).
          const row = await jobSource(requestId)
            .first()
            .catch(() => null);
          request = row?.ok && row.data.userId === userId ? serverRequest(requestId, row.data) : undefined;
        }
        await requestCancel(store, requestId, request, { userId, reason, pending: false });
      } finally {
        pendingCancels.delete(requestId);
        localChanged();
      }
    },

    watch(requestId, listener) {
      const job = jobSource(requestId);
      const emit = () => {
        const state = job.state();
        const row = state.status === 'ready' ? state.value : null;
        const fromServer = row?.ok && row.data.userId === userId ? serverRequest(requestId, row.data) : null;
        const request = fromServer ?? local.get(requestId) ?? null;
        listener({
          request: request ? (overlay([request])[0] ?? null) : null,
          isLoading: state.status === 'loading' && !local.has(requestId),
          error: errorOf(state),
        });
        return request !== null && request.etaMs !== null;
      };
      const tick = ticking(emit);
      const stop = subscribeAll([job, stats], tick.emit, localWatchers);
      tick.emit();
      return () => {
        tick.stop();
        stop();
      };
    },

    watchMine(listener, watchOptions = {}) {
      const { recent, active } = mineSources(watchOptions.historyLimit ?? 20);
      const { onComplete, onError } = watchOptions;
      const reportsOutcomes = onComplete !== undefined || onError !== undefined;
      const emit = () => {
        const byId = new Map<string, TranscriptionRequest>();
        for (const r of [...okRows(recent.state()), ...okRows(active.state())]) byId.set(r.id, serverRequest(r.id, r.data));
        const fromServer = [...byId.values()];
        const requests = overlay(mergeRequests(fromServer, [...local.values()]));
        const limit = usage();
        const recentState = recent.state();
        const activeState = active.state();
        listener({
          requests,
          stats: statsView(statsDoc()),
          rateLimit: limit,
          isLoading: recentState.status === 'loading' || activeState.status === 'loading',
          hasActiveRequests: requests.some((r) => !isTerminal(r.status)),
          error: errorOf(recentState) ?? errorOf(activeState),
        });
        // Report each job once: seen unfinished (now or before a reload), now finished. Only a
        // view that reports claims a job, so a silent view never swallows a notification.
        if (reportsOutcomes) {
          const ledger = notifications();
          for (const r of fromServer) {
            if (!isTerminal(r.status)) {
              ledger.await(r.requestId);
              continue;
            }
            if (!ledger.isAwaited(r.requestId) || !ledger.claimNotification(r.requestId)) continue;
            if (r.status === 'succeeded') onComplete?.(r);
            else onError?.(r);
          }
        }
        return countsDown(requests, limit);
      };
      const onLocalFailure = (request: TranscriptionRequest) => onError?.(request);
      if (onError) localFailureHandlers.add(onLocalFailure);
      const tick = ticking(emit);
      const stop = subscribeAll([recent, active, stats, rateLimit], tick.emit, localWatchers);
      tick.emit();
      return () => {
        localFailureHandlers.delete(onLocalFailure);
        tick.stop();
        stop();
      };
    },

    watchStats(listener) {
      const emit = () => listener(statsView(statsDoc()));
      const stop = stats.subscribe(emit);
      emit();
      return stop;
    },

    watchRateLimit(listener) {
      const emit = () => {
        const limit = usage();
        listener(limit);
        return limit !== null && !limit.windowEnded;
      };
      const tick = ticking(emit);
      const stop = rateLimit.subscribe(tick.emit);
      tick.emit();
      return () => {
        tick.stop();
        stop();
      };
    },
  };
  return client;
}

import { CancelError, createQueueClient, SERVER_TIME, SubmissionError, type QueueClient, type ClientSettings } from '@fq/client';
import { PAYLOAD_LIMITS, type JobDoc } from '@fq/worker/schema';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeWav } from '../test/audio.js';
import { T0, job, memoryStorage, rateLimit, stats } from '../test/factories.js';
import { FakeStore } from '../test/fakeStore.js';
import { TranscriptionQueueProvider } from './context.js';
import { useTranscriptionQueue, type UseTranscriptionQueueOptions } from './useTranscriptionQueue.js';

describe('useTranscriptionQueue', () => {
  let data: FakeStore;
  let storage: ReturnType<typeof memoryStorage>;

  beforeEach(() => {
    data = new FakeStore();
    data.serverNow = () => T0;
    storage = memoryStorage();
  });

  /** The hook under a provider whose client is the user's over the fake store; time is fixed unless `now` moves. */
  function mount(
    opts: UseTranscriptionQueueOptions = {},
    now: () => number = () => T0,
    clientOptions: Partial<ClientSettings> = {},
  ) {
    const client: QueueClient = createQueueClient({ store: data, userId: 'u-1', storage, clock: { now }, tickMs: 0, ...clientOptions });
    const wrapper = ({ children }: { children: ReactNode }) => <TranscriptionQueueProvider client={client}>{children}</TranscriptionQueueProvider>;
    return renderHook(() => useTranscriptionQueue(opts), { wrapper });
  }

  /** Mimics the engine: moves a job through statuses. */
  function engine(id: string, patch: Partial<JobDoc>) {
    data.put('jobs', id, { ...data.doc('jobs', id), ...patch, updatedAt: T0 });
  }

  it('submits audio in ONE commit: a client `submitted` job, its payload chunks and the step of the user’s submission gate', async () => {
    const { result } = mount();
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    let id = '';
    await act(async () => {
      id = await result.current.queueTranscription(new Blob([makeWav(1) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }), {
        priority: 'high',
        metadata: { deck: 'french' },
      });
    });
    expect(data.commits).toHaveLength(1);
    const [jobWrite, ...rest] = data.commits[0]!;
    const chunks = rest.filter((m) => m.collection === 'payloads');
    expect(jobWrite).toMatchObject({ op: 'set', collection: 'jobs', id });
    // The user's first submission opens a window at the commit time, naming the job.
    expect(rest.at(-1)).toEqual({ op: 'set', collection: 'submissionGates', id: 'u-1', data: { windowStart: SERVER_TIME, count: 1, lastJobId: id } });
    const written = (jobWrite as { data: Record<string, unknown> }).data;
    expect(Object.keys(written).sort()).toEqual(
      ['audio', 'createdAt', 'idempotencyKey', 'metadata', 'priority', 'sessionId', 'source', 'status', 'userId'].sort(),
    );
    expect(written).toMatchObject({ status: 'submitted', source: 'client', userId: 'u-1', priority: 'high', createdAt: SERVER_TIME });
    expect(written.audio).toMatchObject({ mimeType: 'audio/wav', chunkCount: 1, durationSec: 1 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ op: 'set', collection: 'payloads', id: `${id}_0000` });
    // the stored job is visible through the listener and decodes as a submitted job
    await waitFor(() => expect(result.current.requests[0]).toMatchObject({ requestId: id, status: 'submitted' }));
    expect(result.current.hasActiveRequests).toBe(true);
  });

  it('counts on in the open window, and over the quota refuses with SUBMISSION_THROTTLED before writing anything', async () => {
    data.put('stats', 'queue', stats({ submissionQuota: { perWindow: 2, windowMs: 10_000 } }));
    const onError = vi.fn();
    let now = T0;
    data.serverNow = () => now;
    const { result } = mount({ onError }, () => now);
    await waitFor(() => expect(result.current.stats).not.toBeNull());
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      await act(async () => {
        ids.push(await result.current.queueTranscription(makeWav(0.1), { mimeType: 'audio/wav' }));
      });
    }
    expect(data.commits[1]!.at(-1)).toEqual({ op: 'update', collection: 'submissionGates', id: 'u-1', data: { count: 2, lastJobId: ids[1] } });
    let caught: unknown;
    await act(async () => {
      caught = await result.current.queueTranscription(makeWav(0.1), { mimeType: 'audio/wav' }).catch((e: unknown) => e);
    });
    expect(caught).toBeInstanceOf(SubmissionError);
    // The window opened at T0 (the fake's commit time) and reopens 10 s + the clock margin later.
    expect(caught).toMatchObject({ code: 'SUBMISSION_THROTTLED', retryAfterMs: 11_000 });
    expect((caught as SubmissionError).message).toMatch(/sent 2 submissions in 10 s.*retry in 11 s/);
    expect(data.commits).toHaveLength(2);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(result.current.requests.find((r) => r.status === 'upload_failed')?.error?.code).toBe('SUBMISSION_THROTTLED');
    // Once the window is over, a new one opens.
    now = T0 + 11_000;
    await act(async () => {
      await result.current.queueTranscription(makeWav(0.1), { mimeType: 'audio/wav' });
    });
    expect(data.commits[2]!.at(-1)).toMatchObject({ op: 'set', collection: 'submissionGates', data: { windowStart: SERVER_TIME, count: 1 } });
  });

  it('splits large audio into several chunks in the same batch', async () => {
    const { result } = mount();
    const bytes = makeWav((PAYLOAD_LIMITS.chunkBytes * 2.5) / 32_000);
    await act(async () => {
      await result.current.queueTranscription(bytes, { mimeType: 'audio/wav' });
    });
    expect(data.commits[0]!.filter((m) => m.collection === 'payloads')).toHaveLength(3);
  });

  it('rejects invalid audio with a typed error, writes nothing and reports it once', async () => {
    const onError = vi.fn();
    const { result } = mount({ onError });
    let caught: unknown;
    await act(async () => {
      caught = await result.current
        .queueTranscription(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), { mimeType: 'audio/wav' })
        .catch((e: unknown) => e);
    });
    expect(caught).toBeInstanceOf(SubmissionError);
    expect((caught as SubmissionError).code).toBe('PAYLOAD_INVALID');
    expect(data.commits).toHaveLength(0);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(result.current.requests[0]).toMatchObject({ status: 'upload_failed', error: { code: 'PAYLOAD_INVALID' } });

    await act(async () => {
      caught = await result.current.queueTranscription(makeWav(0.1), { mimeType: 'text/plain' }).catch((e: unknown) => e);
    });
    expect((caught as SubmissionError).code).toBe('VALIDATION');
  });

  it("refuses a priority the user's tier does not allow with a typed error, before writing anything", async () => {
    const { result } = mount({}, () => T0, { allowedPriorities: ['normal', 'low'] });
    let caught: unknown;
    await act(async () => {
      caught = await result.current.queueTranscription(makeWav(0.1), { mimeType: 'audio/wav', priority: 'urgent' }).catch((e: unknown) => e);
    });
    expect(caught).toBeInstanceOf(SubmissionError);
    expect((caught as SubmissionError).code).toBe('PRIORITY_NOT_ALLOWED');
    expect((caught as SubmissionError).message).toMatch(/normal or low priority jobs; urgent needs the priority tier/);
    expect(data.commits).toHaveLength(0);
    // An allowed priority goes through.
    await act(async () => {
      await result.current.queueTranscription(makeWav(0.1), { mimeType: 'audio/wav', priority: 'low' });
    });
    expect(data.commits).toHaveLength(1);
  });

  it('keeps a failed upload visible with its error', async () => {
    const { result } = mount();
    data.failNextWrite(Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' }));
    let caught: unknown;
    await act(async () => {
      caught = await result.current.queueTranscription(makeWav(0.2), { mimeType: 'audio/wav' }).catch((e: unknown) => e);
    });
    expect((caught as SubmissionError).code).toBe('UPLOAD_FAILED');
    expect(result.current.requests[0]?.status).toBe('upload_failed');
    expect(result.current.requests[0]?.error?.message).toMatch(/Permission denied/);
  });

  it('reports position, ETA, stats and rate-limit remaining from the documents', async () => {
    data.put('stats', 'queue', stats({ avgServiceMs: 2_000, fleetConcurrency: 2, throughputPerMin: 30, positionWindow: 100 }));
    data.put('rateLimits', 'u-1', rateLimit({ userId: 'u-1', limit: 10, burst: 2, count: 4, remaining: 8, resetAt: T0 + 30_000 }));
    // Written by admission without an ETA: estimated from the completion rate (6 starts at 0.5/s).
    data.put('jobs', 'j1', job({ userId: 'u-1', status: 'queued', position: 5, positionAt: T0 }));
    // Written by the leader 20 s ago at position 45: ten jobs started since (0.5/s), 20 s less to wait.
    data.put('jobs', 'j2', job({ userId: 'u-1', status: 'queued', position: 45, estimatedWaitMs: 92_000, positionAt: T0 - 20_000, createdAt: T0 - 1 }));
    data.put('jobs', 'other', job({ userId: 'u-2', status: 'queued' }));
    const { result } = mount();
    await waitFor(() => expect(result.current.requests).toHaveLength(2));
    expect(result.current.requests[0]).toMatchObject({ requestId: 'j1', position: 5, etaMs: 12_000 });
    expect(result.current.requests[1]).toMatchObject({ requestId: 'j2', position: 35, etaMs: 72_000 });
    expect(result.current.stats).toMatchObject({ queued: 10, inFlight: 2, avgServiceMs: 2_000 });
    expect(result.current.rateLimit).toMatchObject({ remaining: 8, capacity: 12, resetInMs: 30_000 });
  });

  it('shows a submission the rate limit deferred as scheduled with its start, then follows it to the transcript', async () => {
    const onComplete = vi.fn();
    const onError = vi.fn();
    let now = T0;
    data.serverNow = () => now;
    data.put('jobs', 'd', job({ userId: 'u-1', status: 'submitted' }));
    const { result } = mount({ onComplete, onError }, () => now);
    await waitFor(() => expect(result.current.requests[0]).toMatchObject({ requestId: 'd', status: 'submitted' }));
    // The admitter: over the limit, booked for T0 + 40 s instead of refused.
    act(() => engine('d', { status: 'waiting', admittedAt: T0, rank: T0, availableAt: T0 + 40_000, deferredUntil: T0 + 40_000 }));
    await waitFor(() => expect(result.current.requests[0]).toMatchObject({ status: 'scheduled', scheduledFor: T0 + 40_000, etaMs: 40_000, canCancel: true }));
    expect(result.current.hasActiveRequests).toBe(true);
    expect(onError).not.toHaveBeenCalled();
    now = T0 + 40_000;
    act(() => engine('d', { status: 'queued', availableAt: null }));
    await waitFor(() => expect(result.current.requests[0]).toMatchObject({ status: 'queued', scheduledFor: null }));
    act(() => engine('d', { status: 'succeeded', result: { transcript: 'plus tard', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null } }));
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ requestId: 'd', transcript: 'plus tard' });
    expect(onError).not.toHaveBeenCalled();
  });

  it('reads the pause switches from the stats document and never listens to the controls document', async () => {
    data.put('stats', 'queue', stats({ pausedPriorities: ['low', 'normal'] }));
    const { result } = mount();
    await waitFor(() => expect(result.current.stats).toMatchObject({ paused: false, pausedPriorities: ['normal', 'low'] }));
    act(() => data.put('stats', 'queue', stats({ paused: true })));
    await waitFor(() => expect(result.current.stats).toMatchObject({ paused: true, pausedPriorities: ['urgent', 'high', 'normal', 'low'] }));
    // End users may not read the controls document (it names the operator and the reason).
    expect([...data.watchers].map((w) => w.ref.collection)).not.toContain('controls');
  });

  it('fires onComplete and onError exactly once per job', async () => {
    const onComplete = vi.fn();
    const onError = vi.fn();
    data.put('jobs', 'a', job({ userId: 'u-1', status: 'running' }));
    data.put('jobs', 'b', job({ userId: 'u-1', status: 'queued', createdAt: T0 + 1 }));
    const { result } = mount({ onComplete, onError });
    await waitFor(() => expect(result.current.requests).toHaveLength(2));
    act(() =>
      engine('a', {
        status: 'succeeded',
        result: { transcript: 'bonjour', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null },
      }),
    );
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ requestId: 'a', transcript: 'bonjour' });
    act(() => engine('a', { progress: 1 })); // another snapshot of the finished job
    act(() =>
      engine('b', {
        status: 'dead_lettered',
        lastErrorClass: 'overloaded',
        errors: [{ at: T0, attempt: 5, errorClass: 'overloaded', code: 503, message: 'The model is overloaded.', retryAfterMs: null, serverId: null, model: null }],
      }),
    );
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    expect(onError.mock.calls[0]![0]).toMatchObject({ requestId: 'b', error: { code: 'overloaded' } });
    expect(onComplete).toHaveBeenCalledTimes(1);
    expect(result.current.hasActiveRequests).toBe(false);
  });

  it('survives a reload: re-attaches to in-flight jobs and reports ones that finished while away, never old history', async () => {
    data.put('jobs', 'old', job({ userId: 'u-1', status: 'succeeded', createdAt: T0 - 100_000 }));
    data.put('jobs', 'live', job({ userId: 'u-1', status: 'running', createdAt: T0 - 10 }));
    const first = mount();
    await waitFor(() => expect(first.result.current.requests).toHaveLength(2));
    first.unmount(); // "reload"

    act(() => engine('live', { status: 'failed', lastErrorClass: 'invalid' }));
    const onError = vi.fn();
    const onComplete = vi.fn();
    const second = mount({ onError, onComplete });
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    expect(onError.mock.calls[0]![0]).toMatchObject({ requestId: 'live', status: 'failed' });
    expect(onComplete).not.toHaveBeenCalled();
    second.unmount();

    const third = mount({ onError });
    await waitFor(() => expect(third.result.current.requests).toHaveLength(2));
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('watches active jobs beyond the history limit and cancels by writing only a cancel request', async () => {
    for (let i = 0; i < 3; i++) data.put('jobs', `new${i}`, job({ userId: 'u-1', status: 'succeeded', createdAt: T0 + i }));
    data.put('jobs', 'stuck', job({ userId: 'u-1', status: 'queued', createdAt: T0 - 1_000 }));
    const { result } = mount({ historyLimit: 2 });
    await waitFor(() => expect(result.current.requests.map((r) => r.requestId)).toContain('stuck'));
    await act(async () => {
      await result.current.cancel('stuck', 'changed my mind');
    });
    expect(data.commits.at(-1)).toEqual([
      { op: 'update', collection: 'jobs', id: 'stuck', data: { cancelRequest: { at: SERVER_TIME, by: 'u-1', reason: 'changed my mind' } } },
    ]);
    await waitFor(() => expect(result.current.requests.find((r) => r.requestId === 'stuck')?.cancelRequested).toBe(true));
    expect(result.current.requests.find((r) => r.requestId === 'stuck')?.canCancel).toBe(false);
  });

  it('offers cancel only where the rules accept it, and refuses the rest with a typed error that writes nothing', async () => {
    data.put('jobs', 'open', job({ userId: 'u-1', status: 'running' }));
    data.put('jobs', 'asked', job({ userId: 'u-1', status: 'queued', cancelRequest: { at: T0, by: 'u-1', reason: null } }));
    data.put('jobs', 'done', job({ userId: 'u-1', status: 'succeeded' }));
    const { result } = mount();
    await waitFor(() => expect(result.current.requests).toHaveLength(3));
    const byId = (id: string) => result.current.requests.find((r) => r.requestId === id)!;
    expect([byId('open').canCancel, byId('asked').canCancel, byId('done').canCancel]).toEqual([true, false, false]);
    expect(byId('asked').cancelRequested).toBe(true);

    const refusal = async (id: string) => {
      let caught: unknown;
      await act(async () => {
        caught = await result.current.cancel(id).catch((e: unknown) => e);
      });
      expect(caught).toBeInstanceOf(CancelError);
      return (caught as CancelError).code;
    };
    expect(await refusal('asked')).toBe('CANCEL_ALREADY_REQUESTED');
    expect(await refusal('done')).toBe('NOT_CANCELLABLE');
    expect(await refusal('someone-elses')).toBe('UNKNOWN_REQUEST');
    expect(data.commits).toHaveLength(0);

    // A double click: the second call is refused while the first write is still in flight.
    let release!: () => void;
    data.gate = new Promise((r) => (release = r));
    let first!: Promise<void>;
    act(() => {
      first = result.current.cancel('open');
    });
    await waitFor(() => expect(byId('open')).toMatchObject({ canCancel: false, cancelRequested: true }));
    expect(await refusal('open')).toBe('CANCEL_ALREADY_REQUESTED');
    release();
    await act(async () => {
      await first;
    });
    expect(data.commits).toHaveLength(1);
    expect(byId('open')).toMatchObject({ canCancel: false, cancelRequested: true });
  });

  it('reports a cancel write Firestore refused as CANCEL_FAILED and offers cancel again', async () => {
    data.put('jobs', 'j', job({ userId: 'u-1', status: 'queued' }));
    const { result } = mount();
    await waitFor(() => expect(result.current.requests[0]?.canCancel).toBe(true));
    data.failNextWrite(Object.assign(new Error('offline'), { code: 'unavailable' }));
    let caught: unknown;
    await act(async () => {
      caught = await result.current.cancel('j').catch((e: unknown) => e);
    });
    expect(caught).toMatchObject({ name: 'CancelError', code: 'CANCEL_FAILED', requestId: 'j' });
    expect(result.current.requests[0]).toMatchObject({ canCancel: true, cancelRequested: false });
  });
});


describe('the hook without a provider', () => {
  it('takes the client as an argument, and says what is missing when there is none', async () => {
    const data = new FakeStore();
    data.put('jobs', 'mine', job({ userId: 'u-7', status: 'queued' }));
    const client = createQueueClient({ store: data, userId: 'u-7', storage: null, tickMs: 0 });
    const { result } = renderHook(() => useTranscriptionQueue({ client }));
    await waitFor(() => expect(result.current.requests.map((r) => r.requestId)).toEqual(['mine']));
    expect(result.current.hasActiveRequests).toBe(true);

    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(() => useTranscriptionQueue())).toThrow(/no queue client/);
  });
});

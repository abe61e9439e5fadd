import { createQueueClient, SubmissionError, type QueueClient } from '@fq/client';
import { toAudioDataUri } from '@fq/worker/core';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeWav } from '../test/audio.js';
import { T0, job, memoryStorage, rateLimit, stats } from '../test/factories.js';
import { FakeStore } from '../test/fakeStore.js';
import { TranscriptionQueueProvider } from './context.js';
import {
  EnterpriseHookUserError,
  TranscriptionRequestError,
  useEnterpriseTranscriptionQueue,
  type UseEnterpriseTranscriptionQueueOptions,
} from './useEnterpriseTranscriptionQueue.js';

describe("useEnterpriseTranscriptionQueue (the design document's hook)", () => {
  let data: FakeStore;
  beforeEach(() => {
    data = new FakeStore();
    data.serverNow = () => T0;
  });

  function mount(opts: UseEnterpriseTranscriptionQueueOptions) {
    const client: QueueClient = createQueueClient({ store: data, userId: 'user123', storage: memoryStorage(), clock: { now: () => T0 }, tickMs: 0 });
    const wrapper = ({ children }: { children: ReactNode }) => <TranscriptionQueueProvider client={client}>{children}</TranscriptionQueueProvider>;
    return renderHook(() => useEnterpriseTranscriptionQueue(opts), { wrapper });
  }

  it('queues { audioDataUri } with a priority and reports stats, completion and errors in the document shape', async () => {
    data.put('stats', 'queue', stats({ successRate: 0.75 }));
    data.put('rateLimits', 'user123', rateLimit({ userId: 'user123', limit: 10, burst: 2, recent: [T0 - 1_000, T0 - 500], count: 2, remaining: 10, resetAt: T0 + 30_000 }));
    const onComplete = vi.fn();
    const onError = vi.fn();
    const { result } = mount({ userId: 'user123', onComplete, onError });
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    let requestId = '';
    await act(async () => {
      requestId = await result.current.queueTranscription({ audioDataUri: toAudioDataUri(makeWav(1), 'audio/wav') }, { priority: 'high' });
    });
    const written = (data.commits[0]![0] as { data: Record<string, unknown> }).data;
    expect(written).toMatchObject({ status: 'submitted', userId: 'user123', priority: 'high', audio: { mimeType: 'audio/wav', durationSec: 1 } });
    await waitFor(() => expect(result.current.hasActiveRequests).toBe(true));
    expect(result.current.stats).toMatchObject({ currentQueueSize: 10, successRate: 0.75 });
    expect(result.current.stats!.userRateLimit.remaining).toBe(10);
    // The document multiplies it: a number even before any job finished (nothing failed).
    act(() => data.put('stats', 'queue', stats({ successRate: null })));
    expect(result.current.stats!.successRate).toBe(1);

    act(() => data.put('jobs', requestId, { ...data.doc('jobs', requestId)!, status: 'succeeded', result: { transcript: 'hello', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: 1, tokens: null } }));
    await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1));
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ requestId, transcript: 'hello' });

    data.put('jobs', 'bad', job({ userId: 'user123', status: 'running', createdAt: T0 + 5 }));
    await waitFor(() => expect(result.current.requests.some((r) => r.requestId === 'bad')).toBe(true));
    act(() => data.put('jobs', 'bad', job({ userId: 'user123', status: 'failed', lastErrorClass: 'invalid', createdAt: T0 + 5 })));
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    const error = onError.mock.calls[0]![0] as TranscriptionRequestError;
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(TranscriptionRequestError);
    expect(error.request.requestId).toBe('bad');
  });

  it('refuses a data URI that is not audio before writing anything', async () => {
    const { result } = mount({});
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    await expect(result.current.queueTranscription({ audioDataUri: 'data:text/plain;base64,AAAA' })).rejects.toBeInstanceOf(SubmissionError);
    expect(data.commits).toHaveLength(0);
  });

  it("throws when the document's userId is not the signed-in user's", () => {
    expect(() => mount({ userId: 'someone-else' })).toThrow(EnterpriseHookUserError);
  });
});

import { describe, expect, it } from 'vitest';
import { cancelProblem, mergeRequests, queueEstimate, toRequest, withPendingCancels } from './requests.js';
import { T0, job, stats } from './test/factories.js';

describe('queueEstimate', () => {
  const s = stats({ throughputPerMin: 60, positionWindow: 100 });
  const queued = { status: 'queued' as const, priority: 'normal' as const, availableAt: null };

  it('counts the stored position and ETA down, never below the bucket the leader would rewrite at', () => {
    const mark = { ...queued, position: 45, estimatedWaitMs: 46_000, positionAt: T0 };
    expect(queueEstimate(mark, s, T0)).toEqual({ position: 45, etaMs: 46_000 });
    expect(queueEstimate(mark, s, T0 + 10_000)).toEqual({ position: 35, etaMs: 36_000 });
    expect(queueEstimate(mark, s, T0 + 40_000)).toEqual({ position: 20, etaMs: 6_000 });
    // Beyond the leader's window: down to the window, where the leader takes over.
    expect(queueEstimate({ ...mark, position: 900, estimatedWaitMs: 901_000 }, s, T0 + 1_000_000).position).toBe(100);
  });

  it('estimates a missing ETA from the position, gives none while paused, and the retry time while waiting', () => {
    expect(queueEstimate({ ...queued, position: 9, estimatedWaitMs: null, positionAt: T0 }, s, T0)).toEqual({ position: 9, etaMs: 10_000 });
    expect(queueEstimate({ ...queued, position: null, estimatedWaitMs: null, positionAt: null }, s, T0)).toEqual({ position: null, etaMs: null });
    const paused = stats({ throughputPerMin: 60, pausedPriorities: ['normal'] });
    expect(queueEstimate({ ...queued, position: 9, estimatedWaitMs: 10_000, positionAt: T0 }, paused, T0)).toEqual({ position: 9, etaMs: null });
    expect(queueEstimate({ ...queued, status: 'waiting', position: null, estimatedWaitMs: null, positionAt: null, availableAt: T0 + 7_000 }, s, T0)).toEqual({
      position: null,
      etaMs: 7_000,
    });
    expect(queueEstimate({ ...queued, status: 'running', position: 0, estimatedWaitMs: 0, positionAt: T0 }, s, T0)).toEqual({ position: null, etaMs: null });
  });
});

describe('a job the rate limit deferred', () => {
  it('is scheduled for its booked start until then, cancellable; queued, running and a later retry are not scheduled', () => {
    const deferred = job({ status: 'waiting', attempts: 0, availableAt: T0 + 30_000, deferredUntil: T0 + 30_000 });
    expect(toRequest('a', deferred, null, T0)).toMatchObject({ status: 'scheduled', scheduledFor: T0 + 30_000, etaMs: 30_000, position: null, canCancel: true });
    expect(cancelProblem(toRequest('a', deferred, null, T0), false)).toBeNull();
    // Promoted when due: the field stays on the job (why it waited), the request is just queued.
    expect(toRequest('a', { ...deferred, status: 'queued', availableAt: null }, null, T0 + 30_000)).toMatchObject({ status: 'queued', scheduledFor: null });
    expect(toRequest('a', { ...deferred, status: 'running', availableAt: null }, null, T0 + 30_000)).toMatchObject({ status: 'running', scheduledFor: null });
    // It ran, failed and waits for a retry: that wait is a backoff, not the schedule.
    expect(toRequest('a', { ...deferred, attempts: 1, availableAt: T0 + 45_000 }, null, T0 + 40_000)).toMatchObject({ status: 'waiting', scheduledFor: null, etaMs: 5_000 });
    // A job without the field (admitted at once, or written before it existed) never is.
    expect(toRequest('b', job({ status: 'waiting', availableAt: T0 + 1_000 }), null, T0)).toMatchObject({ status: 'waiting', scheduledFor: null });
  });
});

describe('a job as the end user sees it', () => {
  it('reports the transcript, the last error, and a cancel request the engine has not acted on', () => {
    const done = toRequest('a', job({ status: 'succeeded', result: { transcript: 'hi', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null } }), null, T0);
    expect(done).toMatchObject({ status: 'succeeded', transcript: 'hi', error: null, canCancel: false });
    const dead = toRequest(
      'b',
      job({
        status: 'dead_lettered',
        lastErrorClass: 'overloaded',
        errors: [{ at: T0, attempt: 5, errorClass: 'overloaded', code: 503, message: 'The model is overloaded.', retryAfterMs: null, serverId: null, model: null }],
      }),
      null,
      T0,
    );
    expect(dead.error).toEqual({ code: 'overloaded', message: 'The model is overloaded.' });
    const asked = toRequest('c', job({ status: 'running', cancelRequest: { at: T0, by: 'u-1', reason: null } }), null, T0);
    expect(asked).toMatchObject({ cancelRequested: true, canCancel: false });
    expect(cancelProblem(asked, false)?.code).toBe('CANCEL_ALREADY_REQUESTED');
    expect(cancelProblem(toRequest('d', job({ status: 'queued' }), null, T0), false)).toBeNull();
    expect(cancelProblem(done, false)?.code).toBe('NOT_CANCELLABLE');
    expect(cancelProblem(undefined, false)?.code).toBe('UNKNOWN_REQUEST');
  });

  it('merges local requests under the server ones, newest first, and shows pending cancels as cancelling', () => {
    const server = toRequest('x', job({ status: 'queued', createdAt: T0 }), null, T0);
    const localOnly = { ...server, requestId: 'y', status: 'upload_failed' as const, createdAt: T0 + 5 };
    const shadowed = { ...server, status: 'uploading' as const };
    const merged = mergeRequests([server], [localOnly, shadowed]);
    expect(merged.map((r) => [r.requestId, r.status])).toEqual([
      ['y', 'upload_failed'],
      ['x', 'queued'],
    ]);
    expect(withPendingCancels(merged, new Set(['x']))[1]).toMatchObject({ cancelRequested: true, canCancel: false });
  });
});

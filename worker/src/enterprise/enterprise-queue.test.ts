import { afterEach, describe, expect, it } from 'vitest';
import { makeTestWav, startFakeGemini, type FakeGeminiHandle } from '@fq/fake-gemini';
import { GeminiTranscriber } from '../adapters/gemini/gemini-transcriber.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { toAudioDataUri } from '../core/data-uri.js';
import { RateLimitedError, ValidationError } from '../core/errors.js';
import { createInMemoryTranscriptionQueue } from './in-memory.js';
import { EnterpriseQueueConfigError, getEnterpriseTranscriptionQueue, resetEnterpriseTranscriptionQueue } from './singleton.js';
import { TranscriptionFailedError, type EnterpriseTranscriptionQueue } from './enterprise-queue.js';

let fake: FakeGeminiHandle | null = null;
let queue: EnterpriseTranscriptionQueue | null = null;
afterEach(async () => {
  await queue?.close();
  queue = null;
  await resetEnterpriseTranscriptionQueue();
  await fake?.close();
  fake = null;
});

const admin = { kind: 'admin', id: 'ops', email: null } as const;
const wavUri = (text: string, durationSec = 0.5) => toAudioDataUri(makeTestWav({ durationSec, text }), 'audio/wav');

describe('phase 1: the in-memory queue, one process, real clock, the fake Gemini', () => {
  it('runs data-URI requests to transcripts, with the document\'s result shape', async () => {
    fake = await startFakeGemini({ capacity: 8, baseLatencyMs: 30 });
    queue = createInMemoryTranscriptionQueue({
      config: { maxConcurrentRequests: 2, rateLimiting: { requestsPerMinute: 120, burstLimit: 20 } },
      transcriber: new GeminiTranscriber({ apiKey: 'test', baseUrl: fake.url }),
    });
    const result = await queue.queueEnterpriseTranscription(
      { audioDataUri: wavUri('first words') },
      { priority: 'urgent', userId: 'user123', sessionId: 'interview456', metadata: { audioSize: 1024000, estimatedDuration: 60 } },
    );
    expect(result).toMatchObject({ requestId: expect.any(String), position: expect.any(Number), estimatedWait: expect.any(Number), duplicate: false });
    expect(result.rateLimitInfo.remaining).toBeGreaterThanOrEqual(0);
    const ids = await Promise.all(
      ['a', 'b', 'c'].map((t) => queue!.queueTranscription({ audioDataUri: wavUri(`words ${t}`) }, { priority: 'normal', userId: 'user123' })),
    );
    expect(await queue.waitForTranscription(result.requestId)).toBe('first words');
    for (const [i, id] of ids.entries()) expect(await queue.waitForTranscription(id)).toBe(`words ${'abc'[i]}`);
    const job = await queue.queue.getJob(result.requestId);
    expect(job).toMatchObject({ status: 'succeeded', sessionId: 'interview456', priority: 'urgent' });
  }, 30_000);

  it('refuses bad input with typed errors and a failed request with TranscriptionFailedError', async () => {
    fake = await startFakeGemini({ capacity: 8, baseLatencyMs: 10 });
    queue = createInMemoryTranscriptionQueue({
      config: { maxAttempts: 1, rateLimiting: { requestsPerMinute: 1, burstLimit: 0, whenExceeded: 'reject' } },
      transcriber: new GeminiTranscriber({ apiKey: 'test', baseUrl: fake.url }),
    });
    await expect(queue.queueEnterpriseTranscription({ audioDataUri: 'data:text/plain;base64,AAAA' }, { userId: 'u' })).rejects.toThrow(ValidationError);
    // @ts-expect-error: userId is required
    await expect(queue.queueEnterpriseTranscription({ audioDataUri: wavUri('x') }, {})).rejects.toThrow(ValidationError);
    // Over the user's limit (1 a minute, no burst, 'reject'): the second request is refused with its type.
    await queue.queueTranscription({ audioDataUri: wavUri('y') }, { userId: 'limited' });
    await expect(queue.queueTranscription({ audioDataUri: wavUri('z') }, { userId: 'limited' })).rejects.toThrow(RateLimitedError);
    // A request that ends without a transcript rejects its waiter with the job.
    await queue.queue.control({ type: 'queue.pause' }, admin);
    const id = await queue.queueTranscription({ audioDataUri: wavUri('never') }, { userId: 'cancelled' });
    await queue.queue.control({ type: 'job.cancel', jobIds: [id] }, admin);
    const error = await queue.waitForTranscription(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranscriptionFailedError);
    expect((error as TranscriptionFailedError).job.status).toBe('cancelled');
  }, 30_000);
});

describe('graceful queuing in the in-memory queue (real clock)', () => {
  it('queues a request over the limit to start when the window allows, then transcribes it', async () => {
    fake = await startFakeGemini({ capacity: 8, baseLatencyMs: 10 });
    // One request per 1.5 s window, the default 'defer': the second and third are booked 1.5 s apart.
    queue = createInMemoryTranscriptionQueue({
      config: { rateLimiting: { requestsPerMinute: 1, burstLimit: 0, windowSizeMs: 1_500 } },
      transcriber: new GeminiTranscriber({ apiKey: 'test', baseUrl: fake.url }),
    });
    const first = await queue.queueEnterpriseTranscription({ audioDataUri: wavUri('now') }, { userId: 'eager' });
    const second = await queue.queueEnterpriseTranscription({ audioDataUri: wavUri('soon') }, { userId: 'eager' });
    const third = await queue.queueEnterpriseTranscription({ audioDataUri: wavUri('later') }, { userId: 'eager' });
    expect(first.deferredUntil).toBeNull();
    expect(second.deferredUntil).toEqual(expect.any(Number));
    expect(third.deferredUntil! - second.deferredUntil!).toBe(1_500);
    // The wait it reports includes the deferral; nothing is left in the window.
    expect(third.estimatedWait).toBeGreaterThanOrEqual((third.deferredUntil! - Date.now()) / 1_000 - 0.2);
    expect(third.rateLimitInfo.remaining).toBe(0);
    expect(await queue.queue.getJob(third.requestId)).toMatchObject({ status: 'waiting', attempts: 0, availableAt: third.deferredUntil, deferredUntil: third.deferredUntil });
    expect(await queue.waitForTranscription(third.requestId)).toBe('later');
    const jobs = await Promise.all([second, third].map((r) => queue!.queue.getJob(r.requestId)));
    for (const [i, job] of jobs.entries()) {
      const booked = [second, third][i]!.deferredUntil!;
      expect(job).toMatchObject({ status: 'succeeded', attempts: 1, deferredUntil: booked });
      expect(job!.firstStartedAt).toBeGreaterThanOrEqual(booked);
    }
  }, 30_000);
});

describe('getEnterpriseTranscriptionQueue', () => {
  it('is one instance per process; another config is refused, no config returns it', async () => {
    const store = new MemoryStore();
    const q = getEnterpriseTranscriptionQueue({ maxConcurrentRequests: 10, circuitBreaker: { failureThreshold: 5, recoveryTimeMs: 30_000 } }, { store });
    expect(getEnterpriseTranscriptionQueue()).toBe(q);
    expect(getEnterpriseTranscriptionQueue({ maxConcurrentRequests: 10, circuitBreaker: { failureThreshold: 5, recoveryTimeMs: 30_000 } })).toBe(q);
    expect(() => getEnterpriseTranscriptionQueue({ maxConcurrentRequests: 11 })).toThrow(EnterpriseQueueConfigError);
    expect(q.queue.config.circuitBreaker.failureThreshold).toBe(5);
    const stats = await q.getEnterpriseStats();
    expect(Array.isArray(stats.servers)).toBe(true);
    expect(stats.servers.length).toBe(0);
    expect(stats).toMatchObject({ queueStats: { totalInQueue: 0 }, circuitBreaker: { state: 'closed' }, serverCounts: { total: 0, active: 0 } });
    await resetEnterpriseTranscriptionQueue();
    expect(getEnterpriseTranscriptionQueue({ maxConcurrentRequests: 11 }, { store })).not.toBe(q);
  });

  it('without a store or a project it says what to set', () => {
    expect(() => getEnterpriseTranscriptionQueue({}, { env: {} })).toThrow(/GCLOUD_PROJECT/);
  });
});

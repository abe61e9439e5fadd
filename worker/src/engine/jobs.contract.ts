import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../schema/audit.js';
import { makeWav } from '../testing/audio.js';
import { engineContext, uniquePrefix, type EngineFixture, type EngineFixtureFactory } from '../testing/engine-fixture.js';
import { LeaseLostError, PayloadInvalidError, QueueFullError, RateLimitedError, ValidationError, InvalidTransitionError } from '../core/errors.js';
import { planSubmission, type SubmittedJob } from '../core/submission.js';
import { clientSubmissionSchema, type JobDoc } from '../schema/job.js';
import { decodeDoc } from '../schema/documents.js';
import type { DocStore } from '../ports/store.js';
import { Admission } from './admission.js';
import { JobLeases } from './job-leases.js';
import { Maintenance } from './maintenance.js';
import { applyControl } from './controls.js';

const admin: Actor = { kind: 'admin', id: 'ops', email: null };
const wav = (seed = 1) => makeWav(0.5, { seed });
/** Audio always in chunk documents (0.5 s of WAV is under the default inline threshold). */
const CHUNKED = { payload: { inlineMaxBytes: 0 } };

/**
 * The queue's job semantics, on any store adapter: admission, claims, fencing, retries,
 * dead letters, controls. Each test gets a fresh namespace.
 */
export function describeJobsContract(label: string, makeFixture: EngineFixtureFactory): void {
  describe(`queue jobs contract: ${label}`, () => {
    let fx: EngineFixture | null = null;
    const setup = async (tag: string, config = {}) => {
      fx = await makeFixture(uniquePrefix(tag));
      const [a, b] = fx.stores;
      const ctxA = engineContext(a, { serverId: 'srv-a', clock: fx.clock, config });
      const ctxB = engineContext(b, { serverId: 'srv-b', clock: fx.clock, config, seed: 7 });
      return { fx, a, b, ctxA, ctxB, admissionA: new Admission(ctxA), leasesA: new JobLeases(ctxA), leasesB: new JobLeases(ctxB), maintB: new Maintenance(ctxB) };
    };
    afterEach(async () => {
      await fx?.cleanup();
      fx = null;
    });

    it('enqueues with payload chunks, rank, position and rate-limit info; an idempotency key admits once', async () => {
      const { a, admissionA } = await setup('enq', CHUNKED);
      const first = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u1', priority: 'low', idempotencyKey: 'k1' });
      expect(first).toMatchObject({ position: 0, duplicate: false });
      expect(first.rateLimit.remaining).toBeGreaterThan(0);
      expect(first.estimatedWaitMs).toBeGreaterThan(0);
      const urgent = await admissionA.enqueue({ audio: wav(2), mimeType: 'audio/wav', userId: 'u2', priority: 'urgent' });
      expect(urgent.position).toBe(0);
      const again = await admissionA.enqueue({ audio: wav(3), mimeType: 'audio/wav', userId: 'u1', priority: 'low', idempotencyKey: 'k1' });
      expect(again).toMatchObject({ requestId: first.requestId, duplicate: true, position: 1 });
      const job = (await a.get('jobs', first.requestId)).doc!;
      expect(job).toMatchObject({ status: 'queued', userId: 'u1', attempts: 0, maxAttempts: 3, source: 'server' });
      expect(job.rank).toBeGreaterThan((await a.get('jobs', urgent.requestId)).doc!.rank!);
      const chunks = await a.query({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: first.requestId }] });
      expect(chunks.docs).toHaveLength(1);
      expect(await a.count({ collection: 'jobs' })).toBe(2);
    });

    it('refuses invalid, oversize-queue and rate-limited submissions with typed errors and writes no job', async () => {
      const { a, admissionA } = await setup('refuse', {
        ...CHUNKED,
        maxQueueSize: 2,
        rateLimiting: { requestsPerMinute: 2, burstLimit: 0, windowSizeMs: 60_000, tiers: { gold: { requestsPerMinute: 10, burstLimit: 0 } } },
      });
      await expect(admissionA.enqueue({ audio: new Uint8Array(100), mimeType: 'audio/wav', userId: 'u' })).rejects.toThrow(/RIFF/);
      await expect(admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: '' })).rejects.toBeInstanceOf(ValidationError);
      await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const limited = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' }).catch((e: unknown) => e);
      // The queue is full (2) before the user's limit (2/min) is even consulted.
      expect(limited).toBeInstanceOf(QueueFullError);
      expect(await a.count({ collection: 'jobs' })).toBe(2);
      expect(await a.count({ collection: 'payloads' })).toBe(2);
    });

    it('refuses ids that cannot name a document and malformed unicode with ValidationError, writing nothing', async () => {
      const { a, admissionA } = await setup('ids');
      const attempts: [string, Promise<unknown>][] = [
        ...['a/b', '/', '.', '..', '__x__', 'u\ud800'].map((userId): [string, Promise<unknown>] => [
          `userId ${JSON.stringify(userId)}`,
          admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId }),
        ]),
        ['sessionId', admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u', sessionId: 's\udc00' })],
        ['idempotencyKey', admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u', idempotencyKey: 'k\ud800' })],
        ['metadata', admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u', metadata: { k: '\udc00' } })],
        ['jobId __x__', admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' }, { jobId: '__x__' })],
      ];
      for (const [what, attempt] of attempts) {
        await expect(attempt, what).rejects.toBeInstanceOf(ValidationError);
      }
      for (const collection of ['jobs', 'payloads', 'rateLimits', 'idempotency'] as const) {
        expect(await a.count({ collection }), collection).toBe(0);
      }
    });

    it('answers RATE_LIMITED with a retry-after and records the refusal', async () => {
      const { a, admissionA } = await setup('rate', { rateLimiting: { requestsPerMinute: 2, burstLimit: 0, windowSizeMs: 60_000, whenExceeded: 'reject' } });
      await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const second = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      expect(second.rateLimit.remaining).toBe(0);
      const err = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
      expect((await a.get('rateLimits', 'u')).doc).toMatchObject({ rejected: 1 });
      expect(await a.count({ collection: 'jobs' })).toBe(2);
      // Another user is unaffected.
      await expect(admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'v' })).resolves.toBeTruthy();
    });

    // Graceful queuing. The windows are short: on Firestore the fixture's time is real.
    it('defers a server enqueue over the limit: waiting until the window allows, then promoted; refused beyond maxDeferMs', async () => {
      const W = 2_000;
      const { fx, a, admissionA, leasesA, maintB } = await setup('defer', { rateLimiting: { requestsPerMinute: 1, burstLimit: 0, windowSizeMs: W, maxDeferMs: 5_000 } });
      const enqueue = (idempotencyKey: string | null = null) => admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u', idempotencyKey });
      const first = await enqueue();
      const second = await enqueue();
      const third = await enqueue('k3');
      expect(first.deferredUntil).toBeNull();
      // When the first leaves the window (whole milliseconds; a Firestore clock has finer ones).
      expect(second.deferredUntil! - (await a.get('jobs', first.requestId)).doc!.admittedAt!).toBeOneOf([W, W + 1]);
      // The booking counts at once: the next one waits a window behind it.
      expect(third.deferredUntil! - second.deferredUntil!).toBe(W);
      const job = (await a.get('jobs', second.requestId)).doc!;
      expect(job).toMatchObject({
        status: 'waiting',
        attempts: 0,
        availableAt: second.deferredUntil,
        deferredUntil: second.deferredUntil,
        errors: [],
        lastErrorClass: null,
        lease: null,
        rejection: null,
      });
      expect(job.rank).not.toBeNull();
      // The wait reported includes the deferral.
      expect(second.estimatedWaitMs).toBeGreaterThanOrEqual(second.deferredUntil! - job.admittedAt!);
      expect(second.rateLimit.remaining).toBe(0);
      // A fourth would wait 3 windows (6 s) > maxDeferMs: refused as under 'reject', nothing written but the refusal.
      const refused = await enqueue().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(5_000);
      expect(await a.count({ collection: 'jobs' })).toBe(3);
      expect((await a.get('rateLimits', 'u')).doc).toMatchObject({ rejected: 1, admitted: 3, count: 3 });
      // Not claimable, and not promoted, before its time.
      expect(await leasesA.claim(second.requestId)).toBeNull();
      expect(await maintB.promote(second.requestId)).toBe(false);
      await fx.passTime(second.deferredUntil! - a.now() + 5);
      expect(await maintB.promoteDue()).toBeGreaterThanOrEqual(1);
      const promoted = (await a.get('jobs', second.requestId)).doc!;
      expect(promoted).toMatchObject({ status: 'queued', availableAt: null, deferredUntil: second.deferredUntil, rank: job.rank });
      const held = (await leasesA.claim(second.requestId))!;
      expect(held.job).toMatchObject({ status: 'running', attempts: 1, deferredUntil: second.deferredUntil });
      // The same idempotency key again, while the first still waits, reports its start.
      expect(await enqueue('k3')).toMatchObject({ requestId: third.requestId, duplicate: true, deferredUntil: third.deferredUntil });
    });

    it('defers a browser submission over the limit: admitted waiting with its start and no position, and says so to the admitter', async () => {
      const W = 2_000;
      const { fx, a, b, ctxA, maintB } = await setup('client-defer', { rateLimiting: { requestsPerMinute: 1, burstLimit: 0, windowSizeMs: W } });
      const deferred: [string, number][] = [];
      const admission = new Admission(ctxA, { onDeferred: (id, at) => deferred.push([id, at]) });
      const submit = async (seed: number) => {
        const plan = await planSubmission({ audio: wav(seed), mimeType: 'audio/wav', userId: 'web-user', priority: 'normal' }, { now: a.now(), source: 'client' });
        await b.commit([
          { op: 'set', collection: 'jobs', id: plan.jobId, data: submittedJob(plan.submission) },
          ...plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })),
        ]);
        return plan.jobId;
      };
      const hint = { priority: 'normal' as const };
      const first = await submit(1);
      expect(await admission.admitSubmitted(first, hint)).toBe('admitted');
      const second = await submit(2);
      expect(await admission.admitSubmitted(second, hint)).toBe('admitted');
      const firstJob = (await a.get('jobs', first)).doc!;
      const job = (await a.get('jobs', second)).doc!;
      expect(firstJob).toMatchObject({ status: 'queued', position: 0 });
      expect(firstJob.deferredUntil).toBeUndefined();
      expect(job).toMatchObject({ status: 'waiting', attempts: 0, availableAt: job.deferredUntil, position: null, estimatedWaitMs: null, rejection: null });
      expect(job.deferredUntil! - firstJob.admittedAt!).toBeOneOf([W, W + 1]);
      expect(deferred).toEqual([[second, job.deferredUntil]]);
      // Its audio stays for the run.
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: second }] })).toBe(1);
      await fx.passTime(job.deferredUntil! - a.now() + 5);
      expect(await maintB.promoteDue()).toBe(1);
      expect((await a.get('jobs', second)).doc).toMatchObject({ status: 'queued', deferredUntil: job.deferredUntil });
    });

    it('lets exactly one of two racing workers claim a job, with a new fencing token', async () => {
      const { a, admissionA, leasesA, leasesB } = await setup('claim');
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const [x, y] = await Promise.all([leasesA.claim(requestId), leasesB.claim(requestId)]);
      const winners = [x, y].filter((c) => c !== null);
      expect(winners).toHaveLength(1);
      const job = (await a.get('jobs', requestId)).doc!;
      expect(job).toMatchObject({ status: 'running', fence: 1, attempts: 1 });
      expect(job.lease).toMatchObject({ owner: winners[0]!.holder.owner, token: 1 });
      expect(await leasesA.loadPayload(requestId, job)).toHaveLength(wav().length);
    });

    it('fences holder writes: a worker whose lease expired cannot complete, and its successor can', async () => {
      const { fx, a, admissionA, leasesA, leasesB, maintB } = await setup('fence');
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const stale = (await leasesA.claim(requestId))!;
      await leasesA.heartbeat(requestId, stale.holder);
      await fx.passTime(700);
      const result = { transcript: 'late', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null };
      await expect(leasesA.complete(requestId, stale.holder, result)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(leasesA.heartbeat(requestId, stale.holder)).rejects.toThrow(/lease expired/);
      expect(await maintB.reclaimExpiredLeases()).toBe(1);
      const reclaimed = (await a.get('jobs', requestId)).doc!;
      expect(reclaimed).toMatchObject({ status: 'queued', attempts: 1, lastErrorClass: 'lease_lost' });
      const fresh = (await leasesB.claim(requestId))!;
      expect(fresh.holder.token).toBe(2);
      await expect(leasesA.fail(requestId, stale.holder, { errorClass: 'overloaded', code: 503, message: 'x', retryAfterMs: null, model: null })).rejects.toThrow(
        /fencing token moved on to 2/,
      );
      const done = await leasesB.complete(requestId, fresh.holder, { ...result, transcript: 'ok' });
      expect(done).toMatchObject({ status: 'succeeded', result: { transcript: 'ok' }, attempts: 2 });
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: requestId }] })).toBe(0);
    });

    it('a holder that lost its job to a reclaim cannot write through the version it remembers, and leaves no lock', async () => {
      const { a, admissionA, leasesA, leasesB, maintB } = await setup('fence-version');
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const held = (await leasesA.claim(requestId))!;
      await leasesA.heartbeat(requestId, held.holder, 0.25);
      // Its server is declared lost while the lease is still running: the reclaim is a guarded write.
      expect(await maintB.reclaimFromServer('srv-a')).toBe(1);
      const result = { transcript: 'late', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null };
      await expect(leasesA.complete(requestId, held.holder, result)).rejects.toThrow(/is queued/);
      // The successor claims at once (nothing is locked) and completes.
      const fresh = (await leasesB.claim(requestId))!;
      expect(fresh.holder.token).toBe(2);
      await expect(leasesA.heartbeat(requestId, held.holder)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(leasesB.complete(requestId, fresh.holder, { ...result, transcript: 'ok' })).resolves.toMatchObject({ status: 'succeeded', fence: 2 });
      expect((await a.get('jobs', requestId)).doc).toMatchObject({ status: 'succeeded', result: { transcript: 'ok' } });
    });

    it('heartbeats keep a lease alive past its original expiry', async () => {
      const { fx, a, admissionA, leasesA } = await setup('hb');
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const held = (await leasesA.claim(requestId))!;
      for (let i = 0; i < 3; i++) {
        await fx.passTime(300);
        await leasesA.heartbeat(requestId, held.holder, 0.5);
      }
      expect((await a.get('jobs', requestId)).doc).toMatchObject({ status: 'running', progress: 0.5 });
      await expect(leasesA.complete(requestId, held.holder, { transcript: 't', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null })).resolves.toMatchObject({ status: 'succeeded' });
    });

    it('retries with backoff, dead-letters with the full error history, and redrive completes it', async () => {
      const { fx, a, admissionA, leasesA, maintB } = await setup('retry');
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      for (let attempt = 1; attempt <= 3; attempt++) {
        const held = (await leasesA.claim(requestId))!;
        expect(held).not.toBeNull();
        const next = await leasesA.fail(requestId, held.holder, { errorClass: 'server', code: 500, message: `server ${attempt}`, retryAfterMs: 300, model: 'm' });
        if (attempt < 3) {
          expect(next.status).toBe('waiting');
          expect(next.availableAt! - next.updatedAt).toBeGreaterThanOrEqual(300);
          expect(await maintB.promoteDue()).toBe(0);
          await fx.passTime(450);
          expect(await maintB.promoteDue()).toBe(1);
        } else {
          expect(next).toMatchObject({ status: 'dead_lettered', attempts: 3 });
        }
      }
      const dead = (await a.get('jobs', requestId)).doc!;
      expect(dead.errors.map((e) => e.message)).toEqual(['server 1', 'server 2', 'server 3']);
      expect(dead.errors.map((e) => e.charge)).toEqual(['attempt', 'attempt', 'attempt']);
      expect(dead.errors.map((e) => e.attempt)).toEqual([1, 2, 3]);
      expect(dead.payloadDeletedAt).toBeNull();
      await applyControl(engineContext(a, { serverId: 'x', clock: fx.clock }), { type: 'job.redrive', jobIds: [requestId] }, admin);
      const held = (await leasesA.claim(requestId))!;
      const done = await leasesA.complete(requestId, held.holder, { transcript: 'finally', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null });
      expect(done).toMatchObject({ status: 'succeeded', redriveCount: 1, attempts: 1 });
      expect(done.errors).toHaveLength(3);
      const audit = await a.query({ collection: 'audit', where: [{ field: 'action', op: '==', value: 'job.redrive' }] });
      expect(audit.docs[0]!.data).toMatchObject({ actor: admin, targetIds: [requestId] });
    });

    it('charges busy answers and failed breaker probes to no attempt, and says so in the history', async () => {
      const { fx, admissionA, leasesA, maintB } = await setup('busy');
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const answers = [
        { error: { errorClass: 'overloaded', code: 503, message: 'overloaded', retryAfterMs: 300, model: 'm' }, probe: false },
        { error: { errorClass: 'quota', code: 429, message: 'quota', retryAfterMs: 300, model: 'm' }, probe: false },
        { error: { errorClass: 'server', code: 500, message: 'probe failed', retryAfterMs: 300, model: 'm' }, probe: true },
        { error: { errorClass: 'overloaded', code: 503, message: 'overloaded again', retryAfterMs: 300, model: 'm' }, probe: false },
      ] as const;
      // Four answers, maxAttempts 3: none of them is the job's failure.
      for (const { error, probe } of answers) {
        const held = (await leasesA.claim(requestId))!;
        const next = await leasesA.fail(requestId, held.holder, error, { isProbe: probe });
        expect(next).toMatchObject({ status: 'waiting', attempts: 0 });
        await fx.passTime(450);
        expect(await maintB.promoteDue()).toBe(1);
      }
      const held = (await leasesA.claim(requestId))!;
      const done = await leasesA.complete(requestId, held.holder, { transcript: 'at last', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null });
      expect(done).toMatchObject({ status: 'succeeded', attempts: 1, busyAnswers: 3 });
      expect(done.errors.map((e) => e.charge)).toEqual(['busy', 'busy', 'probe', 'busy']);
      expect(done.busySince).toBe(done.errors[0]!.at);
    });

    it("records each attempt's lease on its error and the successful attempt's server and start on the result (the job page's timeline)", async () => {
      // A long lease: on real Firestore the renewal comes after real time that a loaded machine stretches.
      const { fx, a, admissionA, leasesA, leasesB, maintB } = await setup('attempts', { lease: { durationMs: 60_000, heartbeatMs: 10_000 } });
      const { requestId } = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const first = (await leasesA.claim(requestId))!;
      const claimedAt = (await a.get('jobs', requestId)).doc!.lease!.acquiredAt;
      await fx.passTime(300);
      const renewedAt = (await leasesA.heartbeat(requestId, first.holder)).job.lease!.heartbeatAt;
      expect(renewedAt).toBeGreaterThan(claimedAt);
      await leasesA.fail(requestId, first.holder, { errorClass: 'overloaded', code: 503, message: 'busy', retryAfterMs: 300, model: 'm' });
      await fx.passTime(450);
      expect(await maintB.promoteDue()).toBe(1);
      const second = (await leasesB.claim(requestId))!;
      const secondAt = (await a.get('jobs', requestId)).doc!.lease!.acquiredAt;
      await leasesB.complete(requestId, second.holder, { transcript: 't', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null });
      // Read back through the store: the schema keeps what the state machine recorded.
      const done = (await a.get('jobs', requestId)).doc!;
      // Firestore reads a timestamp back in whole milliseconds (toMillis floors its microseconds);
      // the heartbeat's own answer may carry the fraction of its commit time.
      expect(done.errors).toMatchObject([{ serverId: 'srv-a', code: 503, startedAt: claimedAt, leaseToken: first.holder.token, renewedAt: Math.floor(renewedAt) }]);
      expect(done.result).toMatchObject({ serverId: 'srv-b', startedAt: secondAt, transcript: 't' });
      expect(second.holder.token).toBeGreaterThan(first.holder.token);
    });

    it('fails permanent errors at once and refunds attempts on release', async () => {
      const { admissionA, leasesA } = await setup('perm');
      const one = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const held = (await leasesA.claim(one.requestId))!;
      await expect(leasesA.fail(one.requestId, held.holder, { errorClass: 'invalid', code: 400, message: 'bad audio', retryAfterMs: null, model: 'm' })).resolves.toMatchObject({ status: 'failed' });
      const two = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const h2 = (await leasesA.claim(two.requestId))!;
      await expect(leasesA.release(two.requestId, h2.holder)).resolves.toMatchObject({ status: 'queued', attempts: 0, lease: null });
      const h3 = (await leasesA.claim(two.requestId))!;
      await expect(leasesA.release(two.requestId, h3.holder, 5_000)).resolves.toMatchObject({ status: 'waiting', attempts: 0 });
    });

    it('cancels queued jobs at once and running jobs through their holder', async () => {
      const { a, fx, admissionA, leasesA } = await setup('cancel', CHUNKED);
      const ctl = engineContext(a, { serverId: 'x', clock: fx.clock });
      const queued = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const plan = await applyControl(ctl, { type: 'job.cancel', jobIds: [queued.requestId], reason: 'not needed' }, admin);
      expect(plan.audit).toMatchObject({ action: 'job.cancel' });
      expect((await a.get('jobs', queued.requestId)).doc).toMatchObject({ status: 'cancelled', cancelRequest: { by: 'ops', reason: 'not needed' } });
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: queued.requestId }] })).toBe(0);
      await expect(applyControl(ctl, { type: 'job.cancel', jobIds: [queued.requestId] }, admin)).rejects.toBeInstanceOf(InvalidTransitionError);

      const running = await admissionA.enqueue({ audio: wav(), mimeType: 'audio/wav', userId: 'u' });
      const held = (await leasesA.claim(running.requestId))!;
      await applyControl(ctl, { type: 'job.cancel', jobIds: [running.requestId] }, admin);
      const beat = await leasesA.heartbeat(running.requestId, held.holder);
      expect(beat.cancelRequested).toBe(true);
      await expect(leasesA.cancel(running.requestId, held.holder)).resolves.toMatchObject({ status: 'cancelled' });
      expect(await a.count({ collection: 'audit' })).toBe(2);
    });

    it('keeps audio up to payload.inlineMaxBytes in the job: no chunk, handed to the holder without a read, gone from the finished job', async () => {
      const audio = wav(5);
      const { a, admissionA, leasesA } = await setup('inline', { payload: { inlineMaxBytes: audio.length } });
      const { requestId } = await admissionA.enqueue({ audio, mimeType: 'audio/wav', userId: 'u' });
      const queued = (await a.get('jobs', requestId)).doc!;
      expect(queued.audio).toMatchObject({ bytes: audio.length, chunkCount: 0 });
      expect(queued.inlineAudio).toEqual(audio);
      expect(await a.count({ collection: 'payloads' })).toBe(0);
      const held = (await leasesA.claim(requestId))!;
      const readsBefore = a.meter.reads;
      expect(await leasesA.loadPayload(requestId, held.job)).toEqual(audio);
      expect(a.meter.reads - readsBefore).toBe(0);
      const done = await leasesA.complete(requestId, held.holder, { transcript: 't', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null });
      expect(done).toMatchObject({ status: 'succeeded', inlineAudio: null });
      const stored = (await a.get('jobs', requestId)).doc!;
      expect(stored).toMatchObject({ status: 'succeeded', inlineAudio: null, audio: { chunkCount: 0, bytes: audio.length } });
      expect(stored.payloadDeletedAt).toBe(stored.completedAt);
    });

    it('inlines audio of exactly payload.inlineMaxBytes and chunks one byte more', async () => {
      const audio = wav(6);
      const longer = new Uint8Array(audio.length + 1);
      longer.set(audio);
      const { a, admissionA, leasesA } = await setup('inline-edge', { payload: { inlineMaxBytes: audio.length } });
      const at = await admissionA.enqueue({ audio, mimeType: 'audio/wav', userId: 'u' });
      const over = await admissionA.enqueue({ audio: longer, mimeType: 'audio/wav', userId: 'u' });
      expect((await a.get('jobs', at.requestId)).doc).toMatchObject({ audio: { chunkCount: 0 }, inlineAudio: audio });
      const chunked = (await a.get('jobs', over.requestId)).doc!;
      expect(chunked).toMatchObject({ audio: { chunkCount: 1, bytes: longer.length } });
      expect(chunked).not.toHaveProperty('inlineAudio');
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: at.requestId }] })).toBe(0);
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: over.requestId }] })).toBe(1);
      // Both reach the holder intact, and finishing the chunked one deletes its chunk.
      for (const [id, bytes] of [[at.requestId, audio], [over.requestId, longer]] as const) {
        const held = (await leasesA.claim(id))!;
        expect(await leasesA.loadPayload(id, held.job)).toEqual(bytes);
        await leasesA.complete(id, held.holder, { transcript: 't', model: 'm', latencyMs: 1, upstreamMs: 1, audioSeconds: null, tokens: null });
      }
      expect(await a.count({ collection: 'payloads' })).toBe(0);
    });

    it('inline audio: dead letters keep it for redrive, an operator cancel drops it with the job write', async () => {
      const { fx, a, admissionA, leasesA } = await setup('inline-dead', { maxAttempts: 1 });
      const ctl = engineContext(a, { serverId: 'x', clock: fx.clock });
      const audio = wav(7);
      const { requestId } = await admissionA.enqueue({ audio, mimeType: 'audio/wav', userId: 'u' });
      let held = (await leasesA.claim(requestId))!;
      const dead = await leasesA.fail(requestId, held.holder, { errorClass: 'server', code: 500, message: 'down', retryAfterMs: null, model: 'm' });
      expect(dead).toMatchObject({ status: 'dead_lettered', payloadDeletedAt: null, inlineAudio: audio });
      await applyControl(ctl, { type: 'job.redrive', jobIds: [requestId] }, admin);
      held = (await leasesA.claim(requestId))!;
      expect(await leasesA.loadPayload(requestId, held.job)).toEqual(audio);
      await leasesA.release(requestId, held.holder);
      // A control's audit entry is named after the job's version time: let the clock move on.
      await fx.passTime(5);
      await applyControl(ctl, { type: 'job.cancel', jobIds: [requestId] }, admin);
      const cancelled = (await a.get('jobs', requestId)).doc!;
      expect(cancelled).toMatchObject({ status: 'cancelled', inlineAudio: null, redriveCount: 1 });
      expect(cancelled.payloadDeletedAt).not.toBeNull();
    });

    it('a job that says its audio is inline but carries none fails as a payload error, not a crash', async () => {
      const { a, admissionA, leasesA } = await setup('inline-gone');
      const { requestId } = await admissionA.enqueue({ audio: wav(8), mimeType: 'audio/wav', userId: 'u' });
      const held = (await leasesA.claim(requestId))!;
      const { inlineAudio: _gone, ...withoutAudio } = held.job;
      await expect(leasesA.loadPayload(requestId, withoutAudio)).rejects.toBeInstanceOf(PayloadInvalidError);
      expect(await a.count({ collection: 'payloads' })).toBe(0);
    });

    it('admits client submissions exactly once across racing servers, and rejects with a reason', async () => {
      const { a, b, ctxB, admissionA } = await setup('client', { rateLimiting: { requestsPerMinute: 1, burstLimit: 0, windowSizeMs: 60_000, whenExceeded: 'reject' } });
      const admissionB = new Admission(ctxB);
      const submit = async (seed: number) => {
        const plan = await planSubmission({ audio: wav(seed), mimeType: 'audio/wav', userId: 'web-user', priority: 'high' }, { now: a.now(), source: 'client' });
        // What the browser writes: the submitted job and its chunks in one batch.
        await b.commit([
          { op: 'set', collection: 'jobs', id: plan.jobId, data: submittedJob(plan.submission) },
          ...plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })),
        ]);
        return plan.jobId;
      };
      const first = await submit(1);
      const hint = { priority: 'high' as const };
      const outcomes = await Promise.all([admissionA.admitSubmitted(first, hint), admissionB.admitSubmitted(first, hint)]);
      expect(outcomes.sort()).toEqual(['admitted', 'skipped']);
      const admitted = (await a.get('jobs', first)).doc!;
      expect(admitted).toMatchObject({ status: 'queued', source: 'client', maxAttempts: 3, priority: 'high', position: 0 });
      expect(admitted.estimatedWaitMs).toBeGreaterThan(0);
      const second = await submit(2);
      expect(await admissionB.admitSubmitted(second)).toBe('rejected');
      const rejected = (await a.get('jobs', second)).doc!;
      expect(rejected).toMatchObject({ status: 'rejected', rejection: { code: 'RATE_LIMITED' } });
      expect(rejected.rejection!.retryAfterMs).toBeGreaterThan(0);
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: second }] })).toBe(0);
    });

    it('rejects a submitted job it cannot read with INVALID_JOB, deleting its audio and nothing else', async () => {
      const { fx, a, b, admissionA } = await setup('unreadable');
      const keeper = await writeRawSubmission(fx, b, 'other-user', {}, 9);
      const bad = await writeRawSubmission(fx, b, 'web-user', { metadata: { file: 'a.wav', nested: { b: 1 } }, sessionId: 's'.repeat(200) });
      expect(await admissionA.admitSubmitted(bad.jobId, null)).toBe('rejected');
      // Readable again (the bad fields reset, metadata keeps its valid entries): its owner sees why.
      const rejected = (await a.get('jobs', bad.jobId)).doc!;
      expect(rejected).toMatchObject({
        status: 'rejected',
        userId: 'web-user',
        source: 'client',
        sessionId: null,
        metadata: { file: 'a.wav' },
        rejection: { code: 'INVALID_JOB', retryAfterMs: null },
        lease: null,
      });
      expect(rejected.rejection!.message).toMatch(/metadata\.nested: must be a string/);
      expect(rejected.rejection!.message).toMatch(/sessionId/);
      expect(rejected.payloadDeletedAt).toBe(rejected.completedAt);
      expect(rejected.expireAt).toBeGreaterThan(rejected.completedAt!);
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: bad.jobId }] })).toBe(0);
      // Nothing else was touched: another submission keeps its audio; no rate-limit or idempotency write.
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: keeper.jobId }] })).toBe(keeper.chunkCount);
      expect((await a.get('jobs', keeper.jobId)).doc).toMatchObject({ status: 'submitted' });
      expect(await a.count({ collection: 'rateLimits' })).toBe(0);
      expect(await a.count({ collection: 'idempotency' })).toBe(0);
      // Decided once: a second server finds it no longer submitted.
      expect(await admissionA.admitSubmitted(bad.jobId, null)).toBe('skipped');
      // The readable one is still admitted normally.
      expect(await admissionA.admitSubmitted(keeper.jobId, null)).toBe('admitted');
    });

    it('rejects a submission whose required fields are unreadable in place, keeping what was written', async () => {
      const { fx, a, b, admissionA } = await setup('garbage');
      const bad = await writeRawSubmission(fx, b, 'admin-bug', { priority: 'URGENT', audio: { bytes: 'many' }, extra: 'kept' });
      expect(await admissionA.admitSubmitted(bad.jobId, null)).toBe('rejected');
      const read = await a.runTransaction((tx) => tx.getLenient('jobs', bad.jobId));
      expect(read.kind).toBe('undecodable');
      if (read.kind !== 'undecodable') return;
      expect(read.raw).toMatchObject({ status: 'rejected', priority: 'URGENT', audio: { bytes: 'many' }, extra: 'kept', userId: 'admin-bug' });
      expect(read.raw.rejection).toMatchObject({ code: 'INVALID_JOB' });
      // The descriptor is unreadable: every possible chunk id of the job was deleted.
      expect(await a.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: bad.jobId }] })).toBe(0);
      expect(await admissionA.admitSubmitted(bad.jobId, null)).toBe('skipped');
    });
  });
}

/**
 * Writes what a browser (or an admin) can store for a submission: the `submitted` job as raw
 * fields with `patch` applied (anything, schema or not) and its valid audio chunks.
 */
async function writeRawSubmission(
  fx: EngineFixture,
  store: DocStore,
  userId: string,
  patch: Record<string, unknown>,
  seed = 1,
): Promise<{ jobId: string; chunkCount: number }> {
  const plan = await planSubmission({ audio: wav(seed), mimeType: 'audio/wav', userId }, { now: store.now(), source: 'client' });
  await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  await fx.writeRaw('jobs', plan.jobId, { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), ...patch });
  return { jobId: plan.jobId, chunkCount: plan.chunks.length };
}

/** A client-written `submitted` job as the engine reads it (see `decodeDoc` normalisation). */
function submittedJob(sub: SubmittedJob): JobDoc {
  return decodeDoc('jobs', clientSubmissionSchema.encode({ ...sub, source: 'client' }));
}

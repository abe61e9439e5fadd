import { afterEach, describe, expect, it } from 'vitest';
import { SINGLETON_IDS } from '../schema/names.js';
import { jobDocSchema } from '../schema/job.js';
import { LockNotHeldError } from '../core/errors.js';
import { engineContext, uniquePrefix, type EngineFixture, type EngineFixtureFactory } from '../testing/engine-fixture.js';
import { LeaderElector } from './leader-elector.js';
import { DistributedLocks } from './locks.js';
import { Maintenance } from './maintenance.js';
import { RollupMerger } from './analytics/merger.js';
import { StatsRefresher, getEnterpriseStats } from './analytics/stats.js';
import { AnalyticsRecorder } from './analytics/recorder.js';
import { applyControl } from './controls.js';
import { silentLogger } from '../ports/logger.js';

/** Leader election, locks, dead-server detection and analytics, on any store adapter. */
export function describeCoordinationContract(label: string, makeFixture: EngineFixtureFactory): void {
  describe(`queue coordination contract: ${label}`, () => {
    let fx: EngineFixture | null = null;
    const cleanups: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
      await fx?.cleanup();
      fx = null;
    });
    const eventually = async (predicate: () => boolean | Promise<boolean>, what: string, maxMs = 20_000) => {
      for (let spent = 0; !(await predicate()); spent += 50) {
        if (spent > maxMs) throw new Error(`not reached: ${what}`);
        await fx!.passTime(50);
      }
    };

    it('elects exactly one leader; a crashed leader is replaced within one lease, with a higher term', async () => {
      fx = await makeFixture(uniquePrefix('elect'));
      const [a, b] = fx.stores;
      const ea = new LeaderElector(engineContext(a, { serverId: 'srv-a', clock: fx.clock }));
      const eb = new LeaderElector(engineContext(b, { serverId: 'srv-b', clock: fx.clock }));
      cleanups.push(() => ea.stop(), () => eb.stop());
      ea.start();
      eb.start();
      await eventually(() => ea.current.isLeader || eb.current.isLeader, 'a leader');
      await fx.passTime(1_000);
      expect([ea.current.isLeader, eb.current.isLeader].filter(Boolean)).toHaveLength(1);
      const [leader, follower] = ea.current.isLeader ? [ea, eb] : [eb, ea];
      const before = (await a.get('leader', SINGLETON_IDS.leaderLease)).doc!;
      leader.abandon();
      await eventually(() => follower.current.isLeader, 'takeover');
      const after = (await a.get('leader', SINGLETON_IDS.leaderLease)).doc!;
      expect(after.term).toBe(before.term + 1);
      const leaseMs = 800;
      // Safety: never two leases at once. Liveness: the lease moved within about one lease
      // of the crash (the crashed leader's last renewal was at most a third of a lease before).
      const lastRenewal = before.renewedAt;
      expect(after.acquiredAt).toBeGreaterThanOrEqual(lastRenewal + leaseMs);
      expect(after.acquiredAt - lastRenewal).toBeLessThan(2 * leaseMs + 500);
    });

    it('hands leadership over at once when the leader resigns', async () => {
      fx = await makeFixture(uniquePrefix('resign'));
      const [a, b] = fx.stores;
      const ea = new LeaderElector(engineContext(a, { serverId: 'srv-a', clock: fx.clock }));
      cleanups.push(() => ea.stop());
      ea.start();
      await eventually(() => ea.current.isLeader, 'a leads');
      const eb = new LeaderElector(engineContext(b, { serverId: 'srv-b', clock: fx.clock }));
      cleanups.push(() => eb.stop());
      eb.start();
      await eventually(() => eb.current.holder === 'srv-a', 'b sees a');
      const resignedAt = b.now();
      await ea.stop();
      await eventually(() => eb.current.isLeader, 'b leads');
      const lease = (await b.get('leader', SINGLETON_IDS.leaderLease)).doc!;
      expect(lease).toMatchObject({ holder: 'srv-b', term: 2 });
      expect(lease.acquiredAt - resignedAt).toBeLessThan(800);
    });

    it('locks: exclusive, expire by store time, fence stale holders with increasing tokens', async () => {
      fx = await makeFixture(uniquePrefix('locks'));
      const [a, b] = fx.stores;
      const la = new DistributedLocks(engineContext(a, { serverId: 'srv-a', clock: fx.clock }));
      const lb = new DistributedLocks(engineContext(b, { serverId: 'srv-b', clock: fx.clock }));
      const held = await la.acquire('rebalance', { ttlMs: 500, purpose: 'test' });
      expect(held.token).toBe(1);
      expect(await lb.tryAcquire('rebalance', { ttlMs: 500 })).toBeNull();
      await fx.passTime(600);
      const taken = await lb.acquire('rebalance', { ttlMs: 500 });
      expect(taken.token).toBe(2);
      await expect(la.renew(held, 500)).rejects.toBeInstanceOf(LockNotHeldError);
      expect(await la.release(held)).toBe(false);
      await expect(
        a.runTransaction(async (tx) => {
          await la.assertHeld(tx, held);
        }),
      ).rejects.toThrow(/token moved on to 2/);
      expect(await lb.release(taken)).toBe(true);
      const result = await la.withLock('rebalance', { ttlMs: 500 }, async (lease, signal) => {
        expect(lease.token).toBe(3);
        await fx!.passTime(700); // renewed meanwhile
        expect(signal.aborted).toBe(false);
        return 'done';
      });
      expect(result).toBe('done');
      expect((await a.get('locks', 'rebalance')).doc).toMatchObject({ holder: null, token: 3 });
    });

    it('declares silent servers lost and reclaims their jobs', async () => {
      fx = await makeFixture(uniquePrefix('lost'));
      const [a, b] = fx.stores;
      const now = a.now();
      await a.commit([
        {
          op: 'set',
          collection: 'servers',
          id: 'ghost',
          data: {
            serverId: 'ghost', hostname: 'h', pid: 1, version: 'v', state: 'active', startedAt: now, heartbeatAt: now,
            heartbeatIntervalMs: 200, inFlight: 1, concurrencyLimit: 4, maxConcurrency: 4, jobsCompleted: 0, jobsFailed: 0, upstream: {}, budget: {}, labels: {},
          },
        },
        {
          op: 'set',
          collection: 'jobs',
          id: 'held-by-ghost',
          data: jobDocSchema.parse({
            status: 'running', priority: 'normal', userId: 'u', audio: { mimeType: 'audio/wav', bytes: 10, chunkCount: 1 }, source: 'server',
            createdAt: now, updatedAt: now, maxAttempts: 3, attempts: 1, fence: 1, rank: now,
            lease: { owner: 'ghost', token: 1, acquiredAt: now, expiresAt: now + 60_000, heartbeatAt: now },
          }),
        },
      ]);
      const maint = new Maintenance(engineContext(b, { serverId: 'leader', clock: fx.clock }));
      expect(await maint.detectLostServers()).toEqual([]);
      await fx.passTime(900);
      expect(await maint.detectLostServers()).toEqual(['ghost']);
      expect((await a.get('servers', 'ghost')).doc).toMatchObject({ state: 'lost' });
      expect((await a.get('jobs', 'held-by-ghost')).doc).toMatchObject({ status: 'queued', lease: null, lastErrorClass: 'lease_lost' });
    });

    it('cleans up expired jobs with their audio, expired keys and orphaned payloads; keeps live data', async () => {
      fx = await makeFixture(uniquePrefix('ttl'));
      const [a, b] = fx.stores;
      const now = a.now();
      const base = { priority: 'normal', userId: 'u', source: 'server', createdAt: now, updatedAt: now, maxAttempts: 3 } as const;
      const audio = { mimeType: 'audio/wav', bytes: 10, chunkCount: 1 } as const;
      const inline = { audio: { mimeType: 'audio/wav', bytes: 3, chunkCount: 0 }, inlineAudio: new Uint8Array([1, 2, 3]) } as const;
      const chunk = (jobId: string) => ({
        op: 'set' as const,
        collection: 'payloads' as const,
        id: `${jobId}_0000`,
        data: { jobId, userId: 'u', index: 0, count: 1, data: new Uint8Array([1, 2, 3]), createdAt: now },
      });
      await a.commit([
        { op: 'set', collection: 'jobs', id: 'old-dead', data: jobDocSchema.parse({ ...base, audio, status: 'dead_lettered', completedAt: now, expireAt: now + 100 }) },
        chunk('old-dead'),
        { op: 'set', collection: 'jobs', id: 'young-done', data: jobDocSchema.parse({ ...base, audio, status: 'succeeded', completedAt: now, expireAt: now + 3_600_000, payloadDeletedAt: now }) },
        { op: 'set', collection: 'jobs', id: 'queued', data: jobDocSchema.parse({ ...base, audio, status: 'queued', rank: now }) },
        chunk('queued'),
        // Audio inline in the job (0 chunks): retention deletes the job and no chunk.
        { op: 'set', collection: 'jobs', id: 'old-dead-inline', data: jobDocSchema.parse({ ...base, ...inline, status: 'dead_lettered', completedAt: now, expireAt: now + 100 }) },
        { op: 'set', collection: 'jobs', id: 'queued-inline', data: jobDocSchema.parse({ ...base, ...inline, status: 'queued', rank: now }) },
        chunk('no-such-job'),
        { op: 'set', collection: 'idempotency', id: 'k-old', data: { userId: 'u', key: 'k', jobId: 'x', createdAt: now, expireAt: now + 100 } },
        { op: 'set', collection: 'idempotency', id: 'k-new', data: { userId: 'u', key: 'k2', jobId: 'y', createdAt: now, expireAt: now + 3_600_000 } },
      ]);
      await fx.passTime(400);
      const maint = new Maintenance(engineContext(b, { serverId: 'leader', clock: fx.clock, config: { retention: { orphanPayloadMs: 300 } } }));
      const removed = await maint.cleanup();
      expect(removed).toMatchObject({ jobs: 2, idempotency: 1, payloads: 1 });
      expect((await a.get('jobs', 'old-dead')).doc).toBeNull();
      expect((await a.get('jobs', 'old-dead-inline')).doc).toBeNull();
      expect((await a.get('jobs', 'queued-inline')).doc).toMatchObject({ status: 'queued', inlineAudio: new Uint8Array([1, 2, 3]) });
      expect((await a.get('payloads', 'old-dead_0000')).doc).toBeNull();
      expect((await a.get('payloads', 'no-such-job_0000')).doc).toBeNull();
      expect((await a.get('payloads', 'queued_0000')).doc).not.toBeNull();
      expect((await a.get('jobs', 'young-done')).doc).not.toBeNull();
      expect((await a.get('idempotency', 'k-new')).doc).not.toBeNull();
    });

    it('merges per-server partials into rollups and publishes stats', async () => {
      fx = await makeFixture(uniquePrefix('stats'));
      const [a, b] = fx.stores;
      const recA = new AnalyticsRecorder({ store: a, clock: fx.clock, serverId: 'srv-a', log: silentLogger, flushIntervalMs: 1_000 });
      const recB = new AnalyticsRecorder({ store: b, clock: fx.clock, serverId: 'srv-b', log: silentLogger, flushIntervalMs: 1_000 });
      for (const [rec, n] of [[recA, 3], [recB, 2]] as const) {
        for (let i = 0; i < n; i++) {
          rec.record({ type: 'succeeded', latencyMs: 1_000 * (i + 1) });
          rec.record({ type: 'upstream', ok: true, latencyMs: 500, audioSeconds: 2, tokens: 64 });
        }
        rec.record({ type: 'attempt_failed', errorClass: 'overloaded' });
        rec.record({ type: 'dead_lettered' });
        await rec.flush();
      }
      const ctx = engineContext(b, { serverId: 'srv-b', clock: fx.clock });
      const merger = new RollupMerger(ctx);
      expect((await merger.run()).minutes).toBeGreaterThanOrEqual(1);
      // Incremental: nothing changed -> nothing written; one more event -> only its minute.
      expect((await merger.run()).minutes).toBe(0);
      recB.record({ type: 'succeeded', latencyMs: 1_000 });
      await recB.flush();
      expect((await merger.run()).minutes).toBe(1);
      expect(merger.recent(5)!.counters.succeeded).toBe(6);
      const rollups = await a.query({ collection: 'analytics', where: [{ field: 'granularity', op: '==', value: 'minute' }] });
      const total = rollups.docs.reduce((s, d) => s + d.data.counters.succeeded, 0);
      expect(total).toBe(6);
      const minute = rollups.docs.find((d) => d.data.counters.succeeded > 0)!.data;
      expect(minute.failuresByClass).toMatchObject({ overloaded: 2 });
      expect(minute.p50Ms).toBeGreaterThan(0);
      const hour = await a.query({ collection: 'analytics', where: [{ field: 'granularity', op: '==', value: 'hour' }] });
      expect(hour.docs.reduce((s, d) => s + d.data.counters.succeeded, 0)).toBe(6);
      // Stats from the rollup documents (a fresh leader) and from the merger's memory agree.
      const fromDocs = await new StatsRefresher(ctx, () => ({ id: 'srv-b', term: 3 })).run();
      expect(fromDocs).toMatchObject({ leaderId: 'srv-b', leaderTerm: 3, successRate: 6 / 8 });
      // The fleet's liveness settings travel with the stats, for the console's staleness rule.
      const { serverTimeoutMs, heartbeatIntervalMs } = ctx.config.serverCoordination;
      const published = (await a.get('stats', SINGLETON_IDS.queueStats)).doc;
      expect(published?.serverLiveness).toEqual({ serverTimeoutMs, heartbeatIntervalMs });
      // So is the retention of what a control writes, for the console's controls.
      expect(published?.controlRetention).toEqual({ finishedJobsMs: ctx.config.retention.finishedJobsMs, auditMs: ctx.config.retention.auditMs });
      const fromMemory = await new StatsRefresher(ctx, () => ({ id: 'srv-b', term: 3 }), { recent: (m) => merger.recent(m) }).run();
      expect(fromMemory.successRate).toBe(6 / 8);
      const enterprise = await getEnterpriseStats(a, 20_000);
      expect(enterprise.performance.successRate).toBeCloseTo(6 / 8);
      expect(enterprise.queueStats.totalInQueue).toBe(0);
      expect(enterprise.circuitBreaker.state).toBe('closed');
    });

    it('counts dead letters on every run (the console and alerts act on them), other finished jobs once per terminalEveryMs', async () => {
      fx = await makeFixture(uniquePrefix('deadcount'));
      const [a, b] = fx.stores;
      const stats = new StatsRefresher(engineContext(b, { serverId: 'srv-b', clock: fx.clock }), () => ({ id: 'srv-b', term: 1 }), { terminalEveryMs: 60_000 });
      expect((await stats.run()).byStatus).toMatchObject({ dead_lettered: 0, succeeded: 0 });
      const now = a.now();
      const base = { priority: 'normal', userId: 'u', source: 'server', createdAt: now, updatedAt: now, maxAttempts: 3, completedAt: now } as const;
      const audio = { mimeType: 'audio/wav', bytes: 10, chunkCount: 1 } as const;
      await a.commit([
        { op: 'set', collection: 'jobs', id: 'dead', data: jobDocSchema.parse({ ...base, audio, status: 'dead_lettered' }) },
        { op: 'set', collection: 'jobs', id: 'done', data: jobDocSchema.parse({ ...base, audio, status: 'succeeded', payloadDeletedAt: now }) },
      ]);
      // The next run, well inside the minute: the dead letter counts, the success not yet.
      expect((await stats.run()).byStatus).toMatchObject({ dead_lettered: 1, succeeded: 0 });
    });

    it('mirrors the pause switches into the stats document for end users', async () => {
      fx = await makeFixture(uniquePrefix('pause'));
      const [a, b] = fx.stores;
      const ctx = engineContext(b, { serverId: 'srv-b', clock: fx.clock });
      const stats = new StatsRefresher(ctx, () => ({ id: 'srv-b', term: 1 }));
      const admin = { kind: 'admin' as const, id: 'ops', email: null };
      const api = engineContext(a, { serverId: 'api', clock: fx.clock });
      expect(await stats.run()).toMatchObject({ paused: false, pausedPriorities: [] });
      await applyControl(api, { type: 'queue.pause', priorities: ['low', 'normal'], reason: 'budget' }, admin);
      expect(await stats.run()).toMatchObject({ paused: false, pausedPriorities: ['normal', 'low'] });
      await applyControl(api, { type: 'queue.pause' }, admin);
      // Published by the leader's next refresh, not by the control itself.
      expect((await a.get('stats', SINGLETON_IDS.queueStats)).doc).toMatchObject({ paused: false });
      await stats.run();
      expect((await a.get('stats', SINGLETON_IDS.queueStats)).doc).toMatchObject({ paused: true });
      expect((await getEnterpriseStats(a, 20_000)).queueStats).toMatchObject({ paused: true });
      await applyControl(api, { type: 'queue.resume' }, admin);
      expect(await stats.run()).toMatchObject({ paused: false, pausedPriorities: [] });
    });
  });
}

import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { PRIORITIES, type Priority } from '../schema/job.js';
import { SINGLETON_IDS } from '../schema/names.js';
import { makeTestWav } from '@fq/fake-gemini';
import { waitFor } from '../testing/wait.js';
import { admin, describeWorkers, startFleet, type Fleet } from './fleet-harness.js';

/**
 * Real worker processes (`node --import tsx worker/src/cli.ts`) against the Firestore
 * emulator and the fake Gemini. Tests run in order on one fleet; each waits on observed
 * state (documents, logs, process exits), never on sleeps.
 */
let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('mp', 3);
}, 180_000);

afterAll(async () => {
  await fleet?.close();
}, 120_000);

const wav = (text: string, durationSec = 1) => makeTestWav({ durationSec, text });

describe('worker fleet (3 processes, emulator, fake Gemini)', () => {
  it('drains a mixed-priority queue: no job lost, none completed twice', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    const jobs: { id: string; priority: Priority; text: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const priority = PRIORITIES[i % 4]!;
      const text = `job number ${i} at ${priority}`;
      const r = await fleet.queue.enqueue({ audio: wav(text), mimeType: 'audio/wav', userId: `user-${i % 4}`, priority });
      jobs.push({ id: r.requestId, priority, text });
    }
    await waitFor(
      async () => (await fleet.store.count({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'succeeded' }] })) === jobs.length,
      { timeoutMs: 150_000, intervalMs: 250, what: 'all jobs succeeded' },
    );
    for (const j of jobs) {
      const job = (await fleet.queue.getJob(j.id))!;
      expect(job.status).toBe('succeeded');
      expect(job.result!.transcript).toBe(j.text);
    }
    // Each worker counts only the completions it committed with a valid fence: the sum equals
    // the number of jobs exactly when no job was completed twice.
    await waitFor(
      async () => {
        const servers = await fleet.store.query({ collection: 'servers' });
        const sum = servers.docs.reduce((s, d) => s + d.data.jobsCompleted, 0);
        return sum === jobs.length && servers.docs.filter((d) => d.data.jobsCompleted > 0).length >= 2;
      },
      { timeoutMs: 30_000, what: 'server completion counts add up to the job count, spread over >= 2 workers' },
    );
    expect(fleet.gemini.stats().successes).toBe(jobs.length);
    expect(await fleet.store.count({ collection: 'payloads' })).toBe(0);
  }, 240_000);

  it('a retried job lands in dead letters after max attempts, and a redrive completes it', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    fleet.gemini.failNext({ count: 3, status: 500 });
    const { requestId } = await fleet.queue.enqueue({ audio: wav('dead letter then redrive'), mimeType: 'audio/wav', userId: 'dl' });
    await fleet.waitStatus(requestId, 'dead_lettered');
    const dead = (await fleet.queue.getJob(requestId))!;
    expect(dead.attempts).toBe(3);
    expect(dead.errors.map((e) => [e.attempt, e.errorClass, e.code])).toEqual([
      [1, 'server', 500],
      [2, 'server', 500],
      [3, 'server', 500],
    ]);
    await fleet.queue.control({ type: 'job.redrive', jobIds: [requestId], reason: 'upstream recovered' }, admin);
    await fleet.waitStatus(requestId, 'succeeded');
    expect((await fleet.queue.getJob(requestId))!).toMatchObject({ redriveCount: 1, result: { transcript: 'dead letter then redrive' } });
  }, 180_000);

  it('pause holds jobs (per priority and whole queue) until resumed', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    await fleet.queue.control({ type: 'queue.pause', priorities: ['low'] }, admin);
    const low = await fleet.queue.enqueue({ audio: wav('held low'), mimeType: 'audio/wav', userId: 'p', priority: 'low' });
    const normal = await fleet.queue.enqueue({ audio: wav('free normal'), mimeType: 'audio/wav', userId: 'p', priority: 'normal' });
    // The normal job finishing proves the workers are active while the low one waits.
    await fleet.waitStatus(normal.requestId, 'succeeded');
    expect(await fleet.status(low.requestId)).toBe('queued');

    await fleet.queue.control({ type: 'queue.pause', reason: 'maintenance' }, admin);
    const urgent = await fleet.queue.enqueue({ audio: wav('held urgent'), mimeType: 'audio/wav', userId: 'p', priority: 'urgent' });
    // Let every live worker heartbeat twice after the enqueue: they are running, not claiming.
    const since = fleet.store.now();
    await waitFor(
      async () => {
        const servers = await fleet.store.query({ collection: 'servers', where: [{ field: 'state', op: '==', value: 'active' }] });
        return servers.docs.length === 3 && servers.docs.every((d) => d.data.heartbeatAt > since + 1_000);
      },
      { timeoutMs: 60_000, what: 'two heartbeats from every worker' },
    );
    expect(await fleet.status(urgent.requestId)).toBe('queued');
    expect(await fleet.status(low.requestId)).toBe('queued');
    await fleet.queue.control({ type: 'queue.resume' }, admin);
    await fleet.waitStatus(urgent.requestId, 'succeeded');
    await fleet.waitStatus(low.requestId, 'succeeded');
  }, 180_000);

  it('cancel from another process aborts the in-flight Gemini call', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    fleet.gemini.failNext({ count: 1, kind: 'hang' });
    const abortedBefore = fleet.gemini.stats().aborted;
    const { requestId } = await fleet.queue.enqueue({ audio: wav('cancel me'), mimeType: 'audio/wav', userId: 'c' });
    await fleet.waitStatus(requestId, 'running');
    await waitFor(() => fleet.gemini.stats().concurrent >= 1, { what: 'the call reached the fake' });
    await fleet.queue.control({ type: 'job.cancel', jobIds: [requestId], reason: 'user closed the tab' }, admin);
    await fleet.waitStatus(requestId, 'cancelled');
    await waitFor(() => fleet.gemini.stats().aborted > abortedBefore, { what: 'the fake saw the client abort' });
    const job = (await fleet.queue.getJob(requestId))!;
    expect(job).toMatchObject({ attempts: 1, errors: [], cancelRequest: { reason: 'user closed the tab' } });
  }, 120_000);

  it('a worker whose lease expired (frozen process) cannot complete; another worker does, once', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    fleet.gemini.failNext({ count: 1, kind: 'hang' });
    const { requestId } = await fleet.queue.enqueue({ audio: wav('survives a frozen worker'), mimeType: 'audio/wav', userId: 'f' });
    await fleet.waitStatus(requestId, 'running');
    // Freeze only once its call is hanging at the fake (the injection is used up).
    await waitFor(() => fleet.gemini.pendingFailures().length === 0, { what: 'the hanging call reached the fake' });
    const owner = (await fleet.queue.getJob(requestId))!.lease!.owner;
    const frozen = fleet.workers.find((w) => w.serverId === owner)!;
    frozen.child.kill('SIGSTOP');
    try {
      await fleet.waitStatus(requestId, 'succeeded', 120_000);
    } finally {
      frozen.child.kill('SIGCONT');
    }
    const done = (await fleet.queue.getJob(requestId))!;
    expect(done.fence).toBe(2);
    expect(done.errors.map((e) => e.errorClass)).toEqual(['lease_lost']);
    expect(done.result!.transcript).toBe('survives a frozen worker');
    // The thawed worker finds its lease gone and writes nothing.
    await frozen.waitForLog((l) => l.jobId === requestId && /lease lost/.test(String(l.msg)), 'lease lost after thaw');
    expect((await fleet.queue.getJob(requestId))!.updatedAt).toBe(done.updatedAt);
  }, 180_000);

  it('SIGTERM drains a worker gracefully: in-flight job released, server deregistered, exit 0', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    fleet.gemini.failNext({ count: 1, kind: 'hang' });
    const { requestId } = await fleet.queue.enqueue({ audio: wav('outlives a shutdown'), mimeType: 'audio/wav', userId: 's' });
    await fleet.waitStatus(requestId, 'running');
    await waitFor(() => fleet.gemini.pendingFailures().length === 0, { what: 'the hanging call reached the fake' });
    const owner = (await fleet.queue.getJob(requestId))!.lease!.owner;
    const leaving = fleet.workers.find((w) => w.serverId === owner)!;
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    fleet.workers = fleet.workers.filter((w) => w !== leaving);
    expect((await fleet.store.get('servers', owner)).doc).toMatchObject({ state: 'stopped', inFlight: 0 });
    await fleet.waitStatus(requestId, 'succeeded');
    const job = (await fleet.queue.getJob(requestId))!;
    // Released, not failed: the aborted attempt was refunded.
    expect(job).toMatchObject({ attempts: 1, errors: [] });
    expect(job.lease).toBeNull();
  }, 120_000);

  it('killing the leader (SIGKILL) moves leadership within one lease', async () => {
    onTestFailed(() => console.error(describeWorkers(fleet.workers)));
    const leaseMs = 3_000;
    const current = await waitFor(
      async () => {
        const { doc } = await fleet.store.get('leader', SINGLETON_IDS.leaderLease);
        return doc && doc.holder && fleet.workers.some((w) => w.serverId === doc.holder) ? doc : null;
      },
      { what: 'a live leader' },
    );
    const leader = fleet.workers.find((w) => w.serverId === current.holder)!;
    const killedAt = fleet.store.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    const lastSeen = (await fleet.store.get('leader', SINGLETON_IDS.leaderLease)).doc!;
    fleet.workers = fleet.workers.filter((w) => w !== leader);
    const next = await waitFor(
      async () => {
        const { doc } = await fleet.store.get('leader', SINGLETON_IDS.leaderLease);
        return doc && doc.term > lastSeen.term ? doc : null;
      },
      { timeoutMs: 60_000, what: 'a new leader' },
    );
    expect(fleet.workers.map((w) => w.serverId)).toContain(next.holder);
    // Never two leaders: the new lease starts after the dead one's expired ...
    expect(next.acquiredAt).toBeGreaterThanOrEqual(lastSeen.expiresAt);
    // ... and within one lease of the kill (plus scheduling slack for a loaded machine).
    const takeoverMs = next.acquiredAt - killedAt;
    console.info(`leader takeover ${takeoverMs} ms after SIGKILL (lease ${leaseMs} ms)`);
    expect(takeoverMs).toBeLessThanOrEqual(leaseMs + 2_000);
  }, 120_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import { clientSubmissionSchema } from '../schema/job.js';
import { planSubmission } from '../core/submission.js';
import { MemoryStore } from '../adapters/memory/memory-store.js';
import { Admission } from '../engine/admission.js';
import { Maintenance } from '../engine/maintenance.js';
import { makeWav } from '../testing/audio.js';
import { FakeClock } from '../testing/fake-clock.js';
import { engineContext, uniquePrefix } from '../testing/engine-fixture.js';
import { SubmissionAdmitter } from './submission-admitter.js';

const RETENTION_MS = 3_600_000;

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, prefix: uniquePrefix('adm') });
  const ctx = engineContext(store, { serverId: 's1', clock, config: { retention: { finishedJobsMs: RETENTION_MS } } });
  const admitter = new SubmissionAdmitter(ctx, new Admission(ctx), 200);
  return { clock, store, ctx, admitter };
}

let running: SubmissionAdmitter | null = null;
afterEach(() => {
  running?.stop();
  running = null;
});

/** What the web SDK stores for a submission (raw fields, `patch` applied) and its audio chunks. */
async function browserSubmission(store: MemoryStore, userId: string, patch: Record<string, unknown>, seed: number): Promise<string> {
  const plan = await planSubmission({ audio: makeWav(0.2, { seed }), mimeType: 'audio/wav', userId }, { now: store.now(), source: 'client' });
  await store.commit(plan.chunks.map((c) => ({ op: 'set' as const, collection: 'payloads' as const, id: c.id, data: c.doc })));
  store.writeRaw('jobs', plan.jobId, { ...clientSubmissionSchema.encode({ ...plan.submission, source: 'client' }), ...patch });
  return plan.jobId;
}

const statusOf = async (store: MemoryStore, id: string) => {
  const read = await store.runTransaction((tx) => tx.getLenient('jobs', id));
  return read.kind === 'decoded' ? read.doc.status : read.kind === 'undecodable' ? String(read.raw.status) : null;
};

describe('SubmissionAdmitter and submissions the engine cannot read', () => {
  it('admits a valid submission queued behind 60 unreadable ones (more than the 50 it listens to)', async () => {
    const { clock, store, admitter } = setup();
    const poison: string[] = [];
    for (let i = 0; i < 60; i++) {
      poison.push(await browserSubmission(store, 'poisoner', { metadata: { nested: { value: i } } }, i));
      await clock.advance(10); // oldest first, in this order
    }
    const victim = await browserSubmission(store, 'victim', {}, 99);
    running = admitter;
    admitter.start();
    const submitted = () => store.count({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'submitted' }] });
    await clock.advanceUntil(async () => (await statusOf(store, victim)) === 'queued' && (await submitted()) === 0, 100, 120_000);
    expect((await store.get('jobs', victim)).doc).toMatchObject({ status: 'queued', userId: 'victim', source: 'client' });
    for (const id of poison) {
      const job = (await store.get('jobs', id)).doc!;
      expect(job).toMatchObject({ status: 'rejected', userId: 'poisoner', metadata: {}, rejection: { code: 'INVALID_JOB' } });
      expect(job.rejection!.message).toMatch(/metadata\.nested/);
    }
    expect(await store.count({ collection: 'payloads', where: [{ field: 'userId', op: '==', value: 'poisoner' }] })).toBe(0);
    expect(await store.count({ collection: 'payloads', where: [{ field: 'userId', op: '==', value: 'victim' }] })).toBe(1);
  });

  it('rejects one whose required fields are unreadable too, and retention clean-up deletes it', async () => {
    const { clock, store, admitter, ctx } = setup();
    const garbage = await browserSubmission(store, 'admin-bug', { priority: 7, audio: 'none' }, 1);
    const readable = await browserSubmission(store, 'ok', { sessionId: 's'.repeat(500) }, 2);
    running = admitter;
    admitter.start();
    await clock.advanceUntil(async () => (await statusOf(store, garbage)) === 'rejected' && (await statusOf(store, readable)) === 'rejected', 100, 60_000);
    await expect(store.get('jobs', garbage)).rejects.toThrow(/does not match its schema/);
    expect(await store.count({ collection: 'payloads' })).toBe(0);
    // A second pass of the admitter has nothing left to decide.
    expect(await store.count({ collection: 'jobs', where: [{ field: 'status', op: '==', value: 'submitted' }] })).toBe(0);

    const maintenance = new Maintenance(ctx);
    expect((await maintenance.cleanup()).jobs).toBe(0);
    await clock.advance(RETENTION_MS + 1_000);
    expect((await maintenance.cleanup()).jobs).toBe(2);
    expect(await statusOf(store, garbage)).toBeNull();
    expect(await statusOf(store, readable)).toBeNull();
  });

  it('leaves chunks of a job it cannot read alone in the orphan sweep until the job is finished', async () => {
    const { clock, store, ctx } = setup();
    // An unreadable job that is not finished (an admin wrote garbage into a queued job).
    const stuck = await browserSubmission(store, 'u', { status: 'queued', priority: 7 }, 3);
    await clock.advance(ctx.config.retention.orphanPayloadMs + 1_000);
    const maintenance = new Maintenance(ctx);
    expect((await maintenance.cleanup()).payloads).toBe(0);
    expect(await store.count({ collection: 'payloads', where: [{ field: 'jobId', op: '==', value: stuck }] })).toBe(1);
    // Once its stored status says it is finished, its audio goes.
    store.writeRaw('jobs', stuck, { status: 'cancelled', priority: 7 });
    expect((await maintenance.cleanup()).payloads).toBe(1);
  });
});

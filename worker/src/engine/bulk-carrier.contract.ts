import { describe, expect, it } from 'vitest';
import { jobDocSchema, type JobDoc, type JobStatus } from '../schema/job.js';
import type { BulkFilter } from '../schema/bulk.js';
import type { DocStore, Query } from '../ports/store.js';
import { encodeDoc } from '../schema/documents.js';
import { engineContext, uniquePrefix, type EngineFixture, type EngineFixtureFactory } from '../testing/engine-fixture.js';
import { BulkCarrier, BulkWatcher } from './bulk-carrier.js';
import { applyControl } from './controls.js';

const admin = { kind: 'admin' as const, id: 'ops', email: 'ops@example.com' };
const FILTER: BulkFilter = { status: 'dead_lettered', priority: null, userId: null, fromMs: null, toMs: null };

function job(status: JobStatus, createdAt: number): JobDoc {
  return jobDocSchema.parse({
    status,
    priority: 'normal',
    userId: `u${createdAt % 7}`,
    audio: { mimeType: 'audio/wav', bytes: 100, chunkCount: 0 },
    source: 'server',
    createdAt,
    updatedAt: createdAt + 1,
    maxAttempts: 3,
    attempts: status === 'dead_lettered' ? 3 : 0,
    completedAt: status === 'dead_lettered' ? createdAt + 1 : null,
  });
}

/**
 * `count` dead letters (three to a millisecond, so pages end inside a millisecond) and some
 * queued jobs between them the filter leaves out, all created before `before`.
 */
async function seed(store: DocStore, count: number, before: number): Promise<string[]> {
  const ids: string[] = [];
  const writes: { op: 'set'; collection: 'jobs'; id: string; data: JobDoc }[] = [];
  for (let i = 0; i < count; i++) {
    const id = `d${String(i).padStart(5, '0')}`;
    ids.push(id);
    writes.push({ op: 'set', collection: 'jobs', id, data: job('dead_lettered', before - 100_000 + Math.floor(i / 3)) });
    if (i % 50 === 0) writes.push({ op: 'set', collection: 'jobs', id: `q${i}`, data: job('queued', before - 100_000 + Math.floor(i / 3)) });
  }
  for (let i = 0; i < writes.length; i += 400) await store.commit(writes.slice(i, i + 400));
  return ids;
}

async function jobsIn(store: DocStore, ids: readonly string[]): Promise<JobDoc[]> {
  const out: JobDoc[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const part = await Promise.all(ids.slice(i, i + 200).map((id) => store.get('jobs', id)));
    out.push(...part.map((r) => r.doc!));
  }
  return out;
}

async function startBulk(store: DocStore, bulkId: string, expectedCount: number): Promise<void> {
  const ctx = engineContext(store, { serverId: 'console' });
  await applyControl(ctx, { type: 'bulk.start', bulkId, action: 'job.redrive', filter: FILTER, expectedCount, reason: 'upstream fixed' }, admin);
}

/**
 * The bulk carrier on a store: thousands of dead letters redriven as one control, each
 * exactly once, through stops, resumes, a carrier that dies and one that stalls past its
 * lease. Fake clock on memory; real time on Firestore (`passTime`).
 */
export function describeBulkCarrierContract(label: string, factory: EngineFixtureFactory, sizes: { jobs: number; leaseMs: number }) {
  const timeout = { timeout: 300_000 };
  describe(`bulk carrier: ${label}`, () => {
    it(`redrives ${sizes.jobs} dead letters as one control, in audited steps, each job once, progress exact`, timeout, async () => {
      const fx = await factory(uniquePrefix('bulk'));
      try {
        const [store] = fx.stores;
        await fx.passTime(1);
        const ids = await seed(store, sizes.jobs, store.now() - 1_000);
        await startBulk(store, 'b1', sizes.jobs);
        // A job created after the request is not part of it.
        await fx.passTime(5);
        await store.commit([{ op: 'set', collection: 'jobs', id: 'late', data: job('dead_lettered', store.now()) }]);
        const carrier = new BulkCarrier(engineContext(store, { serverId: 'w1', clock: fx.clock }), { leaseMs: sizes.leaseMs });
        expect(await carrier.carry('b1')).toBe('done');
        const doc = (await store.get('bulkControls', 'b1')).doc!;
        expect(doc).toMatchObject({ state: 'done', carrier: null, progress: { matched: sizes.jobs, done: sizes.jobs, skipped: 0, failed: 0 } });
        // Steps of at most 16 jobs (a page ends where it ends, so a few are shorter).
        expect(doc.progress.steps).toBeGreaterThanOrEqual(Math.ceil(sizes.jobs / 16));
        const jobs = await jobsIn(store, ids);
        expect(jobs.filter((j) => j.status === 'queued' && j.redriveCount === 1 && j.attempts === 0)).toHaveLength(sizes.jobs);
        expect((await store.get('jobs', 'late')).doc!.status).toBe('dead_lettered');
        expect((await store.get('jobs', 'q0')).doc!.redriveCount).toBe(0);
        // One audit entry per step, by the operator who asked, naming the bulk control.
        const audit = await store.count({ collection: 'audit', where: [{ field: 'action', op: '==', value: 'job.redrive' }] });
        expect(audit).toBe(doc.progress.steps);
        const first = (await store.get('audit', jobs[jobs.length - 1]!.controlAudit!.id)).doc!;
        expect(first).toMatchObject({ actor: admin, reason: 'upstream fixed', target: { kind: 'job', id: expect.stringContaining('bulk b1: status=dead_lettered') } });
      } finally {
        await fx.cleanup();
      }
    });

    it('stops between steps when asked, keeps its cursor, and a resume finishes the rest, each job still once', timeout, async () => {
      const fx = await factory(uniquePrefix('bulkstop'));
      try {
        const [store] = fx.stores;
        await fx.passTime(1);
        const ids = await seed(store, sizes.jobs, store.now() - 1_000);
        await startBulk(store, 'b2', sizes.jobs);
        const console = engineContext(store, { serverId: 'console' });
        let steps = 0;
        const carrier = new BulkCarrier(engineContext(store, { serverId: 'w1', clock: fx.clock }), {
          leaseMs: sizes.leaseMs,
          beforeStep: async () => {
            steps += 1;
            if (steps === 40) await applyControl(console, { type: 'bulk.stop', bulkId: 'b2', reason: 'wrong filter?' }, admin);
          },
        });
        expect(await carrier.carry('b2')).toBe('stopped');
        const stopped = (await store.get('bulkControls', 'b2')).doc!;
        expect(stopped).toMatchObject({ state: 'stopped', carrier: null, progress: { steps: 39, skipped: 0 } });
        expect(stopped.progress.done).toBe(stopped.progress.matched);
        expect(stopped.progress.done).toBeGreaterThan(30 * 16);
        expect(stopped.progress.done).toBeLessThan(sizes.jobs);
        expect((await jobsIn(store, ids)).filter((j) => j.status === 'queued')).toHaveLength(stopped.progress.done);
        // A stopped control is not carried.
        expect(await carrier.carry('b2')).toBe('stopped');
        await applyControl(console, { type: 'bulk.resume', bulkId: 'b2', reason: 'filter is right' }, admin);
        expect(await new BulkCarrier(engineContext(store, { serverId: 'w2', clock: fx.clock }), { leaseMs: sizes.leaseMs }).carry('b2')).toBe('done');
        const done = (await store.get('bulkControls', 'b2')).doc!;
        expect(done.progress).toMatchObject({ matched: sizes.jobs, done: sizes.jobs, skipped: 0 });
        expect((await jobsIn(store, ids)).every((j) => j.status === 'queued' && j.redriveCount === 1)).toBe(true);
        const stopAudit = await store.count({ collection: 'audit', where: [{ field: 'action', op: 'in', value: ['bulk.stop', 'bulk.resume'] }] });
        expect(stopAudit).toBe(2);
      } finally {
        await fx.cleanup();
      }
    });

    it('a carrier that dies mid-way is replaced once its lease runs out; one that stalled past its lease cannot write another step', timeout, async () => {
      const fx = await factory(uniquePrefix('bulkdie'));
      try {
        const [storeA, storeB] = fx.stores;
        await fx.passTime(1);
        const ids = await seed(storeA, sizes.jobs, storeA.now() - 1_000);
        await startBulk(storeA, 'b3', sizes.jobs);
        // w1 "dies" before its 30th step: its lease stays on the document.
        let stepsA = 0;
        const dying = new BulkCarrier(engineContext(storeA, { serverId: 'w1', clock: fx.clock }), {
          leaseMs: sizes.leaseMs,
          beforeStep: () => {
            stepsA += 1;
            if (stepsA === 30) throw new Error('killed');
          },
        });
        await expect(dying.carry('b3')).rejects.toThrow('killed');
        const w2 = new BulkCarrier(engineContext(storeB, { serverId: 'w2', clock: fx.clock }), { leaseMs: sizes.leaseMs });
        expect(await w2.carry('b3')).toBe('busy');
        await fx.passTime(sizes.leaseMs + 50);
        // w3 takes over, then stalls past its own lease at its 20th step; w2 takes it from there.
        let stepsC = 0;
        const stalling = new BulkCarrier(engineContext(storeA, { serverId: 'w3', clock: fx.clock }), {
          leaseMs: sizes.leaseMs,
          beforeStep: async () => {
            stepsC += 1;
            if (stepsC === 20) {
              await fx.passTime(sizes.leaseMs + 50);
              // Another server's watcher took the lapsed lease meanwhile.
              const watcher = new BulkWatcher(engineContext(storeB, { serverId: 'w2', clock: fx.clock }), w2);
              watcher.start();
              await waitUntil(async () => (await storeB.get('bulkControls', 'b3')).doc!.carrierToken === 3);
              await watcher.stop();
            }
          },
        });
        expect(await stalling.carry('b3')).toBe('lost');
        // w2's watcher took the lapsed lease (token 3); stopped, it releases it after the step in
        // flight, done or not (on a real store it is rarely done by then): another carrier finishes.
        if ((await storeA.get('bulkControls', 'b3')).doc!.state !== 'done') {
          expect(await new BulkCarrier(engineContext(storeB, { serverId: 'w4', clock: fx.clock }), { leaseMs: sizes.leaseMs }).carry('b3')).toBe('done');
        }
        const doc = (await storeA.get('bulkControls', 'b3')).doc!;
        expect(doc).toMatchObject({ state: 'done', progress: { matched: sizes.jobs, done: sizes.jobs, skipped: 0, failed: 0 } });
        expect(doc.carrierToken).toBeGreaterThanOrEqual(3);
        expect((await jobsIn(storeA, ids)).every((j) => j.status === 'queued' && j.redriveCount === 1)).toBe(true);
      } finally {
        await fx.cleanup();
      }
    });

    it('counts jobs that can no longer take the action as skipped, with the reason', timeout, async () => {
      const fx = await factory(uniquePrefix('bulkskip'));
      try {
        const [store] = fx.stores;
        await fx.passTime(1);
        const before = store.now() - 1_000;
        await store.commit([
          { op: 'set', collection: 'jobs', id: 'f1', data: job('failed', before - 10) },
          { op: 'set', collection: 'jobs', id: 'f2', data: { ...job('failed', before - 9), payloadDeletedAt: before - 5 } },
          { op: 'set', collection: 'jobs', id: 'f3', data: job('failed', before - 8) },
        ]);
        const ctx = engineContext(store, { serverId: 'console' });
        await applyControl(ctx, { type: 'bulk.start', bulkId: 'b4', action: 'job.retry', filter: { ...FILTER, status: 'failed' }, reason: null }, admin);
        expect(await new BulkCarrier(engineContext(store, { serverId: 'w1', clock: fx.clock })).carry('b4')).toBe('done');
        expect((await store.get('bulkControls', 'b4')).doc!.progress).toMatchObject({ matched: 3, done: 2, skipped: 1, skippedByReason: { PAYLOAD_GONE: 1 } });
      } finally {
        await fx.cleanup();
      }
    });

    it('gives up on a page query the store keeps refusing (a missing index): failed with its words, lease released, progress and cursor kept; resumed after the fix, it finishes the rest, each job once', timeout, async () => {
      const fx = await factory(uniquePrefix('bulkfail'));
      try {
        const [store] = fx.stores;
        await fx.passTime(1);
        // Three pages of 96; the store refuses every query after the first page until "the index is deployed".
        const ids = await seed(store, 250, store.now() - 1_000);
        await startBulk(store, 'b5', 250);
        let indexDeployed = false;
        const refusing = refusePages(store, (call) => (call > 1 && !indexDeployed ? grpcError(9, 'FAILED_PRECONDITION: The query requires an index. You can create it here: https://console.firebase.google.com/x') : null));
        const carrier = new BulkCarrier(engineContext(refusing.store, { serverId: 'w1', clock: fx.clock }), { leaseMs: sizes.leaseMs });
        expect(await settle(fx, carrier.carry('b5'))).toEqual({ ok: true, value: 'failed' });
        // The first page, then the same three attempts a step gets.
        expect(refusing.calls()).toBe(1 + 3);
        const failed = (await store.get('bulkControls', 'b5')).doc!;
        expect(failed).toMatchObject({ state: 'failed', stopRequested: false, carrier: null, carrierExpiresAt: null, progress: { matched: 96, done: 96, skipped: 0, failed: 0 } });
        expect(failed.finishedAt).not.toBeNull();
        expect(failed.progress.lastError).toContain('The store refused the query for the next page (FAILED_PRECONDITION) 3 times');
        expect(failed.progress.lastError).toContain('The query requires an index');
        expect(failed.cursor.createdAt).not.toBeNull();
        expect((await jobsIn(store, ids)).filter((j) => j.status === 'queued')).toHaveLength(96);
        // Not running, so no carrier takes it up again by itself.
        expect(await carrier.carry('b5')).toBe('failed');
        expect(refusing.calls()).toBe(1 + 3);

        // The operator deploys the index and resumes it (audited, from failed): it goes on from its cursor.
        indexDeployed = true;
        await applyControl(engineContext(store, { serverId: 'console' }), { type: 'bulk.resume', bulkId: 'b5', reason: 'index deployed' }, admin);
        const resumed = (await store.query({ collection: 'audit', where: [{ field: 'action', op: '==', value: 'bulk.resume' }] })).docs.map((d) => d.data);
        expect(resumed).toEqual([expect.objectContaining({ reason: 'index deployed', details: expect.objectContaining({ from: 'failed', done: 96 }) })]);
        expect(await settle(fx, carrier.carry('b5'))).toEqual({ ok: true, value: 'done' });
        const done = (await store.get('bulkControls', 'b5')).doc!;
        expect(done.progress).toMatchObject({ matched: 250, done: 250, skipped: 0, failed: 0 });
        expect((await jobsIn(store, ids)).every((j) => j.status === 'queued' && j.redriveCount === 1)).toBe(true);
      } finally {
        await fx.cleanup();
      }
    });

    it('keeps a control running through a store that is unavailable for a while: the carrier hands it back, its watcher tries again and finishes it, nothing lost', timeout, async () => {
      const fx = await factory(uniquePrefix('bulkflaky'));
      try {
        const [store] = fx.stores;
        await fx.passTime(1);
        const ids = await seed(store, 40, store.now() - 1_000);
        await startBulk(store, 'b6', 40);
        // Five refusals in a row: more than one carry's three attempts.
        const flaky = refusePages(store, (call) => (call <= 5 ? grpcError(14, 'UNAVAILABLE: connection reset by peer') : null));
        const ctx = engineContext(flaky.store, { serverId: 'w1', clock: fx.clock });
        const carrier = new BulkCarrier(ctx, { leaseMs: sizes.leaseMs });
        const first = await settle(fx, carrier.carry('b6'));
        expect(first.ok ? first.value : (first.error as Error).message).toBe('14 UNAVAILABLE: connection reset by peer');
        expect(flaky.calls()).toBe(3);
        // Still running and still this server's: nothing an operator has to do.
        expect((await store.get('bulkControls', 'b6')).doc!).toMatchObject({ state: 'running', carrier: 'w1', progress: { done: 0, failed: 0, lastError: null } });
        const watcher = new BulkWatcher(ctx, carrier);
        watcher.start();
        try {
          await untilState(fx, store, 'b6', 'done');
        } finally {
          await watcher.stop();
        }
        expect(flaky.calls()).toBeGreaterThanOrEqual(6);
        expect((await store.get('bulkControls', 'b6')).doc!.progress).toMatchObject({ matched: 40, done: 40, skipped: 0, failed: 0, lastError: null });
        expect((await jobsIn(store, ids)).every((j) => j.status === 'queued' && j.redriveCount === 1)).toBe(true);
      } finally {
        await fx.cleanup();
      }
    });

    it('fails a running control whose filter no longer parses (no server could carry it) with why, jobs untouched; fixed by hand and resumed, it finishes', timeout, async () => {
      const fx = await factory(uniquePrefix('bulkunread'));
      try {
        const [store] = fx.stores;
        await fx.passTime(1);
        const ids = await seed(store, 20, store.now() - 1_000);
        await startBulk(store, 'b7', 20);
        const stored = encodeDoc('bulkControls', (await store.get('bulkControls', 'b7')).doc!);
        await fx.writeRaw('bulkControls', 'b7', { ...stored, filter: { ...(stored.filter as object), status: 'exploded' } });
        const watcher = new BulkWatcher(engineContext(store, { serverId: 'w1', clock: fx.clock }), new BulkCarrier(engineContext(store, { serverId: 'w1', clock: fx.clock }), { leaseMs: sizes.leaseMs }));
        watcher.start();
        let raw: Record<string, unknown> = {};
        try {
          await until(fx, async () => {
            raw = await rawOf(store, 'b7');
            return raw.state === 'failed';
          });
        } finally {
          await watcher.stop();
        }
        expect(raw).toMatchObject({ carrier: null, carrierExpiresAt: null, stopRequested: false, filter: { status: 'exploded' } });
        expect((raw.progress as { lastError: string }).lastError).toMatch(/^Server w1 cannot read this bulk control \(filter\.status: .*\), so no server can carry it/);
        expect((await jobsIn(store, ids)).every((j) => j.status === 'dead_lettered')).toBe(true);

        // Someone fixes the filter; the control reads as failed, and Resume finishes it.
        await fx.writeRaw('bulkControls', 'b7', { ...raw, filter: { ...(raw.filter as object), status: 'dead_lettered' } });
        expect((await store.get('bulkControls', 'b7')).doc!).toMatchObject({ state: 'failed', progress: { lastError: expect.stringContaining('cannot read') } });
        await applyControl(engineContext(store, { serverId: 'console' }), { type: 'bulk.resume', bulkId: 'b7', reason: 'filter fixed' }, admin);
        expect(await settle(fx, new BulkCarrier(engineContext(store, { serverId: 'w2', clock: fx.clock }), { leaseMs: sizes.leaseMs }).carry('b7'))).toEqual({ ok: true, value: 'done' });
        expect((await jobsIn(store, ids)).every((j) => j.status === 'queued' && j.redriveCount === 1)).toBe(true);
      } finally {
        await fx.cleanup();
      }
    });
  });
}

/** An error the way firebase-admin reports a gRPC status (`code` a number, the name in the message). */
function grpcError(code: number, text: string): Error {
  return Object.assign(new Error(`${code} ${text}`), { code });
}

/**
 * `store` whose job queries (the carrier's pages) fail while `refuse(n)` returns an error for
 * the n-th one; everything else goes to the store.
 */
function refusePages(store: DocStore, refuse: (call: number) => Error | null): { store: DocStore; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'select') {
        return (query: Query, fields: readonly string[]) => {
          if (query.collection === 'jobs') {
            calls += 1;
            const error = refuse(calls);
            if (error) return Promise.reject(error);
          }
          return target.select(query as never, fields as never);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, calls: () => calls };
}

/** The stored fields of a document, whether or not they match its schema. */
async function rawOf(store: DocStore, id: string): Promise<Record<string, unknown>> {
  const read = await store.runTransaction((tx) => tx.getLenient('bulkControls', id));
  if (read.kind === 'missing') throw new Error(`bulk control ${id} is gone`);
  return read.kind === 'undecodable' ? read.raw : encodeDoc('bulkControls', read.doc);
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Lets store time pass in small steps until `work` settles: the carrier's waits between
 * attempts are on the fixture's clock (fake on memory, real on Firestore).
 */
async function settle<T>(fx: EngineFixture, work: Promise<T>): Promise<Settled<T>> {
  let result: Settled<T> | null = null;
  void work.then(
    (value) => void (result = { ok: true, value }),
    (error: unknown) => void (result = { ok: false, error }),
  );
  await until(fx, () => result !== null);
  return result!;
}

/** Lets store time pass in small steps until `predicate` holds (state, never a fixed wait). */
async function until(fx: EngineFixture, predicate: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the carrier');
    await fx.passTime(50);
  }
}

async function untilState(fx: EngineFixture, store: DocStore, id: string, state: string): Promise<void> {
  await until(fx, async () => (await store.get('bulkControls', id)).doc?.state === state);
}

/** Waits on observed state (fake clock: the carrier's own steps move it). */
async function waitUntil(predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the watcher to take the lease');
    await new Promise((r) => setTimeout(r, 20));
  }
}

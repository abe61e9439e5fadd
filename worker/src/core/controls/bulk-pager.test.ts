import { describe, expect, it } from 'vitest';
import { bulkControlDocSchema, type BulkControlDoc } from '../../schema/bulk.js';
import { FakeClock } from '../../testing/fake-clock.js';
import {
  addOutcome,
  advanceBulk,
  bulkLeaseProblem,
  bulkPageQuery,
  finishBulk,
  planBulkPage,
  takeBulkLease,
  type BulkJobView,
} from './bulk-pager.js';

const admin = { kind: 'admin' as const, id: 'ops', email: 'ops@example.com' };

function bulk(overrides: Partial<BulkControlDoc> = {}): BulkControlDoc {
  return bulkControlDocSchema.parse({
    action: 'job.redrive',
    filter: { status: 'dead_lettered' },
    description: 'status=dead_lettered',
    requestedBy: admin,
    createdAt: 10_000,
    createdBefore: 10_000,
    state: 'running',
    progress: {},
    cursor: {},
    updatedAt: 10_000,
    ...overrides,
  });
}

const jobs = (spec: [string, number, BulkJobView['priority']?][]): BulkJobView[] => spec.map(([id, createdAt, priority]) => ({ id, createdAt, priority: priority ?? 'normal' }));

describe('bulk pager: which jobs the next page asks for', () => {
  it('asks for jobs created before the request, within the filter, newest first from the top', () => {
    expect(bulkPageQuery(bulk(), 50)).toEqual({ status: 'dead_lettered', to: 10_000, limit: 50 });
    const withRange = bulk({ filter: { ...bulk().filter, userId: 'u1', fromMs: 100, toMs: 5_000 } });
    expect(bulkPageQuery(withRange, 50)).toEqual({ status: 'dead_lettered', userId: 'u1', from: 100, to: 5_000, limit: 50 });
  });

  it('asks again for the cursor millisecond (inclusive) with room for the jobs already seen in it', () => {
    const doc = bulk({ cursor: { createdAt: 7_000, idsAt: ['a', 'b'] } });
    expect(bulkPageQuery(doc, 50)).toEqual({ status: 'dead_lettered', to: 7_001, limit: 52 });
  });
});

describe('bulk pager: a page as steps', () => {
  it('splits a page into steps of at most 16 jobs, each with the cursor past it', () => {
    const page = jobs(Array.from({ length: 40 }, (_, i) => [`j${i}`, 9_000 - i] as [string, number]));
    const plan = planBulkPage(bulk(), page, 50);
    expect(plan.steps.map((s) => s.targets.length)).toEqual([16, 16, 8]);
    expect(plan.steps[0]!.cursor).toEqual({ createdAt: 9_000 - 15, idsAt: ['j15'] });
    expect(plan.steps[2]!.cursor).toEqual({ createdAt: 9_000 - 39, idsAt: ['j39'] });
    expect(plan.exhausted).toBe(true);
    expect(planBulkPage(bulk(), page, 40).exhausted).toBe(false);
  });

  it('skips the jobs already seen at the cursor millisecond and keeps collecting ids of that millisecond', () => {
    const doc = bulk({ cursor: { createdAt: 7_000, idsAt: ['a', 'b'] } });
    const plan = planBulkPage(doc, jobs([['a', 7_000], ['b', 7_000], ['c', 7_000], ['d', 6_000]]), 52);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.targets).toEqual(['c', 'd']);
    const mid = planBulkPage(doc, jobs([['a', 7_000], ['b', 7_000], ['c', 7_000]]), 52, 1);
    expect(mid.steps[0]!.cursor).toEqual({ createdAt: 7_000, idsAt: ['a', 'b', 'c'] });
  });

  it('passes over jobs of another priority (a filter the job search indexes lack) without acting on them', () => {
    const doc = bulk({ filter: { ...bulk().filter, priority: 'high' } });
    const plan = planBulkPage(doc, jobs([['h1', 9, 'high'], ['n1', 8], ['h2', 7, 'high'], ['n2', 6]]), 10);
    expect(plan.steps[0]!.targets).toEqual(['h1', 'h2']);
    expect(plan.steps[0]!.scanned).toBe(4);
    expect(plan.steps[0]!.cursor.createdAt).toBe(6);
  });

  it('an empty page plans nothing and is the last', () => {
    expect(planBulkPage(bulk(), [], 10)).toEqual({ steps: [], exhausted: true });
  });
});

describe('bulk pager: progress, lease and end', () => {
  it('adds a step: matched, done, skipped by reason, failed', () => {
    const doc = bulk();
    const step = { targets: ['a', 'b', 'c', 'd'], scanned: 4, cursor: { createdAt: 5, idsAt: ['d'] } };
    const once = advanceBulk(doc, step, { done: 2, skipped: { INVALID_TRANSITION: 1 }, failed: 1, error: 'deadline' }, 11_000, 20_000);
    expect(once.progress).toMatchObject({ matched: 4, done: 2, skipped: 1, failed: 1, steps: 1, skippedByReason: { INVALID_TRANSITION: 1 }, lastError: 'deadline' });
    expect(once.cursor).toEqual({ createdAt: 5, idsAt: ['d'] });
    expect(once.carrierExpiresAt).toBe(31_000);
    expect(addOutcome(once.progress, step, { done: 0, skipped: { INVALID_TRANSITION: 4 }, failed: 0 }).skippedByReason).toEqual({ INVALID_TRANSITION: 5 });
  });

  it('a lease is taken when free or run out, never from a live carrier, each time with a new token', async () => {
    const clock = new FakeClock(10_000);
    const first = takeBulkLease(bulk(), 'w1', clock.now(), 5_000)!;
    expect(first.lease).toEqual({ owner: 'w1', token: 1 });
    expect(takeBulkLease(first.doc, 'w2', clock.now() + 4_999, 5_000)).toBeNull();
    expect(bulkLeaseProblem(first.doc, first.lease, clock.now() + 4_999)).toBeNull();
    await clock.advance(5_000);
    expect(bulkLeaseProblem(first.doc, first.lease, clock.now())).toBe('the lease ran out');
    const second = takeBulkLease(first.doc, 'w2', clock.now(), 5_000)!;
    expect(second.lease).toEqual({ owner: 'w2', token: 2 });
    expect(bulkLeaseProblem(second.doc, first.lease, clock.now())).toMatch(/another carrier \(w2, token 2\)/);
    expect(takeBulkLease(finishBulk(second.doc, 'done', clock.now()), 'w3', clock.now())).toBeNull();
  });

  it('finishing releases the lease; a stopped one keeps no finish time so it can be resumed', () => {
    const taken = takeBulkLease(bulk(), 'w1', 10_000)!.doc;
    expect(finishBulk(taken, 'done', 12_000)).toMatchObject({ state: 'done', carrier: null, carrierExpiresAt: null, finishedAt: 12_000 });
    expect(finishBulk({ ...taken, stopRequested: true }, 'stopped', 12_000)).toMatchObject({ state: 'stopped', stopRequested: false, finishedAt: null });
  });
});

import { describe, expect, it } from 'vitest';
import { bulkControlDocSchema, type BulkControlDoc } from '../../schema/bulk.js';
import { readDocsFrom } from '../mutations.js';
import type { ControlCommandInput } from './commands.js';
import { parseControlCommand, planControl } from './planner.js';

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

describe('bulk controls: start, stop, resume (the one planner)', () => {
  const plan = (command: ControlCommandInput, current: BulkControlDoc | null, now = 20_000) =>
    planControl(parseControlCommand(command), { actor: admin, now, docs: readDocsFrom([{ ref: { collection: 'bulkControls', id: 'b1' }, doc: current }]) });

  it('start creates a running control named by its audit entry, which records the action and filter', () => {
    const result = plan({ type: 'bulk.start', bulkId: 'b1', action: 'job.retry', filter: { status: 'failed', priority: null, userId: null, fromMs: null, toMs: null }, expectedCount: 3000, reason: 'upstream fixed' }, null);
    if (!result.ok) throw result.error;
    const doc = result.plan.mutations[0]!;
    expect(result.plan.auditId).toBe('bulkControls:b1:20000');
    expect(doc).toMatchObject({ collection: 'bulkControls', id: 'b1', data: { state: 'running', createdBefore: 20_000, expectedCount: 3000, description: 'status=failed', controlAudit: { id: 'bulkControls:b1:20000', index: 0 } } });
    expect(result.plan.audit).toMatchObject({ action: 'bulk.start', target: { kind: 'bulk', id: 'b1' }, reason: 'upstream fixed', details: { action: 'job.retry', filter: 'status=failed', from: 'none', expected: 3000 } });
    expect(plan({ type: 'bulk.start', bulkId: 'b1', action: 'job.retry', filter: {} }, bulk()).ok).toBe(false);
  });

  it('stop asks the carrier to stop; a second stop, or a stop of a finished one, is refused', () => {
    const result = plan({ type: 'bulk.stop', bulkId: 'b1' }, bulk());
    if (!result.ok) throw result.error;
    expect(result.plan.mutations[0]).toMatchObject({ data: { stopRequested: true, state: 'running' } });
    expect(plan({ type: 'bulk.stop', bulkId: 'b1' }, bulk({ stopRequested: true })).ok).toBe(false);
    expect(plan({ type: 'bulk.stop', bulkId: 'b1' }, bulk({ state: 'done' })).ok).toBe(false);
    expect(plan({ type: 'bulk.stop', bulkId: 'b1' }, null)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('resume runs a stopped control again from its cursor; a running or done one is refused', () => {
    const stopped = bulk({ state: 'stopped', cursor: { createdAt: 5, idsAt: ['x'] } });
    const result = plan({ type: 'bulk.resume', bulkId: 'b1' }, stopped);
    if (!result.ok) throw result.error;
    expect(result.plan.mutations[0]).toMatchObject({ data: { state: 'running', stopRequested: false, cursor: { createdAt: 5, idsAt: ['x'] } } });
    expect(plan({ type: 'bulk.resume', bulkId: 'b1' }, bulk()).ok).toBe(false);
    expect(plan({ type: 'bulk.resume', bulkId: 'b1' }, bulk({ state: 'done' })).ok).toBe(false);
  });

  it('resume runs one a carrier gave up on again from its cursor, its progress and last error kept; the entry says it was failed', () => {
    const lastError = 'The store refused the query for the next page (FAILED_PRECONDITION) 3 times: 9 FAILED_PRECONDITION: The query requires an index.';
    const failed = bulk({ state: 'failed', finishedAt: 15_000, cursor: { createdAt: 5, idsAt: ['x'] }, progress: { ...bulk().progress, matched: 96, done: 96, steps: 6, lastError } });
    const result = plan({ type: 'bulk.resume', bulkId: 'b1', reason: 'index deployed' }, failed);
    if (!result.ok) throw result.error;
    expect(result.plan.mutations[0]).toMatchObject({
      data: { state: 'running', stopRequested: false, finishedAt: null, cursor: { createdAt: 5, idsAt: ['x'] }, progress: { done: 96, steps: 6, lastError } },
    });
    expect(result.plan.audit).toMatchObject({ action: 'bulk.resume', reason: 'index deployed', details: { from: 'failed', done: 96 } });
    // Stopping a failed one changes nothing: refused.
    expect(plan({ type: 'bulk.stop', bulkId: 'b1' }, failed).ok).toBe(false);
  });
});

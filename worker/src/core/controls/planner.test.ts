import { describe, expect, it } from 'vitest';
import type { Actor } from '../../schema/audit.js';
import { jobDocSchema, type JobDoc } from '../../schema/job.js';
import type { LockDoc } from '../../schema/coordination.js';
import { InvalidTransitionError, NotFoundError, PayloadGoneError, ValidationError } from '../errors.js';
import { readDocsFrom, type DocMutation, type DocRef } from '../mutations.js';
import { controlReads, parseControlCommand, planControl } from './planner.js';
import type { ControlCommandInput } from './commands.js';

const now = 1_700_000_000_000;
const admin: Actor = { kind: 'admin', id: 'uid-1', email: 'ops@example.com' };

function job(status: JobDoc['status'], patch: Partial<JobDoc> = {}): JobDoc {
  return {
    ...jobDocSchema.parse({
      status,
      priority: 'normal',
      userId: 'u',
      audio: { mimeType: 'audio/wav', bytes: 100, chunkCount: 2 },
      source: 'server',
      createdAt: now - 10_000,
      updatedAt: now - 5_000,
      maxAttempts: 3,
      rank: now - 9_000,
    }),
    ...patch,
  };
}

function data(m: DocMutation | undefined): unknown {
  if (m?.op !== 'set') throw new Error('expected a set mutation');
  return m.data;
}

function plan(input: ControlCommandInput, docs: Record<string, unknown>) {
  const command = parseControlCommand(input);
  const refs = controlReads(command);
  const entries = refs.map((ref: DocRef) => ({ ref, doc: docs[`${ref.collection}/${ref.id}`] ?? null }));
  return planControl(command, { actor: admin, now, docs: readDocsFrom(entries) });
}

describe('job controls', () => {
  it('cancels a queued job at once, deletes its audio and audits who did it', () => {
    const r = plan({ type: 'job.cancel', jobIds: ['j1'], reason: 'user asked' }, { 'jobs/j1': job('queued') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const set = r.plan.mutations.find((m) => m.op === 'set');
    expect(set).toMatchObject({ collection: 'jobs', id: 'j1', data: { status: 'cancelled', completedAt: now, payloadDeletedAt: now } });
    expect(r.plan.mutations.filter((m) => m.op === 'delete').map((m) => m.id)).toEqual(['j1_0000', 'j1_0001']);
    expect(r.plan.audit).toMatchObject({
      action: 'job.cancel',
      actor: admin,
      target: { kind: 'job', id: 'j1' },
      targetIds: ['j1'],
      reason: 'user asked',
      details: { transition: 'queued->cancelled' },
    });
  });

  it('asks the holder of a running job to cancel instead of touching its lease', () => {
    const running = job('running', { fence: 2, lease: { owner: 's1', token: 2, acquiredAt: now, expiresAt: now + 1, heartbeatAt: now } });
    const r = plan({ type: 'job.cancel', jobIds: ['j1'] }, { 'jobs/j1': running });
    if (!r.ok) throw r.error;
    expect(r.plan.mutations).toHaveLength(1);
    expect(r.plan.mutations[0]).toMatchObject({
      data: { status: 'running', lease: { owner: 's1', token: 2 }, cancelRequest: { at: now, by: 'uid-1' } },
    });
  });

  it('refuses impossible transitions with a message that says what is allowed', () => {
    const r = plan({ type: 'job.redrive', jobIds: ['j1'] }, { 'jobs/j1': job('succeeded') });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(InvalidTransitionError);
    expect(r.error.message).toBe('job j1 is succeeded; only dead_lettered or failed jobs can be redriven');
    const missing = plan({ type: 'job.cancel', jobIds: ['nope'] }, {});
    expect(!missing.ok && missing.error).toBeInstanceOf(NotFoundError);
  });

  it('redrives a dead letter with a fresh attempt budget, keeping its error history', () => {
    const dead = job('dead_lettered', {
      attempts: 3,
      completedAt: now - 1,
      expireAt: now + 100,
      errors: [{ at: now - 2, attempt: 3, errorClass: 'overloaded', code: 503, message: 'x', retryAfterMs: null, serverId: null, model: null }],
    });
    const r = plan({ type: 'job.redrive', jobIds: ['j1'] }, { 'jobs/j1': dead });
    if (!r.ok) throw r.error;
    expect(r.plan.mutations[0]).toMatchObject({
      data: { status: 'queued', attempts: 0, redriveCount: 1, completedAt: null, expireAt: null, rank: now - 9_000 },
    });
    expect((data(r.plan.mutations[0]) as JobDoc).errors).toHaveLength(1);
  });

  it('counts the jobs it redrove or cancelled now in its own analytics partial, named after its audit entry', () => {
    const counted = (m: DocMutation[]) => m.filter((x) => x.collection === 'analyticsPartials');
    const redrive = plan({ type: 'job.redrive', jobIds: ['a', 'b'] }, { 'jobs/a': job('dead_lettered'), 'jobs/b': job('failed') });
    if (!redrive.ok) throw redrive.error;
    const [partial, ...more] = counted(redrive.plan.mutations);
    expect(more).toEqual([]);
    const start = now - (now % 60_000);
    expect(partial).toMatchObject({
      op: 'set',
      id: `${start}_control:${redrive.plan.auditId}`,
      data: { serverId: `control:${redrive.plan.auditId}`, periodStart: start, updatedAt: now, counters: { redriven: 2, cancelled: 0, retried: 0 }, failuresByClass: {} },
    });
    // A running job's cancel is only a request: its holder counts it when the job finishes.
    const running = job('running', { fence: 1, lease: { owner: 's1', token: 1, acquiredAt: now, expiresAt: now + 1, heartbeatAt: now } });
    const cancel = plan({ type: 'job.cancel', jobIds: ['q', 'r', 'w'] }, { 'jobs/q': job('queued'), 'jobs/r': running, 'jobs/w': job('waiting') });
    if (!cancel.ok) throw cancel.error;
    expect(counted(cancel.plan.mutations)).toMatchObject([{ data: { counters: { cancelled: 2, redriven: 0 } } }]);
    const onlyRequest = plan({ type: 'job.cancel', jobIds: ['r'] }, { 'jobs/r': running });
    const retry = plan({ type: 'job.retry', jobIds: ['w'] }, { 'jobs/w': job('waiting') });
    for (const r of [onlyRequest, retry]) {
      if (!r.ok) throw r.error;
      expect(counted(r.plan.mutations)).toEqual([]);
    }
  });

  it('refuses to retry a job whose audio is gone', () => {
    const r = plan({ type: 'job.retry', jobIds: ['j1'] }, { 'jobs/j1': job('failed', { payloadDeletedAt: now - 1 }) });
    expect(!r.ok && r.error).toBeInstanceOf(PayloadGoneError);
  });

  it('applies a bulk command to the ids it can and reports the rest', () => {
    const r = plan(
      { type: 'job.cancel', jobIds: ['a', 'b', 'c', 'a'], selection: 'status=queued user=u' },
      { 'jobs/a': job('queued'), 'jobs/b': job('succeeded'), 'jobs/c': job('waiting') },
    );
    if (!r.ok) throw r.error;
    expect(r.plan.applied).toEqual(['a', 'c']);
    expect(r.plan.skipped.map((s) => s.id)).toEqual(['b']);
    expect(r.plan.audit).toMatchObject({
      target: { kind: 'job', id: 'status=queued user=u' },
      targetIds: ['a', 'c'],
      details: { applied: 2, skipped: 1, requested: 3 },
    });
    const none = plan({ type: 'job.retry', jobIds: ['a', 'b'] }, { 'jobs/a': job('queued'), 'jobs/b': job('running') });
    expect(!none.ok && none.error.message).toMatch(/none of the 2 jobs can be retried/);
  });

  it('validates commands', () => {
    expect(() => parseControlCommand({ type: 'job.cancel', jobIds: [] })).toThrow(ValidationError);
    expect(() => parseControlCommand({ type: 'job.cancel', jobIds: Array.from({ length: 101 }, (_, i) => `j${i}`) })).toThrow(
      ValidationError,
    );
  });

  it('refuses ids that cannot name a document and text that is not well-formed unicode', () => {
    const refused: ControlCommandInput[] = [
      { type: 'job.cancel', jobIds: ['ok', 'a/b'] },
      { type: 'job.retry', jobIds: ['__x__'] },
      { type: 'job.redrive', jobIds: ['..'] },
      { type: 'lock.force_release', name: 'locks/other' },
      { type: 'breaker.reset', model: '.' },
      { type: 'breaker.force_open', model: 'm\ud800' },
      { type: 'queue.pause', reason: 'maintenance \udc00' },
      { type: 'job.cancel', jobIds: ['j1'], selection: 'status = \ud800' },
    ];
    for (const command of refused) {
      const error = (() => {
        try {
          parseControlCommand(command);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error, JSON.stringify(command)).toBeInstanceOf(ValidationError);
    }
    // Any legal document id still works, including ones the engine itself would not mint.
    expect(parseControlCommand({ type: 'job.cancel', jobIds: ['a.b', 'é-1', '__x'] })).toMatchObject({ jobIds: ['a.b', 'é-1', '__x'] });
    expect(parseControlCommand({ type: 'breaker.reset', model: 'gemini-2.5-flash' })).toMatchObject({ model: 'gemini-2.5-flash' });
  });
});

describe('queue controls', () => {
  it('pauses and resumes priorities and the whole queue', () => {
    const p1 = plan({ type: 'queue.pause', priorities: ['low'] }, {});
    if (!p1.ok) throw p1.error;
    const controls1 = data(p1.plan.mutations[0]);
    expect(controls1).toMatchObject({ paused: false, pausedPriorities: ['low'], updatedBy: 'uid-1' });
    const p2 = plan({ type: 'queue.pause' }, { 'controls/queue': controls1 });
    if (!p2.ok) throw p2.error;
    expect(p2.plan.audit.details).toEqual({ pausedBefore: 'low', pausedAfter: 'urgent,high,normal,low' });
    const p3 = plan({ type: 'queue.resume', priorities: ['urgent'] }, { 'controls/queue': data(p2.plan.mutations[0]) });
    if (!p3.ok) throw p3.error;
    expect(data(p3.plan.mutations[0])).toMatchObject({ paused: false, pausedPriorities: ['high', 'normal', 'low'] });
    const p4 = plan({ type: 'queue.resume' }, { 'controls/queue': data(p3.plan.mutations[0]) });
    if (!p4.ok) throw p4.error;
    expect(data(p4.plan.mutations[0])).toMatchObject({ paused: false, pausedPriorities: [] });
  });
});

describe('lock and breaker controls', () => {
  const lock: LockDoc = {
    name: 'L',
    holder: 's1',
    token: 7,
    acquiredAt: now - 10,
    renewedAt: now - 5,
    expiresAt: now + 1000,
    purpose: null,
    releasedAt: null,
    releasedBy: null,
  };

  it('force-releases a held lock but keeps its fencing token', () => {
    const r = plan({ type: 'lock.force_release', name: 'L' }, { 'locks/L': lock });
    if (!r.ok) throw r.error;
    expect(data(r.plan.mutations[0])).toMatchObject({ holder: null, token: 7, releasedBy: 'uid-1', releasedAt: now });
    const again = plan({ type: 'lock.force_release', name: 'L' }, { 'locks/L': data(r.plan.mutations[0]) });
    expect(!again.ok && again.error.message).toBe('lock L is not held');
  });

  it('forces a breaker open, clears the override and resets it', () => {
    const open = plan({ type: 'breaker.force_open', model: 'm', reason: 'outage' }, {});
    if (!open.ok) throw open.error;
    const doc = data(open.plan.mutations[0]);
    expect(doc).toMatchObject({ state: 'open', override: 'force_open', generation: 1, history: [{ from: 'closed', to: 'open', reason: 'forced open: outage' }] });
    const clear = plan({ type: 'breaker.clear_override', model: 'm' }, { 'breakers/m': doc });
    if (!clear.ok) throw clear.error;
    expect(data(clear.plan.mutations[0])).toMatchObject({ state: 'open', override: null });
    const reset = plan({ type: 'breaker.reset', model: 'm' }, { 'breakers/m': data(clear.plan.mutations[0]) });
    if (!reset.ok) throw reset.error;
    expect(data(reset.plan.mutations[0])).toMatchObject({ state: 'closed', generation: 2, window: null, override: null });
    const noOverride = plan({ type: 'breaker.clear_override', model: 'm' }, { 'breakers/m': data(reset.plan.mutations[0]) });
    expect(noOverride.ok).toBe(false);
  });
});

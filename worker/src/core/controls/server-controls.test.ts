import { describe, expect, it } from 'vitest';
import type { Actor } from '../../schema/audit.js';
import { serverDocSchema, type ServerDoc } from '../../schema/coordination.js';
import { MAX_DRAINED_SERVERS, queueControlsDocSchema, type QueueControlsDoc } from '../../schema/flow.js';
import { InvalidTransitionError, NotFoundError } from '../errors.js';
import { readDocsFrom, type DocMutation } from '../mutations.js';
import type { ControlCommandInput } from './commands.js';
import { controlReads, parseControlCommand, planControl } from './planner.js';

const now = 1_700_000_000_000;
const admin: Actor = { kind: 'admin', id: 'uid-1', email: 'ops@example.com' };

function server(id: string, state: ServerDoc['state'] = 'active'): ServerDoc {
  return serverDocSchema.parse({
    serverId: id,
    hostname: 'h',
    pid: 1,
    version: '0.1.0',
    state,
    startedAt: now - 60_000,
    heartbeatAt: now - 1_000,
    heartbeatIntervalMs: 5_000,
    inFlight: 2,
    concurrencyLimit: 4,
    maxConcurrency: 4,
  });
}

function controls(patch: Partial<QueueControlsDoc> = {}): QueueControlsDoc {
  return { ...queueControlsDocSchema.parse({ paused: false, updatedAt: now - 10_000, updatedBy: 'someone' }), ...patch };
}

function plan(input: ControlCommandInput, docs: Record<string, unknown>) {
  const command = parseControlCommand(input);
  const entries = controlReads(command).map((ref) => ({ ref, doc: docs[`${ref.collection}/${ref.id}`] ?? null }));
  return planControl(command, { actor: admin, now, docs: readDocsFrom(entries) });
}

function written(m: DocMutation | undefined): QueueControlsDoc {
  if (m?.op !== 'set' || m.collection !== 'controls') throw new Error('expected the queue controls to be set');
  return m.data as QueueControlsDoc;
}

describe('server controls', () => {
  it('drains a live server: lists it in the queue controls, keeps the pause switches, audits who and why', () => {
    const before = controls({ pausedPriorities: ['low'], reason: 'low paused for the night' });
    const r = plan({ type: 'server.drain', serverId: 'srv-a', reason: 'kernel update' }, { 'controls/queue': before, 'servers/srv-a': server('srv-a') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.mutations).toHaveLength(1);
    const doc = written(r.plan.mutations[0]);
    expect(doc).toMatchObject({ drainedServers: ['srv-a'], paused: false, pausedPriorities: ['low'], reason: 'low paused for the night', updatedAt: now, updatedBy: admin.id });
    expect(doc.controlAudit).toEqual({ id: `controls:queue:${now}`, index: 0 });
    expect(r.plan.auditId).toBe(`controls:queue:${now}`);
    expect(r.plan.audit).toMatchObject({
      action: 'server.drain',
      actor: admin,
      target: { kind: 'server', id: 'srv-a' },
      reason: 'kernel update',
      details: { drainedBefore: 0, drainedAfter: 1 },
    });
  });

  it('drains with no queue controls document yet (a fresh fleet)', () => {
    const r = plan({ type: 'server.drain', serverId: 'srv-a' }, { 'servers/srv-a': server('srv-a') });
    expect(r.ok).toBe(true);
    if (r.ok) expect(written(r.plan.mutations[0])).toMatchObject({ paused: false, pausedPriorities: [], reason: null, drainedServers: ['srv-a'] });
  });

  it('resumes a drained server and leaves the others drained', () => {
    const before = controls({ drainedServers: ['srv-a', 'srv-b'] });
    const r = plan({ type: 'server.resume', serverId: 'srv-a' }, { 'controls/queue': before, 'servers/srv-a': server('srv-a', 'draining') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(written(r.plan.mutations[0]).drainedServers).toEqual(['srv-b']);
    expect(r.plan.audit).toMatchObject({ action: 'server.resume', target: { kind: 'server', id: 'srv-a' }, details: { drainedBefore: 2, drainedAfter: 1 } });
  });

  it('resumes (forgets) a drained server that has stopped or whose document is gone', () => {
    const before = controls({ drainedServers: ['srv-gone'] });
    const r = plan({ type: 'server.resume', serverId: 'srv-gone' }, { 'controls/queue': before });
    expect(r.ok).toBe(true);
    if (r.ok) expect(written(r.plan.mutations[0]).drainedServers).toEqual([]);
  });

  it('refuses what would not change anything or cannot take effect, with typed errors', () => {
    const drained = controls({ drainedServers: ['srv-a'] });
    const unknown = plan({ type: 'server.drain', serverId: 'srv-x' }, { 'controls/queue': drained });
    expect(!unknown.ok && unknown.error).toBeInstanceOf(NotFoundError);
    const again = plan({ type: 'server.drain', serverId: 'srv-a' }, { 'controls/queue': drained, 'servers/srv-a': server('srv-a', 'draining') });
    expect(!again.ok && again.error).toBeInstanceOf(InvalidTransitionError);
    const stopped = plan({ type: 'server.drain', serverId: 'srv-s' }, { 'servers/srv-s': server('srv-s', 'stopped') });
    expect(!stopped.ok && stopped.error.message).toMatch(/stopped: only a running server can be drained/);
    const notDrained = plan({ type: 'server.resume', serverId: 'srv-b' }, { 'controls/queue': drained, 'servers/srv-b': server('srv-b') });
    expect(!notDrained.ok && notDrained.error).toBeInstanceOf(InvalidTransitionError);
    const full = controls({ drainedServers: Array.from({ length: MAX_DRAINED_SERVERS }, (_, i) => `srv-${i}`) });
    const tooMany = plan({ type: 'server.drain', serverId: 'srv-a' }, { 'controls/queue': full, 'servers/srv-a': server('srv-a') });
    expect(!tooMany.ok && tooMany.error.message).toMatch(/resume one first/);
  });

  it('a queue pause or resume keeps the drained servers', () => {
    const before = controls({ drainedServers: ['srv-a'] });
    for (const type of ['queue.pause', 'queue.resume'] as const) {
      const r = plan({ type }, { 'controls/queue': before });
      expect(r.ok).toBe(true);
      if (r.ok) expect(written(r.plan.mutations[0]).drainedServers).toEqual(['srv-a']);
    }
  });

  it('stamps a version after the controls document, whatever the server document says', () => {
    const before = controls({ updatedAt: now + 5_000 });
    const r = plan({ type: 'server.drain', serverId: 'srv-a' }, { 'controls/queue': before, 'servers/srv-a': { ...server('srv-a'), heartbeatAt: now + 60_000 } });
    expect(r.ok && written(r.plan.mutations[0]).updatedAt).toBe(now + 5_001);
  });

  it('refuses a server id that cannot name a document', () => {
    expect(() => parseControlCommand({ type: 'server.drain', serverId: 'a/b' })).toThrow(/document id/);
  });
});

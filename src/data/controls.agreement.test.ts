// @vitest-environment node
/**
 * One control executor: every control command, run by the worker's admin API (`applyControl`
 * over its MemoryStore) and by the console (`executeControl` over its fake data port) from
 * the same starting documents at the same time, leaves the same documents behind in every
 * collection (the controlled ones, the audio, the audit entries and the control's analytics
 * counts, `redriven` included) and answers the same: the same plan, or the same typed refusal.
 */
import {
  applyControl,
  COLLECTION_BASE_NAMES,
  createMemoryStore,
  resolveConfig,
  type Clock,
  type CollectionKey,
  type ControlCommandInput,
  type DocOf,
  type JobDoc,
  type MemoryStore,
} from '@fq/worker';
import { describe, expect, it } from 'vitest';
import { T0, breaker, controls, job, lock } from '../test/factories';
import { FakeData } from '../test/fakeData';
import { executeControl } from './controls';

const NOW = T0 + 60_000;
const actor = { kind: 'admin' as const, id: 'admin-1', email: 'admin@example.com' };
const COLLECTIONS = Object.keys(COLLECTION_BASE_NAMES) as CollectionKey[];
const frozen: Clock = {
  now: () => NOW,
  setTimer: () => ({ cancel() {} }),
  sleep: () => Promise.resolve(),
};

type Seed = { [K in CollectionKey]: { collection: K; id: string; data: DocOf<K> } }[CollectionKey];

const chunk = (jobId: string, index: number, count: number): Seed => ({
  collection: 'payloads',
  id: `${jobId}_${String(index).padStart(4, '0')}`,
  data: { jobId, userId: 'user-1', index, count, data: new Uint8Array([index, 1, 2]), createdAt: T0 },
});
const chunked = (id: string, doc: JobDoc): Seed[] => [
  { collection: 'jobs', id, data: doc },
  ...Array.from({ length: doc.audio.chunkCount }, (_, i) => chunk(id, i, doc.audio.chunkCount)),
];
const running = job({
  status: 'running',
  fence: 2,
  attempts: 1,
  lease: { owner: 'srv-a', token: 2, acquiredAt: T0, expiresAt: T0 + 120_000, heartbeatAt: T0 },
});
const failedWith = (status: 'failed' | 'dead_lettered') =>
  job({
    status,
    attempts: 5,
    completedAt: T0,
    expireAt: T0 + 86_400_000,
    redriveCount: 1,
    errors: [{ at: T0, attempt: 5, errorClass: 'overloaded', code: 503, message: 'busy', retryAfterMs: null, serverId: 'srv-a', model: null }],
  });
const BULK = Array.from({ length: 20 }, (_, i) => `bulk-${i}`);

/** The starting documents: a job in every state, a held and a free lock, breakers, the queue controls. */
const START: Seed[] = [
  ...chunked('queued', job({ status: 'queued', audio: { mimeType: 'audio/wav', bytes: 2_000, chunkCount: 2 } })),
  ...chunked('waiting', job({ status: 'waiting', attempts: 2, availableAt: NOW + 30_000 })),
  { collection: 'jobs', id: 'inline', data: job({ status: 'queued', source: 'server', audio: { mimeType: 'audio/wav', bytes: 3, chunkCount: 0 }, inlineAudio: new Uint8Array([7, 8, 9]) }) },
  ...chunked('running', running),
  ...chunked('failed', failedWith('failed')),
  ...chunked('dead', failedWith('dead_lettered')),
  { collection: 'jobs', id: 'dead-no-audio', data: { ...failedWith('dead_lettered'), payloadDeletedAt: T0 } },
  ...chunked('done', job({ status: 'succeeded', completedAt: T0, payloadDeletedAt: T0 })),
  ...BULK.flatMap((id, i) => chunked(id, job({ status: i % 5 === 4 ? 'succeeded' : 'dead_lettered', attempts: 3 }))),
  { collection: 'locks', id: 'maintenance', data: lock() },
  { collection: 'locks', id: 'free', data: lock({ name: 'free', holder: null, expiresAt: null }) },
  { collection: 'breakers', id: 'gemini-a', data: breaker({ model: 'gemini-a', state: 'open', openedAt: T0, nextProbeAt: NOW + 5_000, consecutiveFailures: 2 }) },
  { collection: 'breakers', id: 'gemini-b', data: breaker({ model: 'gemini-b', override: 'force_closed', overrideBy: 'admin-0', overrideAt: T0 }) },
  { collection: 'controls', id: 'queue', data: controls({ pausedPriorities: ['low'] }) },
];

const COMMANDS: ControlCommandInput[] = [
  { type: 'queue.pause', reason: 'incident' },
  { type: 'queue.pause', priorities: ['normal'] },
  { type: 'queue.resume', priorities: ['low'] },
  { type: 'queue.resume' },
  { type: 'job.cancel', jobIds: ['queued'], reason: 'duplicate' },
  { type: 'job.cancel', jobIds: ['inline', 'running', 'waiting'], selection: 'user=user-1' },
  { type: 'job.cancel', jobIds: ['done'] },
  { type: 'job.cancel', jobIds: ['nowhere'] },
  { type: 'job.retry', jobIds: ['waiting', 'failed'] },
  { type: 'job.retry', jobIds: ['dead'] },
  { type: 'job.redrive', jobIds: ['dead'], reason: 'upstream fixed' },
  { type: 'job.redrive', jobIds: ['dead', 'failed', 'done'] },
  { type: 'job.redrive', jobIds: ['dead-no-audio'] },
  { type: 'job.redrive', jobIds: BULK, selection: 'status=dead_lettered' },
  { type: 'job.cancel', jobIds: BULK.slice(0, 16).filter((_, i) => i % 5 === 4) },
  { type: 'lock.force_release', name: 'maintenance', reason: 'stuck' },
  { type: 'lock.force_release', name: 'free' },
  { type: 'lock.force_release', name: 'missing' },
  { type: 'breaker.force_open', model: 'gemini-new', reason: 'maintenance' },
  { type: 'breaker.force_open', model: 'gemini-a' },
  { type: 'breaker.force_close', model: 'gemini-a', reason: 'false alarm' },
  { type: 'breaker.clear_override', model: 'gemini-b' },
  { type: 'breaker.clear_override', model: 'gemini-a' },
  { type: 'breaker.reset', model: 'gemini-a' },
  { type: 'breaker.reset', model: 'gemini-b' },
];

type Outcome = { ok: true; plan: unknown } | { ok: false; error: { name: string; message: string } };

async function outcome(run: () => Promise<{ command: unknown; audit: unknown; auditId: string; applied: string[]; skipped: { id: string; error: Error }[] }>): Promise<Outcome> {
  try {
    const plan = await run();
    const { command, audit, auditId, applied, skipped } = plan;
    return { ok: true, plan: { command, audit, auditId, applied, skipped: skipped.map((s) => [s.id, s.error.name, s.error.message]) } };
  } catch (error) {
    return { ok: false, error: { name: (error as Error).name, message: (error as Error).message } };
  }
}

async function worker(command: ControlCommandInput): Promise<{ outcome: Outcome; docs: Record<string, unknown> }> {
  const store: MemoryStore = createMemoryStore({ clock: frozen });
  await store.commit(START.map((s) => ({ op: 'set', ...s }) as never));
  const result = await outcome(() => applyControl({ store, config: resolveConfig({}) }, command, actor));
  const docs: Record<string, unknown> = {};
  for (const collection of COLLECTIONS) {
    for (const d of (await store.query({ collection })).docs) docs[`${collection}/${d.id}`] = d.data;
  }
  return { outcome: result, docs };
}

async function console(command: ControlCommandInput): Promise<{ outcome: Outcome; docs: Record<string, unknown> }> {
  const data = new FakeData();
  data.serverNow = () => NOW;
  for (const s of START) data.put(s.collection, s.id, s.data as never, false);
  const result = await outcome(() => executeControl(data, command, actor, () => NOW));
  const docs: Record<string, unknown> = {};
  for (const collection of COLLECTIONS) {
    for (const [id] of data.all(collection)) {
      const row = data.read(collection, id);
      if (!row?.ok) throw new Error(`${collection}/${id} does not decode`);
      docs[`${collection}/${id}`] = row.data;
    }
  }
  return { outcome: result, docs };
}

describe('the worker and the console run every control command alike', () => {
  for (const command of COMMANDS) {
    it(`${command.type} ${JSON.stringify({ ...command, type: undefined })}`, async () => {
      const [w, c] = await Promise.all([worker(command), console(command)]);
      expect(c.outcome).toEqual(w.outcome);
      expect(Object.keys(w.docs).length).toBeGreaterThanOrEqual(START.length - 2);
      expect(c.docs).toEqual(w.docs);
    });
  }

  it('covers every command type, refusals and a bulk command committed in parts', async () => {
    const types = new Set(COMMANDS.map((c) => c.type));
    expect(types.size).toBe(10);
    const bulk = await worker({ type: 'job.redrive', jobIds: BULK, selection: 'status=dead_lettered' });
    const audits = Object.keys(bulk.docs).filter((k) => k.startsWith('audit/'));
    expect(audits).toHaveLength(2);
    expect((await worker({ type: 'lock.force_release', name: 'free' })).outcome.ok).toBe(false);
  });

  it('a redrive from the console reaches the redriven counter, as one from the worker does', async () => {
    const command: ControlCommandInput = { type: 'job.redrive', jobIds: BULK, selection: 'status=dead_lettered' };
    for (const side of await Promise.all([worker(command), console(command)])) {
      const partials = Object.entries(side.docs).filter(([k]) => k.startsWith('analyticsPartials/')).map(([, v]) => v as DocOf<'analyticsPartials'>);
      // 16 of the 20 are dead letters (every fifth succeeded): two parts, one partial each.
      expect(partials.map((p) => p.counters.redriven).reduce((a, b) => a + b, 0)).toBe(16);
      expect(partials.map((p) => p.serverId.split(':').slice(0, 2).join(':'))).toEqual(['control:jobs', 'control:jobs']);
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { FirestoreError } from '../model/index.js';
import type { CallContext, StreamSink } from '../service/index.js';
import { FirestoreService } from '../service/index.js';
import { FaultInjector } from './fault-injector.js';

const CTX: CallContext = { auth: { kind: 'owner' }, connection: { id: 'test' } };
const db = (p: string): string => `projects/${p}/databases/(default)`;

/** A sleep the test releases by hand, recording what was asked. */
function manualSleep() {
  const pending: Array<{ ms: number; release: () => void }> = [];
  const sleep = (ms: number) => new Promise<void>((release) => pending.push({ ms, release }));
  return { sleep, pending };
}

function setup() {
  const service = new FirestoreService({ sweepIntervalMs: 0 });
  const { sleep, pending } = manualSleep();
  const faults = new FaultInjector(sleep).attach(service);
  return { service, faults, pending };
}

function recordingSink() {
  const sent: Array<Record<string, unknown>> = [];
  const failures: FirestoreError[] = [];
  const sink: StreamSink = { send: (m) => sent.push(m), fail: (e) => failures.push(e) };
  return { sink, sent, failures };
}

const write = (p: string, id: string) => ({ update: { name: `${db(p)}/documents/c/${id}`, fields: { v: { integerValue: '1' } } } });
const flush = () => new Promise((r) => setImmediate(r));

describe('FaultInjector', () => {
  it('delays unary responses after the call ran', async () => {
    const { service, faults, pending } = setup();
    faults.delay('p', 'Commit', 250);
    let done = false;
    const call = service.commit({ database: db('p'), writes: [write('p', 'a')] }, CTX).then(() => (done = true));
    await flush();
    expect(pending.map((p) => p.ms)).toEqual([250]);
    // The write is applied already; only the answer waits.
    expect((await service.getDocument({ name: `${db('p')}/documents/c/a` }, CTX)).fields).toEqual({ v: { integerValue: '1' } });
    expect(done).toBe(false);
    pending[0]!.release();
    await call;
    expect(faults.snapshot('p').stats.delayedCalls).toBe(1);
  });

  it('fails the next commits with the asked status and ends their transactions', async () => {
    const { service, faults } = setup();
    faults.failNextCommits('p', 1, 'ABORTED');
    const { transaction } = (await service.beginTransaction({ database: db('p') }, CTX)) as { transaction: string };
    await service.getDocument({ name: `${db('p')}/documents/c/a`, transaction }, CTX).catch(() => undefined);
    await expect(service.commit({ database: db('p'), transaction, writes: [write('p', 'a')] }, CTX)).rejects.toMatchObject({ status: 'ABORTED' });
    expect(service.store.transactions.size).toBe(0);
    expect(service.store.locks.size).toBe(0);
    await expect(service.commit({ database: db('p'), writes: [write('p', 'a')] }, CTX)).resolves.toMatchObject({ commitTime: expect.any(String) });
    expect(faults.snapshot('p')).toMatchObject({ failCommits: null, stats: { failedCommits: 1 } });
  });

  it('fails writes on the Write stream (not its handshake) and unregisters the stream', async () => {
    const { service, faults } = setup();
    faults.failNextCommits('p', 1, 'UNAVAILABLE');
    const { sink, sent, failures } = recordingSink();
    const stream = service.openWrite(CTX, sink);
    await stream.request({ database: db('p') });
    expect(sent).toHaveLength(1);
    expect(faults.snapshot('p').openStreams).toBe(1);
    await stream.request({ streamToken: sent[0]!.streamToken, writes: [write('p', 'a')] });
    expect(failures.map((f) => f.status)).toEqual(['UNAVAILABLE']);
    expect(faults.snapshot('p').openStreams).toBe(0);
    await stream.request({ writes: [write('p', 'b')] }); // ignored after the failure
    expect(sent).toHaveLength(1);
  });

  it('delays stream messages in order and drops only the chosen project\'s streams', async () => {
    const { service, faults, pending } = setup();
    const a = recordingSink();
    const b = recordingSink();
    const sa = service.openWrite(CTX, a.sink);
    const sb = service.openWrite(CTX, b.sink);
    await sa.request({ database: db('pa') });
    await sb.request({ database: db('pb') });
    faults.delay('pa', 'Write', 100);
    await sa.request({ writes: [write('pa', 'x')] });
    await sa.request({ writes: [write('pa', 'y')] });
    expect(a.sent).toHaveLength(1); // handshake only; the two answers wait in order
    pending.shift()!.release();
    await flush();
    expect(a.sent).toHaveLength(2);
    pending.shift()!.release();
    await flush();
    expect(a.sent.map((m) => Boolean(m.commitTime))).toEqual([false, true, true]);

    expect(faults.dropStreams('pb')).toBe(1);
    expect(b.failures.map((f) => f.status)).toEqual(['UNAVAILABLE']);
    expect(a.failures).toEqual([]);
    expect(faults.snapshot('pa').openStreams).toBe(1);
    expect(faults.snapshot('pb').stats.droppedStreams).toBe(1);
    sa.close();
    expect(faults.streams.count()).toBe(0);
  });

  it('validates configure requests', () => {
    const { faults } = setup();
    expect(() => faults.configure('p', { delays: { Commit: 'slow' } })).toThrow(/Invalid fault request at "delays.Commit"/);
    expect(() => faults.configure('p', { failCommits: { count: 1, status: 'NOT_FOUND' } })).toThrow(/Invalid fault request/);
  });
});

/**
 * Serializable read-write transactions over queries: Firestore (and Google's emulator) lock
 * the range a server SDK transaction's query read (pessimistic concurrency, wound-wait). A
 * write that would change the query's result waits until the transaction ends, so the
 * transaction commits what it read and the write lands after it; a write by an older
 * transaction aborts the younger reader instead, and the SDK's retry sees it. No phantom
 * either way. Also: a read-only transaction refuses writes on the wire.
 */
import type { CollectionReference, WriteResult } from 'firebase-admin/firestore';
import { AggregateField } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { randomId, useAdmin, waitFor } from './harness.js';

const env = useAdmin('conf-phantom');
const col = (): CollectionReference => env.db.collection(randomId('tasks'));

/**
 * Starts `write` without awaiting it and resolves once our emulator holds it waiting for a
 * lock (the state a test can wait on; Google's emulator does not expose it).
 */
async function blocked<T>(write: () => Promise<T>): Promise<{ result: Promise<T> }> {
  const locks = env.target.emulator!.service.store.locks;
  const before = locks.waiters;
  const result = write();
  result.catch(() => undefined);
  await waitFor(() => (locks.waiters > before ? true : undefined), 10_000, 'the write to wait for the transaction');
  return { result };
}

/** A promise and its resolver (two transactions coordinated without sleeping). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Cases that wait on our emulator's lock state skip against an external emulator. */
const external = process.env.FIRESTORE_EMULATOR_HOST !== undefined;

describe('phantom reads in read-write transactions', () => {
  it.skipIf(external)('a concurrent insert into the queried range waits until the transaction commits', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open' });
    await tasks.doc('t2').set({ status: 'done' });
    const summary = tasks.doc('summary');
    let attempts = 0;
    let insert: Promise<WriteResult> | undefined;
    await env.db.runTransaction(async (tx) => {
      attempts++;
      const open = await tx.get(tasks.where('status', '==', 'open'));
      if (attempts === 1) insert = (await blocked(() => tasks.doc('t3').set({ status: 'open' }))).result;
      tx.set(summary, { open: open.size });
    });
    const inserted = await insert!;
    expect(attempts).toBe(1);
    const snap = await summary.get();
    expect(snap.get('open')).toBe(1);
    expect(inserted.writeTime.toMillis() >= snap.updateTime!.toMillis()).toBe(true);
    expect((await tasks.where('status', '==', 'open').get()).size).toBe(2);
  });

  it.skipIf(external)('a concurrent insert that changes an aggregation waits too', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open', points: 3 });
    const summary = tasks.doc('summary');
    let insert: Promise<unknown> | undefined;
    await env.db.runTransaction(async (tx) => {
      const agg = await tx.get(tasks.where('status', '==', 'open').aggregate({ n: AggregateField.sum('points') }));
      insert ??= (await blocked(() => tasks.doc('t2').set({ status: 'open', points: 4 }))).result;
      tx.set(summary, { points: agg.data().n });
    });
    await insert;
    expect((await summary.get()).get('points')).toBe(3);
  });

  it.skipIf(external)('a change that makes a document enter the result waits; a rollback lets it through', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open' });
    await tasks.doc('t2').set({ status: 'done' });
    let update: Promise<unknown> | undefined;
    await expect(
      env.db.runTransaction(async (tx) => {
        const open = await tx.get(tasks.where('status', '==', 'open'));
        expect(open.size).toBe(1);
        update = (await blocked(() => tasks.doc('t2').update({ status: 'open' }))).result;
        throw new Error('give up');
      }),
    ).rejects.toThrow('give up');
    await update;
    expect((await tasks.where('status', '==', 'open').get()).size).toBe(2);
  });

  it('an older transaction writing into a younger one\'s range aborts the younger, whose retry sees the write', async () => {
    const tasks = col();
    await tasks.doc('t1').set({ status: 'open' });
    const olderStarted = deferred();
    const youngerRead = deferred();
    const older = env.db.runTransaction(async (tx) => {
      await tx.get(tasks.doc('other'));
      olderStarted.resolve();
      await youngerRead.promise;
      tx.set(tasks.doc('t2'), { status: 'open' });
    });
    await olderStarted.promise;
    const sizes: number[] = [];
    await env.db.runTransaction(async (tx) => {
      const open = await tx.get(tasks.where('status', '==', 'open'));
      sizes.push(open.size);
      if (sizes.length === 1) {
        youngerRead.resolve();
        await older;
      }
      tx.set(tasks.doc('summary'), { open: open.size });
    });
    expect(sizes).toEqual([1, 2]);
    expect((await tasks.doc('summary').get()).get('open')).toBe(2);
  });

  it('does not abort for writes outside the range (other filter value, past a limit, other collection)', async () => {
    const tasks = col();
    for (const [id, rank] of [['a', 1], ['b', 2], ['c', 3]] as const) await tasks.doc(id).set({ status: 'open', rank });
    let attempts = 0;
    await env.db.runTransaction(async (tx) => {
      attempts++;
      const top = await tx.get(tasks.where('status', '==', 'open').orderBy('rank').limit(2));
      if (attempts === 1) {
        await tasks.doc('d').set({ status: 'done', rank: 0 });
        await tasks.doc('e').set({ status: 'open', rank: 10 });
        await col().doc('x').set({ status: 'open', rank: 0 });
      }
      tx.set(tasks.doc('summary'), { top: top.docs.map((d) => d.id) });
    });
    expect(attempts).toBe(1);
    expect((await tasks.doc('summary').get()).get('top')).toEqual(['a', 'b']);
  });

  it.skipIf(external)('a document entering a limit query before its last result waits for the transaction', async () => {
    const tasks = col();
    for (const [id, rank] of [['a', 1], ['b', 2], ['c', 3]] as const) await tasks.doc(id).set({ status: 'open', rank });
    let insert: Promise<unknown> | undefined;
    await env.db.runTransaction(async (tx) => {
      const top = await tx.get(tasks.where('status', '==', 'open').orderBy('rank').limit(2));
      insert ??= (await blocked(() => tasks.doc('z').set({ status: 'open', rank: 0 }))).result;
      tx.set(tasks.doc('summary'), { top: top.docs.map((d) => d.id) });
    });
    await insert;
    expect((await tasks.doc('summary').get()).get('top')).toEqual(['a', 'b']);
  });

  it('a read-only transaction refuses a commit with writes (INVALID_ARGUMENT on the wire)', async () => {
    const base = `${env.target.url}/v1/projects/${env.projectId}/databases/(default)/documents`;
    const post = async (verb: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${base}:${verb}`, { method: 'POST', headers: { Authorization: 'Bearer owner' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const begun = await post('beginTransaction', { options: { readOnly: {} } });
    expect(begun.status).toBe(200);
    const name = `projects/${env.projectId}/databases/(default)/documents/${randomId()}/doc`;
    const commit = await post('commit', { transaction: begun.json.transaction, writes: [{ update: { name, fields: { a: { integerValue: '1' } } } }] });
    expect(commit.status).toBe(400);
    expect((commit.json.error as { status: string }).status).toBe('INVALID_ARGUMENT');
    expect((await env.db.doc(name.split('/documents/')[1]!).get()).exists).toBe(false);
  });
});
